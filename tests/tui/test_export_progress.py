"""The summary says what an export is doing while it runs, then what it wrote."""

from __future__ import annotations

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.completed import CompletedScreen


async def test_the_export_shows_its_stages(tui_workspace: WorkspaceFactory) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "Hi")
    await answer(pilot, "Hello.")
    screen = app.screen
    assert isinstance(screen, CompletedScreen)
    await pilot.press("e")
    await settle(pilot)
    assert screen.export_stages == [
      "reading the session",
      "building the eval case",
      "writing math.evalset.json (a new file)",
    ]
    assert "Exported" in screen_text(app) and "Exporting" not in screen_text(app)
