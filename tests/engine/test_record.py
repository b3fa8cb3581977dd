"""One record of what really ran: AgentTool inner runs, the agent's own model callbacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_agents import fixture_workspace
from google.adk.evaluation.eval_set import EvalSet

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import walk
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.replay.replayer import replay_session
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace

GUARDRAIL = "Guardrail: answer in one sentence."


WEATHER_MOVES = [
  UserMessage(message="What is the weather in Paris?"),
  call("weather_agent", request="Paris"),
  call("forecast", city="Paris"),
  answer("20 degrees in Paris."),
  answer("It is 20 degrees in Paris today."),
]


async def play_weather(workspace: Workspace, agent: LoadedAgent) -> Simulation:
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, WEATHER_MOVES)
  assert simulation.phase is Phase.COMPLETED
  return simulation


async def test_the_person_plays_the_agent_tool_agent_and_its_run_is_recorded(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("What is the weather in Paris?")
  await simulation.submit_turn(call("weather_agent", request="Paris"))
  inner = simulation.pending
  assert inner is not None and inner.agent_name == "weather_agent"
  assert inner.within_call is not None and inner.tool("forecast") is not None
  await simulation.submit_turn(call("forecast", city="Paris"))
  # While the AgentTool call runs, its inner run shows live.
  running = [e for e in simulation.history.entries if isinstance(e, InnerRun)]
  assert running and running[0].running
  assert [e.kind for e in running[0].entries] == ["tool_call", "tool_output"]
  await simulation.submit_turn(answer("20 degrees in Paris."))
  await simulation.submit_turn(answer("It is 20 degrees in Paris today."))
  history = simulation.history
  runs = [e for e in history.entries if isinstance(e, InnerRun)]
  assert len(runs) == 1 and not runs[0].running and runs[0].agent == "weather_agent"
  inner_kinds = [(e.kind, e.author) for e in runs[0].entries]
  assert inner_kinds == [
    ("tool_call", "weather_agent"),
    ("tool_output", "weather_agent"),
    ("final_response", "weather_agent"),
  ]
  output = runs[0].entries[1]
  assert isinstance(output, ToolOutput) and output.output == {"city": "Paris", "temp_c": 20}
  assert history.tool_calls == 2
  # The stored session reads back to the same history, inner run included.
  stored = await simulation.stored_session()
  assert read_events(stored.events) == history
  # Each model call the person answered carries its step, inner ones too.
  steps = [e.step for _, e in walk(history.entries) if isinstance(e, ToolCall | FinalResponse)]
  assert steps == [1, 2, 3, 4]


async def test_the_export_keeps_inner_calls_where_adk_eval_reads_them(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = await play_weather(workspace, agent)
  result = await simulation.export()
  case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[0]
  data = case.conversation[0].intermediate_data
  assert [u.name for u in data.tool_uses] == ["weather_agent"]  # type: ignore[union-attr]
  inner = data.intermediate_responses  # type: ignore[union-attr]
  assert [author for author, _ in inner] == ["weather_agent"] * 3
  assert inner[0][1][0].function_call.args == {"city": "Paris"}
  assert inner[1][1][0].function_response.response == {"city": "Paris", "temp_c": 20}
  assert inner[2][1][0].text == "20 degrees in Paris."
  assert any("scores the AgentTool call" in w for w in result.warnings)


async def test_replay_reruns_inner_steps_and_catches_a_drifted_inner_tool(
  tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = await play_weather(workspace, agent)
  stored = await simulation.stored_session()
  same = await replay_session(workspace.scratch_simulation(), agent, stored)
  assert same.outcome == "identical", same
  assert [s.tool_name for s in same.steps] == ["weather_agent", "forecast"]
  monkeypatch.setenv("CONCIERGE_TEMP_C", "25")
  drifted = await replay_session(workspace.scratch_simulation(), agent, stored)
  assert drifted.outcome == "differs"
  forecast = next(s for s in drifted.steps if s.tool_name == "forecast")
  assert forecast.outcome == "differs" and forecast.diff == ["$.temp_c: 20 → 25"]


async def test_the_agents_model_callbacks_run_around_the_person(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("Book a table at Chez Nous for 2")
  request = simulation.pending
  assert request is not None
  # The guardrail text the callback appended is in what the model sees.
  assert request.contents[-1]["parts"][0]["text"] == GUARDRAIL
  await simulation.submit_turn(call("book_table", restaurant="Chez Nous", people=2))
  await simulation.submit_turn(answer("Booked for 2 at Chez Nous."))
  stored = await simulation.stored_session()
  assert stored.state["before_model_calls"] == 2
  assert stored.state["after_model_calls"] == 2


async def test_a_before_model_callback_answers_instead_of_the_person(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("What are your opening hours?")
  assert simulation.pending is None and simulation.phase is Phase.COMPLETED
  final = simulation.history.entries[-1]
  assert isinstance(final, FinalResponse)
  assert final.text == "We are open from 9 to 5." and final.by == "callback" and final.step is None
  stored = await simulation.stored_session()
  assert read_events(stored.events).entries[-1] == final
  replayed = await replay_session(workspace.scratch_simulation(), agent, stored)
  assert replayed.outcome == "identical" and replayed.error is None


async def test_adk_evaluation_of_an_agent_tool_export_scores_one(tmp_path: Path):
  from google.adk.events.event import Event
  from google.adk.tools.agent_tool import AgentTool
  from test_adk_eval import RESPONSE_MATCH
  from test_adk_eval import TRAJECTORY
  from test_adk_eval import ReplayLlm
  from test_adk_eval import adk_eval
  from test_adk_eval import recorded_model_turns

  from adk_simulator.engine.record.notes import notes_of

  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = await play_weather(workspace, agent)
  result = await simulation.export()
  stored = await simulation.stored_session()
  # Each agent's model replays what the person answered for it: the root's
  # turns from the session, the inner agent's from the inner run's record.
  inner_events = next(
    note.inner_run.events
    for e in stored.events
    for note in notes_of(e).calls.values()
    if note.inner_run is not None
  )
  inner_session = stored.model_copy(
    update={"events": [Event.model_validate(e) for e in inner_events]}
  )
  root = agent.root_agent
  weather = root.tools[0].agent  # type: ignore[union-attr]
  replayed = root.clone(  # type: ignore[union-attr]
    update={
      "model": ReplayLlm(turns=recorded_model_turns(stored)),
      "tools": [
        AgentTool(
          agent=weather.clone(
            update={"model": ReplayLlm(turns=recorded_model_turns(inner_session))}
          )
        ),
        root.tools[1],  # type: ignore[union-attr]
      ],
    }
  )
  statuses, scores = await adk_eval(result.path, replayed)
  assert statuses == ["SUCCESS"]
  assert scores == {TRAJECTORY: 1.0, RESPONSE_MATCH: 1.0}
