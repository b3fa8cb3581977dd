"""Saved sessions: stored as they happen, listed, resumed, replayed, ADK JSON in and out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from google.adk.evaluation.eval_set import EvalSet
from google.adk.sessions.in_memory_session_service import InMemorySessionService
from google.genai import types

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.replay.replayer import ReplayProgress
from adk_simulator.engine.replay.replayer import json_diff
from adk_simulator.engine.replay.replayer import replay_many
from adk_simulator.engine.replay.replayer import replay_session
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel
from adk_simulator.engine.store.sessions import AlreadyImportedError
from adk_simulator.engine.store.sessions import SessionFileError
from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "agents"


def workspace_for(tmp_path: Path, name: str, agent: str, **extra) -> Workspace:
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name=name, agent=agent, eval_set_path=tmp_path / f"{name}.evalset.json", **extra
      )
    ],
    session_service_uri=f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}",
    base_dir=tmp_path,
  )
  return Workspace(config)


def loaded_agent(workspace: Workspace) -> LoadedAgent:
  loaded = workspace.load_agent(workspace.agents[0])
  assert isinstance(loaded, LoadedAgent), loaded
  return loaded


@pytest.fixture
def math(tmp_path: Path) -> tuple[Workspace, LoadedAgent]:
  workspace = workspace_for(
    tmp_path, "Math", str(REPO_ROOT / "agents" / "math_agent"), initial_state={"precision": 2}
  )
  return workspace, loaded_agent(workspace)


@pytest.fixture
def pricing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, LoadedAgent, Path]:
  prices = tmp_path / "prices.json"
  prices.write_text(json.dumps({"tea": 3, "cake": 4.5}), encoding="utf-8")
  monkeypatch.setenv("PRICING_FILE", str(prices))
  workspace = workspace_for(
    tmp_path, "Pricing", "pricing_agent.agent:root_agent", base_dir=FIXTURES
  )
  return workspace, loaded_agent(workspace), prices


async def record_math(workspace: Workspace, agent: LoadedAgent) -> Simulation:
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("What is 5*5+10?")
  await simulation.submit_turn(call("multiply", a=5, b=5))
  await simulation.submit_turn(parallel(("add", {"a": 25, "b": 10}), ("divide", {"a": 1, "b": 0})))
  await simulation.submit_turn(answer("35"))
  return simulation


async def test_listing_shows_status_counts_and_export(math):
  workspace, agent = math
  finished = await record_math(workspace, agent)
  unfinished = workspace.new_simulation()
  await unfinished.select_agent(agent)
  await unfinished.submit_query("Half done")
  await unfinished.submit_turn(call("add", a=1, b=1))
  store = SessionStore(workspace.session_service, [agent])
  rows = await store.list()
  assert [r.id for r in rows] == [unfinished.session_id, finished.session_id], "newest first"
  assert [r.status for r in rows] == ["in_progress", "completed"]
  assert (rows[1].turns, rows[1].tool_calls, rows[1].errors) == (1, 3, 1)
  assert rows[1].first_query == "What is 5*5+10?" and rows[1].agent == "Math"
  result = await finished.export()
  (row,) = [r for r in await store.list(agent="math") if r.id == finished.session_id]
  assert row.status == "exported"
  assert [(e.eval_set, e.eval_id) for e in row.exports] == [(str(result.path), result.eval_id)]
  await store.delete(unfinished.session_id)  # type: ignore[arg-type]
  assert [r.id for r in await store.list()] == [finished.session_id]


async def test_a_reopened_session_shows_the_same_history_and_exports_with_its_initial_state(math):
  workspace, agent = math
  recorded = await record_math(workspace, agent)
  store = SessionStore(workspace.session_service, [agent])
  stored = await store.find(recorded.session_id[:8])  # type: ignore[index]
  reopened = workspace.new_simulation()
  await reopened.open_session(stored.agent, stored.session)
  assert reopened.phase is Phase.COMPLETED
  assert reopened.history == recorded.history
  assert reopened.initial_state == {"precision": 2}
  result = await reopened.export()
  case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[0]
  assert case.session_input is not None and case.session_input.state == {"precision": 2}
  # Another user turn after the export: the model sees the whole conversation.
  reopened.continue_conversation()
  await reopened.submit_query("And doubled?")
  assert reopened.pending is not None
  assert [c["role"] for c in reopened.pending.contents] == [
    "user",
    "model",
    "user",
    "model",
    "user",
    "model",
    "user",
  ]


KILLED_SESSION = textwrap.dedent(
  """
  import asyncio, sys
  from adk_simulator.engine.config.model import SimulatedAgentConfig, SimulatorConfig
  from adk_simulator.engine.workspace import Workspace
  from adk_simulator.engine.runtime.turns import call

  async def main():
    config = SimulatorConfig(
      agents=[SimulatedAgentConfig(name="Math", agent=sys.argv[1], eval_set_path=sys.argv[2])],
      session_service_uri=sys.argv[3],
    )
    workspace = Workspace(config)
    simulation = workspace.new_simulation()
    await simulation.select_agent(workspace.load_agent(config.agents[0]))
    await simulation.submit_query("What is 5*5+10?")
    await simulation.submit_turn(call("multiply", a=5, b=5))
    print(simulation.session_id, flush=True)
    await asyncio.Event().wait()  # the person thinks; the process is killed

  asyncio.run(main())
  """
)


async def test_sigkill_mid_session_loses_nothing_and_the_session_resumes(math, tmp_path):
  workspace, agent = math
  process = subprocess.Popen(
    [
      sys.executable,
      "-c",
      KILLED_SESSION,
      str(REPO_ROOT / "agents" / "math_agent"),
      str(tmp_path / "Math.evalset.json"),
      workspace.config.session_service_uri,
    ],
    stdout=subprocess.PIPE,
    text=True,
    env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
  )
  assert process.stdout is not None
  session_id = process.stdout.readline().strip()
  process.send_signal(signal.SIGKILL)
  assert process.wait(timeout=30) == -signal.SIGKILL
  store = SessionStore(workspace.session_service, [agent])
  (row,) = await store.list()
  assert (row.id, row.status, row.tool_calls) == (session_id, "in_progress", 1)
  stored = await store.find(session_id)
  resumed = workspace.new_simulation()
  await resumed.open_session(stored.agent, stored.session)
  assert resumed.phase is Phase.ACTIVE and resumed.pending is not None
  kinds = [type(e) for e in resumed.history.entries]
  assert kinds == [UserQuery, ToolCall, ToolOutput], "history intact up to the last step"
  assert len(resumed.pending.contents) == 3, "the model is asked again with everything so far"
  await resumed.submit_turn(call("add", a=25, b=10))
  await resumed.submit_turn(answer("35"))
  assert resumed.phase is Phase.COMPLETED
  result = await resumed.export()
  case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[0]
  tool_uses = case.conversation[0].intermediate_data.tool_uses  # type: ignore[union-attr]
  assert [(u.name, u.args) for u in tool_uses] == [
    ("multiply", {"a": 5, "b": 5}),
    ("add", {"a": 25, "b": 10}),
  ]


async def record_pricing(workspace: Workspace, agent: LoadedAgent) -> Simulation:
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("How much are tea and cake?")
  await simulation.submit_turn(parallel(("price", {"item": "tea"}), ("price", {"item": "cake"})))
  await simulation.submit_turn(call("catalogue"))
  await simulation.submit_turn(call("price", item="scone"))
  await simulation.submit_turn(answer("Tea 3, cake 4.5; no scones."))
  return simulation


async def replay(agent: LoadedAgent, recorded: Simulation):
  session = await recorded.stored_session()
  return await replay_session(Simulation(InMemorySessionService()), agent, session)


async def test_replay_against_unchanged_tools_is_identical(pricing):
  workspace, agent, _ = pricing
  report = await replay(agent, await record_pricing(workspace, agent))
  assert report.outcome == "identical", report
  assert [(s.tool_name, s.outcome) for s in report.steps] == [
    ("price", "identical"),
    ("price", "identical"),
    ("catalogue", "identical"),
    ("price", "identical"),
  ]


async def test_replay_shows_where_outputs_drifted(pricing):
  workspace, agent, prices = pricing
  recorded = await record_pricing(workspace, agent)
  prices.write_text(json.dumps({"tea": 3, "cake": 5, "scone": 2}), encoding="utf-8")
  report = await replay(agent, recorded)
  assert report.outcome == "differs"
  outcomes = [(s.tool_name, s.outcome) for s in report.steps]
  assert outcomes == [
    ("price", "identical"),
    ("price", "differs"),
    ("catalogue", "differs"),
    ("price", "fails_differently"),
  ]
  assert report.steps[1].diff == ["$.price: 4.5 → 5"]
  assert report.steps[2].diff == ["$.items.cake: 4.5 → 5", "$.items.scone: only in the replay (2)"]
  assert report.steps[3].diff[0] == "recorded KeyError: \"no price for 'scone'\""


async def test_replay_compares_errors_by_type_and_message(pricing):
  workspace, agent, prices = pricing
  recorded = await record_pricing(workspace, agent)
  prices.write_text("{not json", encoding="utf-8")
  report = await replay(agent, recorded)
  assert report.outcome == "differs"
  last = report.steps[-1]
  assert last.outcome == "differs", "an error then, another error now"
  assert last.replayed is not None and last.replayed.error_type == "JSONDecodeError"


async def test_replay_fails_when_the_agent_no_longer_offers_the_tool(pricing, math):
  workspace, agent, _ = pricing
  recorded = await record_pricing(workspace, agent)
  session = await recorded.stored_session()
  _, math_agent = math
  report = await replay_session(Simulation(InMemorySessionService()), math_agent, session)
  assert report.outcome == "failed"
  assert report.error is not None and "unknown tool" in report.error
  assert report.steps[0].outcome == "not_run"


async def test_batch_replay_with_concurrency(pricing):
  workspace, agent, prices = pricing
  recordings = [await record_pricing(workspace, agent) for _ in range(4)]
  sessions = [await r.stored_session() for r in recordings]
  scratch = InMemorySessionService()
  seen = []
  reports = await replay_many(
    [(agent, s) for s in sessions],
    lambda: Simulation(scratch),
    concurrency=3,
    on_report=seen.append,
  )
  assert [r.session_id for r in reports] == [s.id for s in sessions]
  assert {r.outcome for r in reports} == {"identical"} and len(seen) == 4


async def test_replay_reports_each_move_as_it_starts(pricing):
  workspace, agent, _ = pricing
  session = await (await record_pricing(workspace, agent)).stored_session()
  seen: list[ReplayProgress] = []
  await replay_session(
    Simulation(InMemorySessionService()), agent, session, on_progress=seen.append
  )
  assert [(p.move, p.moves, p.doing, p.steps, p.calls) for p in seen] == [
    (1, 5, "user", 0, 4),
    (2, 5, "calls price, price", 0, 4),
    (3, 5, "call catalogue", 2, 4),
    (4, 5, "call price", 3, 4),
    (5, 5, "respond", 4, 4),
  ]
  assert {p.session_id for p in seen} == {session.id}
  assert seen[2].describe() == "move 3 of 5 (call catalogue) · 2 of 4 steps compared"


def test_json_diff_reports_paths():
  assert json_diff({"a": [1, 2], "b": 1}, {"a": [1, 3, 4], "c": 1}) == [
    "$.a[1]: 2 → 3",
    "$.a: 2 items recorded, 3 now",
    "$.b: only in the recording (1)",
    "$.c: only in the replay (1)",
  ]
  assert json_diff({"n": 1}, {"n": 1.0}) == ["$.n: 1 → 1.0"], "types count: 1 is not 1.0"


async def test_export_import_round_trip_is_equal(math, tmp_path):
  workspace, agent = math
  recorded = await record_math(workspace, agent)
  store = SessionStore(workspace.session_service, [agent])
  first = await store.write_json(recorded.session_id, tmp_path / "a.session.json")  # type: ignore[arg-type]
  with pytest.raises(SessionFileError, match="already exists"):
    await store.write_json(recorded.session_id, first)  # type: ignore[arg-type]
  other = SessionStore(InMemorySessionService(), [agent])
  imported = await other.import_json(first)
  assert imported.session.id == recorded.session_id
  second = await other.write_json(imported.session.id, tmp_path / "b.session.json")
  assert json.loads(first.read_text()) == json.loads(second.read_text())
  # Importing the same file again says so, and neither replaces nor copies what is stored.
  with pytest.raises(
    AlreadyImportedError, match=f"already in the store as session {imported.session.id}"
  ):
    await other.import_json(first)
  assert len(await other.list()) == 1
  # Into the store it was exported from: it is there already.
  with pytest.raises(AlreadyImportedError, match="nothing was imported"):
    await store.import_json(first)
  assert len(await store.list()) == 1


async def test_a_file_whose_id_is_taken_by_another_session_imports_once_under_a_new_id(
  math, tmp_path
):
  workspace, agent = math
  recorded = await record_math(workspace, agent)
  store = SessionStore(workspace.session_service, [agent])
  path = await store.write_json(recorded.session_id, tmp_path / "a.session.json")  # type: ignore[arg-type]
  # Another session under the same id: the file's events are not in it.
  data = json.loads(path.read_text(encoding="utf-8"))
  for number, event in enumerate(data["events"]):
    event["id"] = f"other-{number}"
  (tmp_path / "b.session.json").write_text(json.dumps(data), encoding="utf-8")
  imported = await store.import_json(tmp_path / "b.session.json")
  assert imported.session.id != recorded.session_id
  with pytest.raises(AlreadyImportedError, match=imported.session.id):
    await store.import_json(tmp_path / "b.session.json")
  assert sorted(r.id for r in await store.list()) == sorted(
    [recorded.session_id, imported.session.id]
  )


async def test_a_session_saved_by_adk_run_imports_and_exports_as_a_golden_trace(math, tmp_path):
  """A session made by ADK alone (no simulator), saved the way `adk run --save_session` does."""
  from google.adk.apps import App
  from google.adk.events._internal_metadata import public_session
  from google.adk.models.llm_response import LlmResponse
  from google.adk.plugins.base_plugin import BasePlugin
  from google.adk.runners import Runner

  workspace, agent = math
  turns = [
    [types.Part.from_function_call(name="add", args={"a": 2, "b": 3})],
    [types.Part.from_text(text="5")],
  ]

  class ScriptedModel(BasePlugin):
    def __init__(self) -> None:
      super().__init__(name="scripted_model")

    async def before_model_callback(self, *, callback_context, llm_request):
      return LlmResponse(content=types.Content(role="model", parts=turns.pop(0)))

  service = InMemorySessionService()
  runner = Runner(
    app=App(name="math_agent", root_agent=agent.root_agent, plugins=[ScriptedModel()]),
    session_service=service,
  )
  session = await service.create_session(
    app_name="math_agent", user_id="dev", state={"precision": 3}
  )
  message = types.Content(role="user", parts=[types.Part(text="2+3?")])
  async for _ in runner.run_async(user_id="dev", session_id=session.id, new_message=message):
    pass
  saved = await service.get_session(app_name="math_agent", user_id="dev", session_id=session.id)
  assert saved is not None
  path = tmp_path / f"{session.id}.session.json"
  path.write_text(public_session(saved).model_dump_json(indent=2, exclude_none=True, by_alias=True))

  store = SessionStore(workspace.session_service, [agent])
  imported = await store.import_json(path)
  assert imported.summary.status == "completed" and imported.summary.tool_calls == 1
  assert read_events(imported.session.events).entries[-1].kind == "final_response"
  simulation = workspace.new_simulation()
  await simulation.open_session(imported.agent, imported.session)
  result = await simulation.export()
  case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[0]
  assert case.session_input is not None and case.session_input.user_id == "dev"
  assert case.session_input.state == {"precision": 3}, (
    "no event changed it, so it is the initial state"
  )
  assert case.conversation[0].final_response.parts[0].text == "5"  # type: ignore[union-attr,index]


async def test_importing_a_file_that_is_not_a_session_names_the_file(math, tmp_path):
  workspace, agent = math
  store = SessionStore(workspace.session_service, [agent])
  bad = tmp_path / "bad.session.json"
  bad.write_text('{"events": 3}')
  with pytest.raises(SessionFileError, match="bad.session.json: not an ADK saved session"):
    await store.import_json(bad)
  unknown = tmp_path / "other.session.json"
  unknown.write_text(json.dumps({"id": "x", "appName": "weather", "userId": "u"}))
  with pytest.raises(SessionFileError, match="its app 'weather' is none of the configured agents"):
    await store.import_json(unknown)
  assert await store.list() == []


def test_ignored_paths_are_not_compared():
  from adk_simulator.engine.replay.replayer import ignored_paths

  recorded = {"id": 13, "at": "10:00", "items": [{"id": 1, "n": 2}], "total": 5}
  replayed = {"id": 14, "at": "10:05", "items": [{"id": 9, "n": 2}], "total": 6, "new": 1}
  skip = ignored_paths(["$.id", "$.at", "$.items[*].id", "$.new"])
  assert json_diff(recorded, replayed, ignore=skip) == ["$.total: 5 → 6"]
  assert ignored_paths(["$.items"])("$.items"), "a whole subtree"
  assert not ignored_paths(["$.items[*].id"])("$.items[0].name")


async def test_replay_with_ignored_paths_is_identical_despite_new_values(pricing):
  workspace, agent, prices = pricing
  recorded = await record_pricing(workspace, agent)
  prices.write_text(json.dumps({"tea": 3, "cake": 5}), encoding="utf-8")
  session = await recorded.stored_session()
  report = await replay_session(
    Simulation(InMemorySessionService()), agent, session, ignore=["$.price", "$.items.cake"]
  )
  assert report.outcome == "identical", [s.diff for s in report.steps]
