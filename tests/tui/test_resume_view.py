"""Resuming in the app: the saved session and the session name where it stopped.

`scrapbook_agent`'s `copy_file` waits for a file the test writes, so the
session can be left while the call runs.
"""

from __future__ import annotations

from pathlib import Path

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.preview import format_seconds
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.session_view import SessionViewScreen

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "scrapbook_agent"


async def test_a_session_left_while_a_tool_ran_resumes_naming_it(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  gate = tmp_path / "gate.txt"
  app = SimulatorApp(tui_workspace(extra={"Notebook": {"agent": NOTEBOOK}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Copy a file.")
    await call_tool(pilot, "remember", "a", "1")
    await pilot.press("t")
    await settle(pilot)
    await pick_tool(pilot, "copy_file", str(gate), "copied")
    await pilot.press("ctrl+s")
    simulation = app.simulation
    assert simulation is not None
    await wait_until(pilot, lambda: bool(simulation.running_tools))
    await pilot.press("b", "y")  # leave while copy_file runs; the session stays stored
    await settle(pilot)

    await pilot.press("s")
    await settle(pilot)
    await wait_until(pilot, lambda: "Notebook" in screen_text(app))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)
    text = screen_text(app)
    assert "It stopped while copy_file ran (called at model call 2)" in text
    from adk_simulator.engine.record.resume import played_seconds

    stopped_at = played_seconds(app.screen.stored.session.events)
    assert f"played {format_seconds(stopped_at)}" in text

    gate.write_text("hello", encoding="utf-8")
    await pilot.press("r", "y")  # the one left is not exported: leave it
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    resumed = app.simulation
    assert resumed is not None and resumed is not simulation
    text = screen_text(app)
    assert "Resumed. It stopped while copy_file ran" in text
    assert "scrapbook_agent asks (model call 3)" in text
    assert "model call 3" in text and "Your move" in text

    await call_tool(pilot, "remember", "b", "2")
    assert "Resumed." not in screen_text(app)  # past where it stopped
    await answer(pilot, "Done.")
    assert isinstance(app.screen, CompletedScreen)
    played = resumed.played_seconds
    events = [e.timestamp for e in resumed.events if e.content and e.content.parts]
    assert played is not None and played < events[-1] - events[0]
    assert f"Time: {format_seconds(played)}" in screen_text(app)
