"""Snapshots of the app's screens, with the clock frozen.

Review every change to the SVGs under `__snapshots__/` before accepting it
(`uv run pytest tests/tui/test_snapshots_app.py --snapshot-update`).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import stop_blinking
from tui_helpers import type_text

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock


def _app(tui_workspace: WorkspaceFactory, *names: str) -> SimulatorApp:
  return SimulatorApp(tui_workspace(*names), clock=FrozenClock(1.0))


def test_agent_picker(snap_compare: Any, tui_workspace: WorkspaceFactory) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await settle(pilot)

  app = _app(tui_workspace, "Math", "Helpdesk", "Quote")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_query_screen_with_initial_state(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Helpdesk")
    await type_text(pilot, "My order is late.")
    stop_blinking(pilot)

  app = _app(tui_workspace, "Helpdesk")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_active_screen_after_a_tool_call(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "5*5?")
    await call_tool(pilot, "mul", "5", "5")
    stop_blinking(pilot)

  app = _app(tui_workspace, "Math")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_active_screen_at_80_by_24(snap_compare: Any, tui_workspace: WorkspaceFactory) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "1/0?")
    await call_tool(pilot, "div", "1", "0")
    stop_blinking(pilot)
    await settle(pilot)  # the footer shows the focused entry's keys once it has refreshed

  app = _app(tui_workspace, "Math")
  assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_completed_screen(snap_compare: Any, tui_workspace: WorkspaceFactory) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2+3?")
    await call_tool(pilot, "add", "2", "3")
    await answer(pilot, "2 plus 3 is 5.")

  app = _app(tui_workspace, "Math")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_help_screen(snap_compare: Any, tui_workspace: WorkspaceFactory) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)

  app = _app(tui_workspace, "Math")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_completed_screen_in_a_light_theme(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    pilot.app.theme = "textual-light"
    await pick_agent(pilot, "Math")
    await send_query(pilot, "1/0?")
    await call_tool(pilot, "div", "1", "0")
    await answer(pilot, "Undefined.")

  app = _app(tui_workspace, "Math")
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
