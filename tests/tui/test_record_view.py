"""What the app shows of the record: AgentTool inner runs, callbacks, the whole request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import stop_blinking

from adk_simulator.engine.record.history import InnerRun
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.widgets.timeline import Timeline

CONCIERGE = {
  "Concierge": {
    "agent": Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "concierge_agent",
    "eval_set": "evalsets/concierge.evalset.json",
  }
}
GUARDRAIL = "Guardrail: answer in one sentence."


def _app(tui_workspace: WorkspaceFactory) -> SimulatorApp:
  return SimulatorApp(tui_workspace(extra=CONCIERGE), clock=FrozenClock(1.0))


async def test_the_model_view_shows_what_a_callback_added_to_the_request(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Concierge")
    await send_query(pilot, "Book a table for two")
    contents = app.screen.query_one("#model-contents", Static)
    assert GUARDRAIL in str(contents.render())
    assert "Book a table for two" in str(contents.render())


async def test_an_agent_tool_run_shows_nested_under_its_call(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Concierge")
    await send_query(pilot, "Weather in Paris?")
    await call_tool(pilot, "weather", "Paris")
    assert app.simulation is not None and app.simulation.pending is not None
    assert app.simulation.pending.agent_name == "weather_agent"
    await call_tool(pilot, "forecast", "Paris")
    await answer(pilot, "20 degrees.")
    await answer(pilot, "It is 20 degrees in Paris.")
    await settle(pilot)
    timeline = app.screen.query_one(Timeline)
    shown = [(e.entry.kind, e.has_class("-inner")) for e in timeline.entries]
    assert shown == [
      ("user_query", False),
      ("tool_call", False),
      ("inner_run", False),
      ("tool_call", True),
      ("tool_output", True),
      ("final_response", True),
      ("tool_output", False),
      ("final_response", False),
    ]
    run = next(e.entry for e in timeline.entries if isinstance(e.entry, InnerRun))
    assert run.agent == "weather_agent"


def test_model_view_with_request_contents(
  snap_compare: Any, tui_workspace: WorkspaceFactory
) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Concierge")
    await send_query(pilot, "Book a table for two")
    app = pilot.app
    box = app.screen.query_one("#model-contents-box")
    box.scroll_visible(animate=False)
    stop_blinking(pilot)
    await settle(pilot)

  assert snap_compare(_app(tui_workspace), terminal_size=(120, 40), run_before=run_before)
