"""The app keeps answering while tools block, outputs are huge and sessions are long."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text
from tui_helpers import wait_until

from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.turns import parallel
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.value_viewer import BRANCH_PAGE
from adk_simulator.tui.screens.value_viewer import ValueScreen
from adk_simulator.tui.screens.value_viewer import ValueTree
from adk_simulator.tui.widgets.status import SessionStatus
from adk_simulator.tui.widgets.timeline import PREVIEW_LINES
from adk_simulator.tui.widgets.timeline import EarlierEntries
from adk_simulator.tui.widgets.timeline import Timeline
from adk_simulator.tui.widgets.timeline import TimelineEntry

BULK_AGENT = '''
from google.adk.agents import Agent


def export_rows(megabytes: int) -> dict:
  """Exports about `megabytes` megabytes of customer rows."""
  count = megabytes * 1_000_000 // 120
  return {"rows": [{"id": i, "name": "x" * 80, "tags": ["a", "b", "c"]} for i in range(count)]}


root_agent = Agent(
  name="bulk_agent", model="gemini-2.5-flash", instruction="Export.", tools=[export_rows]
)
'''


NEVER_STUCK_S = 15.0
"""The longest the app may go without answering in a test: far beyond the tenths of a
second it takes, so a busy machine cannot fail it; the benchmarks measure speed."""


class GapMeter:
  """The longest wait between ticks of an app timer: how long the app was not answering."""

  def __init__(self, pilot: Pilot[Any], interval: float = 0.05) -> None:
    self._last = time.perf_counter()
    self.longest = 0.0
    self.ticks = 0
    pilot.app.set_interval(interval, self._tick)

  def _tick(self) -> None:
    now = time.perf_counter()
    self.longest = max(self.longest, now - self._last)
    self._last = now
    self.ticks += 1

  def restart(self) -> None:
    self._last = time.perf_counter()
    self.longest = 0.0


async def test_a_blocking_tool_leaves_the_app_responsive_and_can_be_cancelled(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    await send_query(pilot, "Check ticket 1")
    await pilot.press("t")
    await settle(pilot)
    await type_text(pilot, "diag")
    await pilot.press("enter")
    await settle(pilot)
    await type_text(pilot, "1")
    await pilot.press("tab", "ctrl+u")  # clear the default of `seconds`
    await type_text(pilot, "8")
    await pilot.press("ctrl+s")  # run_diagnostics sleeps on its thread for 8 s
    simulation = app.simulation
    assert simulation is not None
    await wait_until(pilot, lambda: bool(simulation.running_tools))
    assert isinstance(app.screen, ActiveScreen)

    # While the tool's thread sleeps, the status ticker ticks and keys are handled.
    status = app.screen.query_one(SessionStatus)
    ticks = status.ticks
    await wait_until(pilot, lambda: status.ticks >= ticks + 5)
    await pilot.press("m")
    assert app.screen.has_class("-model-toggled")
    assert [tool.tool_name for tool in simulation.running_tools] == ["run_diagnostics"]
    assert "Running run_diagnostics" in screen_text(app)

    await pilot.press("escape")  # cancel the call: the model sees an error
    await settle(pilot)
    assert not simulation.running_tools
    entry = app.screen.query_one(Timeline).entries[-1].entry
    assert isinstance(entry, ToolError) and entry.cancelled
    # The timeline names the error as the stored response (and so the export) does.
    stored = simulation.events[-1].content
    assert stored is not None and stored.parts
    response = [p.function_response for p in stored.parts if p.function_response]
    assert response and response[0].response
    assert response[0].response["error"]["type"] == "ToolCancelledError"
    text = screen_text(app)
    assert "run_diagnostics · ToolCancelledError" in text
    assert "cancelled by the user after" in text
    assert simulation.pending is not None  # the model is asked again at once


async def test_a_ten_megabyte_output_is_folded_and_opens_lazily(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  folder = tmp_path / "bulk_agent"
  folder.mkdir()
  (folder / "__init__.py").write_text("from . import agent\n", encoding="utf-8")
  (folder / "agent.py").write_text(BULK_AGENT, encoding="utf-8")
  app = SimulatorApp(tui_workspace(extra={"Bulk": {"agent": folder}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Bulk")
    await send_query(pilot, "Export")
    await call_tool(pilot, "export", "10")
    entry = app.screen.query_one(Timeline).entries[-1]
    output = entry.entry
    assert isinstance(output, ToolOutput)
    full = json.dumps(output.output)
    assert len(full) > 10_000_000

    # The timeline shows a few lines, built from a bounded walk of the value
    # (`preview`'s node budget; how fast that is, is the benchmarks' business).
    assert entry.folded
    assert len(str(entry.render()).splitlines()) <= PREVIEW_LINES + 2

    # The whole value is one key away; the tree builds a branch when it opens.
    meter = GapMeter(pilot)
    entry.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ValueScreen)
    tree = app.screen.query_one(ValueTree)
    (rows,) = tree.root.children
    assert not rows.children
    rows.expand()
    await settle(pilot)
    assert len(rows.children) == BRANCH_PAGE + 1  # a page, then "… more"
    await pilot.press("r")  # the text view: bounded too
    await settle(pilot)
    text = app.screen.query_one("#value-text", TextArea).text
    assert "the tree view (r) has everything" in text
    assert len(text) < len(full) / 10
    assert meter.longest < NEVER_STUCK_S, f"the app did not answer for {meter.longest:.2f} s"


async def test_a_three_hundred_entry_timeline_mounts_a_window(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math", session_service_uri="memory://"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "Add them all")
    screen = app.screen
    assert isinstance(screen, ActiveScreen)
    screen.send_turn(parallel(*[("add", {"a": i, "b": 1}) for i in range(150)]))
    await settle(pilot)
    assert app.simulation is not None
    assert len(app.simulation.history.entries) == 301

    timeline = screen.query_one(Timeline)
    assert len(timeline.entries) == Timeline.WINDOW
    assert timeline.hidden_count == 301 - Timeline.WINDOW
    assert len(list(timeline.query(TimelineEntry))) == Timeline.WINDOW

    meter = GapMeter(pilot)
    timeline.entries[0].focus()
    await pilot.press("up")  # from the oldest mounted entry to the "earlier" line
    assert isinstance(app.focused, EarlierEntries)
    await pilot.press("enter")
    await settle(pilot)
    assert len(timeline.entries) == Timeline.WINDOW + Timeline.CHUNK
    assert timeline.hidden_count == 301 - Timeline.WINDOW - Timeline.CHUNK
    assert meter.longest < NEVER_STUCK_S, f"the app did not answer for {meter.longest:.2f} s"


async def test_a_tool_that_calls_sys_exit_fails_its_call_and_the_app_stays(
  tui_workspace: WorkspaceFactory,
) -> None:
  unruly = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "unruly_agent"
  app = SimulatorApp(tui_workspace(extra={"Unruly": {"agent": unruly}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Unruly")
    await send_query(pilot, "Misbehave")
    await call_tool(pilot, "exits", "3")
    assert isinstance(app.screen, ActiveScreen)
    entry = app.screen.query_one(Timeline).entries[-1].entry
    assert isinstance(entry, ToolError) and entry.error_type == "SystemExit"
    assert "the tool called sys.exit(3)" in screen_text(app)
    assert app.simulation is not None and app.simulation.pending is not None
