"""Snapshots of the state and artifacts panel, with the clock frozen.

Review every change to the SVGs under `__snapshots__/` before accepting it
(`uv run pytest tests/tui/test_snapshots_state_panel.py --snapshot-update`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from tui_helpers import WorkspaceFactory
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import stop_blinking
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.widgets.state_panel import StatePanel

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "scrapbook_agent"


def _app(tui_workspace: WorkspaceFactory) -> SimulatorApp:
  agent = {"agent": NOTEBOOK, "initial_state": {"colour": "blue"}}
  return SimulatorApp(tui_workspace(extra={"Notebook": agent}), clock=FrozenClock(1.0))


async def _played(pilot: Pilot[Any]) -> None:
  await pick_agent(pilot, "Notebook")
  await send_query(pilot, "Keep my notes.")
  await call_tool(pilot, "remember", "colour", "red")
  await call_tool(pilot, "write_page", "notes.md", "# Notes")
  await pilot.press("s")
  panel = pilot.app.screen.query_one(StatePanel)
  await wait_until(pilot, lambda: panel.view is not None and panel.view.step == 2)
  stop_blinking(pilot)
  await settle(pilot)


def test_state_panel_beside_the_timeline(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  assert snap_compare(_app(tui_workspace), terminal_size=(120, 40), run_before=_played)


def test_state_panel_at_80_by_24_in_a_light_theme(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    pilot.app.theme = "textual-light"
    await _played(pilot)

  assert snap_compare(_app(tui_workspace), terminal_size=(80, 24), run_before=run_before)
