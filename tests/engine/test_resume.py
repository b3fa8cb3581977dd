"""Resuming a stopped session: where it stopped, named; the time played without the gap.

`scrapbook_agent`'s `copy_file` waits for a file the test writes, so a session
can be stopped while it runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fixture_agents import fixture_workspace
from google.adk.events.event import Event
from google.genai import types

from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.notes import Notes
from adk_simulator.engine.record.notes import ResumeRecord
from adk_simulator.engine.record.notes import SessionStart
from adk_simulator.engine.record.notes import is_metadata_event
from adk_simulator.engine.record.notes import metadata_event
from adk_simulator.engine.record.notes import notes_of
from adk_simulator.engine.record.resume import Interruption
from adk_simulator.engine.record.resume import interruption
from adk_simulator.engine.record.resume import played_seconds
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel


async def stopped_while_running(tmp_path: Path) -> Simulation:
  """A session stopped while `copy_file` ran, at model call 2."""
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, [UserMessage(message="hi"), call("remember", key="a", value="1")])
  gate = tmp_path / "gate.txt"
  turn = parallel(
    ("copy_file", {"path": str(gate), "key": "k"}), ("copy_file", {"path": str(gate), "key": "j"})
  )
  task = asyncio.create_task(simulation.submit_turn(turn))
  while len(simulation.running_tools) < 2:
    await asyncio.sleep(0.01)
  await simulation.abandon()
  await task
  gate.write_text("x", encoding="utf-8")
  return simulation


async def reopen(tmp_path: Path, simulation: Simulation) -> Simulation:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  reopened = workspace.new_simulation()
  await reopened.open_session(agent, await simulation.stored_session())
  return reopened


async def test_a_session_stopped_while_tools_ran_names_them(tmp_path: Path) -> None:
  simulation = await stopped_while_running(tmp_path)
  assert interruption(simulation.history) == Interruption(
    kind="tool_call", step=2, tools=["copy_file", "copy_file"], agent="scrapbook_agent"
  )
  reopened = await reopen(tmp_path, simulation)
  stopped = reopened.resumed_from
  assert stopped is not None and stopped.kind == "tool_call" and stopped.step == 2
  assert "while copy_file, copy_file ran (in parallel)" in stopped.describe()
  # Resumed where it stopped: the calls ran again, the next model call is 3.
  assert reopened.phase is Phase.ACTIVE
  assert reopened.pending is not None and reopened.pending.step == stopped.next_step == 3
  await reopened.abandon()


async def test_a_session_stopped_with_a_model_call_unanswered_names_it(tmp_path: Path) -> None:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, [UserMessage(message="hi"), call("remember", key="a", value="1")])
  assert simulation.pending is not None and simulation.pending.step == 2
  await simulation.abandon()
  assert interruption(simulation.history) == Interruption(
    kind="model_call", step=2, agent="scrapbook_agent"
  )
  reopened = await reopen(tmp_path, simulation)
  assert reopened.resumed_from is not None
  assert reopened.resumed_from.describe() == (
    "It stopped with model call 2 of scrapbook_agent unanswered: resuming asks it again."
  )
  assert reopened.pending is not None and reopened.pending.step == 2
  await reopened.abandon()


async def test_a_finished_session_has_no_interruption_and_opening_it_writes_nothing(
  tmp_path: Path,
) -> None:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, [UserMessage(message="hi"), answer("Hello.")])
  assert interruption(simulation.history) is None
  stored = await simulation.stored_session()
  reopened = await reopen(tmp_path, simulation)
  assert reopened.phase is Phase.COMPLETED and reopened.resumed_from is None
  assert len((await reopened.stored_session()).events) == len(stored.events)
  # Continuing it runs on: the gap since it was opened is marked once.
  reopened.continue_conversation()
  await reopened.submit_query("Again?")
  events = (await reopened.stored_session()).events
  assert sum(notes_of(e).resumed is not None for e in events) == 1


async def test_resuming_marks_the_gap_and_played_time_leaves_it_out(tmp_path: Path) -> None:
  simulation = await stopped_while_running(tmp_path)
  before = list((await simulation.stored_session()).events)
  reopened = await reopen(tmp_path, simulation)
  await play(reopened, [answer("Done.")])
  events = (await reopened.stored_session()).events
  markers = [i for i, e in enumerate(events) if notes_of(e).resumed is not None]
  assert markers == [len(before)]
  run = [e.timestamp for e in before if not is_metadata_event(e)]
  after = [e.timestamp for e in events[markers[0] + 1 :] if not is_metadata_event(e)]
  expected = (run[-1] - run[0]) + (after[-1] - events[markers[0]].timestamp)
  assert played_seconds(events) == expected
  # The answer's event is stamped when the model was asked; the run's end comes after.
  assert not (events[-1].content and events[-1].content.parts)


def _event(at: float, text: str | None = None) -> Event:
  content = types.Content(role="user", parts=[types.Part(text=text)]) if text else None
  return Event(author="user", invocation_id="i", content=content, timestamp=at)


def test_played_time_counts_each_stretch_the_app_ran() -> None:
  resumed = metadata_event(Notes(resumed=ResumeRecord(at=5000.0)))
  resumed.timestamp = 5000.0
  events = [
    _event(100.0, "hi"),
    _event(130.0, "call"),  # the app stops here, for more than an hour
    resumed,
    _event(5010.0, "result"),
    _event(5025.0, "answer"),
  ]
  assert played_seconds(events) == 30.0 + 25.0
  # Only the simulator's own notes: nothing was played.
  assert played_seconds([metadata_event(Notes(session=SessionStart(agent="A")))]) is None
  assert played_seconds([]) is None


async def test_an_export_says_what_it_does(tmp_path: Path) -> None:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  stages: list[str] = []
  for query in ("one", "two"):
    simulation = workspace.new_simulation()
    await simulation.select_agent(agent)
    await play(simulation, [UserMessage(message=query), answer("ok")])
    path = agent.eval_set_path
    size = path.stat().st_size if path.exists() else None
    stages.clear()
    await simulation.export(on_stage=stages.append)
    assert stages[:2] == ["reading the session", "building the eval case"]
    if size is None:
      assert stages[2] == "writing notebook.evalset.json (a new file)"
    else:
      shown = f"{size} bytes" if size < 1000 else f"{size / 1000:.1f} KB"
      assert stages[2] == f"writing notebook.evalset.json ({shown})"
