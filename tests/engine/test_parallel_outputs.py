"""Parallel calls: each output shows as its call ends; the record stays what ADK stored.

ADK runs the calls of a parallel turn together and stores their responses in
one event when the slowest ends. `scrapbook_agent`'s `copy_file` ends when the
test writes the file it waits for, so the test decides which call is slow.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fixture_agents import fixture_workspace

from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.turns import parallel


async def until(condition, *, timeout: float = 30.0) -> None:
  loop = asyncio.get_running_loop()
  deadline = loop.time() + timeout
  while not condition():
    assert loop.time() < deadline, f"still false after {timeout} s"
    await asyncio.sleep(0.01)


async def test_a_finished_call_shows_before_the_slowest_ends(tmp_path: Path) -> None:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, [UserMessage(message="Two things at once.")])
  gate = tmp_path / "gate.txt"
  turn = parallel(
    ("copy_file", {"path": str(gate), "key": "copied"}),
    ("remember", {"key": "colour", "value": "red"}),
  )
  task = asyncio.create_task(simulation.submit_turn(turn))

  def live_outputs() -> list[str]:
    return [e.tool_name for e in simulation.live_history.entries if isinstance(e, ToolOutput)]

  await until(lambda: live_outputs() == ["remember"])
  assert [t.tool_name for t in simulation.running_tools] == ["copy_file"]
  # The record has no response yet: ADK stores them together.
  assert not [e for e in simulation.history.entries if isinstance(e, ToolOutput)]
  live = [e for e in simulation.live_history.entries if isinstance(e, ToolOutput)]
  assert live[0].output == {"remembered": "colour"} and live[0].duration_s is not None

  gate.write_text("hello", encoding="utf-8")
  await task
  history = simulation.history
  assert simulation.live_history.entries == history.entries
  outputs = [e for e in history.entries if isinstance(e, ToolOutput)]
  # As ADK stored them: in call order, in one event.
  assert [e.tool_name for e in outputs] == ["copy_file", "remember"]
  assert len({e.event_id for e in outputs}) == 1
  calls = [e for e in history.entries if isinstance(e, ToolCall)]
  assert [e.tool_name for e in calls] == ["copy_file", "remember"]
  assert outputs[0].output == {"copied": str(gate), "into": "copied"}
  stored = await simulation.stored_session()
  assert stored.state["copied"] == "hello" and stored.state["colour"] == "red"
