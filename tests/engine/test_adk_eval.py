"""ADK's own evaluator scores an exported golden trace, offline.

This runs the pipeline `adk eval AGENT FILE.evalset.json` runs: the file is
read with ADK's `load_eval_set_from_file`, the real math agent answers each
user turn through `LocalEvalService` (tools really run), and the default
metrics compare the result with the file. The agent's model is `ReplayLlm`,
which repeats the model turns recorded in the *session* (not in the export),
so a wrong export shows up as a score below 1.0.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
from export_helpers import AGENTS_DIR
from export_helpers import answer
from export_helpers import calls
from export_helpers import read_json
from export_helpers import run_session
from fixture_agents import FIXTURES
from fixture_agents import fixture_workspace
from google.adk.agents.llm_agent import LlmAgent
from google.adk.evaluation.eval_set import EvalSet
from google.adk.evaluation.in_memory_eval_sets_manager import InMemoryEvalSetsManager
from google.adk.evaluation.local_eval_sets_manager import load_eval_set_from_file
from google.adk.models.base_llm import BaseLlm
from google.adk.models.llm_request import LlmRequest
from google.adk.models.llm_response import LlmResponse
from google.adk.sessions.session import Session
from google.genai import types
from pydantic import Field

from adk_simulator.engine.export.evalset_file import EvalSetWriter
from adk_simulator.engine.export.golden_trace import GoldenTraceBuilder

TRAJECTORY = "tool_trajectory_avg_score"
RESPONSE_MATCH = "response_match_score"


class ReplayLlm(BaseLlm):
  """A model that answers each request with the next recorded model turn."""

  model: str = "replay"
  turns: list[LlmResponse] = Field(default_factory=list)

  async def generate_content_async(
    self, llm_request: LlmRequest, stream: bool = False
  ) -> AsyncGenerator[LlmResponse, None]:
    if not self.turns:
      raise AssertionError("the agent asked for more model turns than were recorded")
    yield self.turns.pop(0)


def recorded_model_turns(session: Session) -> list[LlmResponse]:
  """The model's side of the session: every agent event with calls or text."""
  turns = []
  for event in session.events:
    content = event.content
    if event.author == "user" or not content or content.role != "model" or not content.parts:
      continue
    parts = [
      types.Part(
        function_call=types.FunctionCall(name=p.function_call.name, args=p.function_call.args)
      )
      if p.function_call
      else p
      for p in content.parts
    ]
    turns.append(LlmResponse(content=types.Content(role="model", parts=parts)))
  return turns


async def adk_eval(
  path: Path, agent: LlmAgent, *, errors: list[str] | None = None
) -> tuple[list[str], dict[str, float | None]]:
  """Runs the eval set file the way `adk eval` does (one run per case).

  Args:
    path: The eval set file.
    agent: The agent, with a stand-in model.
    errors: Collects the error message of each failed inference.

  Returns:
    Each case's inference status, and the metric scores (empty unless every
    inference succeeded).
  """
  # Imported here: the eval service pulls in Vertex AI and NLTK (tens of
  # seconds), which collecting the other tests should not pay for.
  from google.adk.evaluation.base_eval_service import EvaluateConfig
  from google.adk.evaluation.base_eval_service import EvaluateRequest
  from google.adk.evaluation.base_eval_service import InferenceConfig
  from google.adk.evaluation.base_eval_service import InferenceRequest
  from google.adk.evaluation.base_eval_service import InferenceStatus
  from google.adk.evaluation.eval_config import EvalConfig
  from google.adk.evaluation.eval_config import get_eval_metrics_from_config
  from google.adk.evaluation.local_eval_service import LocalEvalService

  eval_set = load_eval_set_from_file(str(path), str(path))
  app_name = "math_agent"
  manager = InMemoryEvalSetsManager()
  manager.create_eval_set(app_name=app_name, eval_set_id=eval_set.eval_set_id)
  for case in eval_set.eval_cases:
    manager.add_eval_case(app_name=app_name, eval_set_id=eval_set.eval_set_id, eval_case=case)
  service = LocalEvalService(root_agent=agent, eval_sets_manager=manager)
  inferences = [
    result
    async for result in service.perform_inference(
      InferenceRequest(
        app_name=app_name,
        eval_set_id=eval_set.eval_set_id,
        inference_config=InferenceConfig(),
      )
    )
  ]
  statuses = [i.status.name for i in inferences]
  if errors is not None:
    errors.extend(i.error_message or "" for i in inferences if i.error_message)
  if any(i.status != InferenceStatus.SUCCESS for i in inferences):
    return statuses, {}
  config = EvalConfig(criteria={TRAJECTORY: 1.0, RESPONSE_MATCH: 1.0})
  results = [
    result
    async for result in service.evaluate(
      EvaluateRequest(
        inference_results=inferences,
        evaluate_config=EvaluateConfig(eval_metrics=get_eval_metrics_from_config(config)),
      )
    )
  ]
  (result,) = results
  return statuses, {
    m.metric_name: m.score
    for m in result.overall_eval_metric_results
    if m.metric_name in (TRAJECTORY, RESPONSE_MATCH)
  }


