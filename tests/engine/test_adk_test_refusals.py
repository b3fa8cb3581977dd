"""What `adk test` cannot replay is refused with the precise reason (no runner needed here)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixture_agents import fixture_workspace

from adk_simulator.engine.export.adk_test import AdkTestRefusal
from adk_simulator.engine.export.adk_test import adk_test_file
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_a_callback_answer_and_an_agent_tool_run_are_refused(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Concierge", "concierge_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("What are your opening hours?")  # the callback answers
  simulation.continue_conversation()
  await simulation.submit_query("Weather in Paris?")
  await simulation.submit_turn(call("weather_agent", request="Paris"))
  await simulation.submit_turn(call("forecast", city="Paris"))  # the inner agent's turn
  await simulation.submit_turn(answer("20 degrees."))
  await simulation.submit_turn(answer("It is 20 degrees in Paris."))
  with pytest.raises(AdkTestRefusal) as refused:
    adk_test_file(await simulation.stored_session(), agent)
  reasons = refused.value.reasons
  assert any(
    r.startswith("a model call of `concierge` was answered by a callback, not the model")
    for r in reasons
  ), reasons
  assert any("ran agent `weather_agent` as an AgentTool" in r for r in reasons), reasons
  assert str(refused.value).startswith(
    f"session {simulation.session_id} cannot be replayed by `adk test`, so no file was written:"
  )


async def test_an_unfinished_session_is_refused_and_a_finished_one_is_the_runner_s_shape(
  tmp_path: Path,
):
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "notebook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("Remember milk")
  await simulation.submit_turn(call("write_note", text="milk"))
  with pytest.raises(AdkTestRefusal, match="does not end with the agent's final response"):
    adk_test_file(await simulation.stored_session(), agent)
  await simulation.submit_turn(answer("Noted."))
  await simulation.export()  # a content-less note on the session: not in the file
  text, warnings = adk_test_file(await simulation.stored_session(), agent)
  assert warnings == []
  data = json.loads(text)
  assert data["state"] == {"notes": ["milk"], "user:notes_written": 1}, "no temp: keys"
  events = data["events"]
  assert [e["id"] for e in events] == [f"e-{n}" for n in range(1, len(events) + 1)]
  assert {e["invocationId"] for e in events} == {"i-1"}
  assert events[0]["author"] == "user" and events[0]["content"]["parts"] == [
    {"text": "Remember milk"}
  ]
  assert not any("customMetadata" in e or "timestamp" in e for e in events)
  delta = next(e["actions"]["stateDelta"] for e in events if "stateDelta" in e.get("actions", {}))
  assert "temp:last_note" not in delta and delta["notes"] == ["milk"]
  assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


async def test_an_agent_with_replay_ignore_gets_a_warning(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Math", REPO_ROOT / "agents" / "math_agent")
  agent = dataclasses.replace(
    agent, config=agent.config.model_copy(update={"replay_ignore": ["$.id"]})
  )
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("2+2?")
  await simulation.submit_turn(call("add", a=2, b=2))
  await simulation.submit_turn(answer("4"))
  _, warnings = adk_test_file(await simulation.stored_session(), agent)
  assert len(warnings) == 1 and "replay_ignore ($.id)" in warnings[0]
