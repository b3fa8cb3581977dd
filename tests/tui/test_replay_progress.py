"""The replay view says which move of how many runs now, and how many steps are compared.

`scrapbook_agent`'s `copy_file` waits for a file: with the file taken away, the
replay waits at that move until the test writes it again.
"""

from __future__ import annotations

from pathlib import Path

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.replay_view import ReplayViewScreen

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "scrapbook_agent"


async def test_the_replay_shows_the_move_it_is_at(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  gate = tmp_path / "gate.txt"
  gate.write_text("hello", encoding="utf-8")
  workspace = tui_workspace(extra={"Notebook": {"agent": NOTEBOOK}})
  app = SimulatorApp(workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Copy it.")
    await call_tool(pilot, "remember", "a", "1")
    await call_tool(pilot, "copy_file", str(gate), "copied")
    await answer(pilot, "Copied.")
    simulation = app.simulation
    assert simulation is not None and simulation.session_id is not None
    store = workspace.session_store([simulation.agent])
    stored = await store.find(simulation.session_id)

    gate.unlink()
    screen = ReplayViewScreen(stored)
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.progress is not None and screen.progress.move == 3)
    await wait_until(pilot, lambda: len(screen.steps) == 1)
    assert "Replaying move 3 of 4 (call copy_file) · 1 of 2 steps compared…" in screen_text(app)

    gate.write_text("hello", encoding="utf-8")
    await wait_until(pilot, lambda: screen.report is not None)
    await settle(pilot)
    assert screen.report is not None and screen.report.outcome == "identical"
    assert "✓ Identical: every tool returned what was recorded (2 steps)." in screen_text(app)