@pytest.fixture
def math_agent(monkeypatch: pytest.MonkeyPatch) -> LlmAgent:
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module("math_agent.agent").root_agent


async def test_adk_eval_scores_an_exported_trace_perfectly(
  math_agent: LlmAgent, tmp_path: Path
) -> None:
  session = await run_session(
    math_agent,
    [
      (
        "What are 2+3 and 4*5.5?",
        [calls(("add", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5.5})), answer("5 and 22.")],
      ),
      ("Now subtract 1 from 22.", [calls(("subtract", {"a": 22, "b": 1})), answer("That is 21.")]),
    ],
    state={"precision": 2},
  )
  path = tmp_path / "evalsets" / "math_agent.evalset.json"
  case = GoldenTraceBuilder(session, agent_name="Math", initial_state={"precision": 2}).build()
  EvalSetWriter(path).append(case, agent_name="Math")

  def replaying_agent() -> LlmAgent:
    return math_agent.clone(update={"model": ReplayLlm(turns=recorded_model_turns(session))})

  assert await adk_eval(path, replaying_agent()) == (
    ["SUCCESS"],
    {TRAJECTORY: 1.0, RESPONSE_MATCH: 1.0},
  )

  # The same file with one argument changed: the evaluator must notice.
  data = read_json(path)
  data["eval_cases"][0]["conversation"][0]["intermediate_data"]["tool_uses"][1]["args"]["b"] = 5
  altered = tmp_path / "altered.evalset.json"
  altered.write_text(json.dumps(data), encoding="utf-8")
  EvalSet.model_validate_json(altered.read_text(encoding="utf-8"))

  _, scores = await adk_eval(altered, replaying_agent())

  assert scores[TRAJECTORY] is not None and scores[TRAJECTORY] < 1.0
  assert scores[RESPONSE_MATCH] == 1.0


async def test_error_frame_aborts_adk_eval_as_the_warning_says(
  math_agent: LlmAgent, tmp_path: Path
) -> None:
  session = await run_session(
    math_agent,
    [("1/0?", [calls(("divide", {"a": 1, "b": 0})), answer("You cannot divide by zero.")])],
  )
  path = tmp_path / "math_agent.evalset.json"
  case = GoldenTraceBuilder(session, agent_name="Math", initial_state={}).build()
  result = EvalSetWriter(path).append(case, agent_name="Math")
  assert len(result.warnings) == 1 and "aborts" in result.warnings[0]
  agent = math_agent.clone(update={"model": ReplayLlm(turns=recorded_model_turns(session))})

  statuses, _ = await adk_eval(path, agent)

  # The math agent has no on_tool_error_callback: the real divide raises again.
  assert statuses == ["FAILURE"]


async def test_adk_eval_cannot_send_a_recorded_confirmation_as_the_warning_says(
  tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
  from adk_simulator.engine.moves.play import Confirm
  from adk_simulator.engine.moves.play import DeliverResult
  from adk_simulator.engine.moves.play import UserMessage
  from adk_simulator.engine.runtime.turns import answer as final
  from adk_simulator.engine.runtime.turns import call

  for moves, kind in [
    (
      [
        UserMessage(message="Refund order 7."),
        call("refund", order_id="7", amount=12.5),
        Confirm(confirmed=True),
        final("Refunded."),
      ],
      "confirmation",
    ),
    (
      [
        UserMessage(message="Reimburse 200."),
        call("ask_manager", amount=200.0),
        final("Asked."),
        DeliverResult(tool="ask_manager", response={"status": "approved"}),
        final("Approved."),
      ],
      "long-running",
    ),
  ]:
    folder = tmp_path / kind
    folder.mkdir()
    session = await played_approvals(folder, moves)
    path = folder / "approvals.evalset.json"
    case = GoldenTraceBuilder(session, agent_name="Approvals", initial_state={}).build()
    warnings = EvalSetWriter(path).append(case, agent_name="Approvals").warnings
    assert len(warnings) == 1 and "Function call not found" in warnings[0], warnings
    monkeypatch.syspath_prepend(str(FIXTURES))
    agent = importlib.import_module("approvals_agent.agent").root_agent
    replaying = agent.clone(update={"model": ReplayLlm(turns=recorded_model_turns(session))})
    errors: list[str] = []

    statuses, _ = await adk_eval(path, replaying, errors=errors)

    # As the warning says: the answer carries the recorded id, the new run's call has another.
    assert statuses == ["FAILURE"], kind
    assert len(errors) == 1 and "Function call not found for function response ids" in errors[0]


async def played_approvals(folder: Path, moves: list) -> Session:
  from adk_simulator.engine.moves.play import play

  workspace, loaded = fixture_workspace(folder, "Approvals", "approvals_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)
  await play(simulation, moves)
  return await simulation.stored_session()
