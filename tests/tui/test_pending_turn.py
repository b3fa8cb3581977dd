"""The pending turn in the app, on the real runtime: queued calls edited, removed, discarded."""

from __future__ import annotations

from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen
from adk_simulator.tui.forms.turn_queue import TurnQueue
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen


async def queue_call(pilot, tool: str, a: str, b: str) -> None:
  """In the picker: picks `tool`, fills a and b, adds the call to the turn."""
  await pick_tool(pilot, tool, a, b)
  await pilot.press("ctrl+t")
  await settle(pilot)


async def test_queued_calls_are_edited_and_removed_before_the_turn_runs(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "1+1 and 8/2?")
    await pilot.press("t")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ToolCallScreen)
    await queue_call(pilot, "multiply", "2", "3")
    await queue_call(pilot, "add", "1", "1")
    await queue_call(pilot, "divide", "8", "2")
    assert [c.tool for c in screen.queued] == ["multiply", "add", "divide"]
    assert "In this turn: 3 calls, run in parallel" in screen_text(app)

    # The list of the turn's calls is one shift+tab away from the filter.
    await pilot.press("shift+tab")
    await settle(pilot)
    queue = screen.query_one(TurnQueue)
    assert app.focused is queue
    await pilot.press("down", "enter")  # edit the second call, add
    await settle(pilot)
    assert screen.current_tool is not None and screen.current_tool.name == "add"
    assert screen.editor.form.get_values() == {"a": "1", "b": "1"}
    assert "◂ editing" in screen_text(app)
    await pilot.press("backspace")
    await type_text(pilot, "5")
    await pilot.press("tab", "backspace")
    await type_text(pilot, "5")
    await pilot.press("ctrl+t")  # back in its place
    await settle(pilot)
    assert screen.queued[1] == CallRequest(tool="add", args={"a": 5, "b": 5})

    # Abandoning an edit keeps the call as it was.
    await pilot.press("shift+tab")
    await pilot.press("end", "enter")
    await settle(pilot)
    assert screen.current_tool is not None and screen.current_tool.name == "divide"
    await pilot.press("escape")
    await settle(pilot)
    assert screen.queued[2] == CallRequest(tool="divide", args={"a": 8, "b": 2})

    await pilot.press("shift+tab")
    await pilot.press("home", "delete")  # remove multiply
    await settle(pilot)
    assert [c.tool for c in screen.queued] == ["add", "divide"]
    await pilot.press("ctrl+s")
    await settle(pilot)

    assert isinstance(app.screen, ActiveScreen)
    simulation = app.simulation
    assert simulation is not None
    history = simulation.history.entries
    calls = [e for e in history if isinstance(e, ToolCall)]
    assert [(c.tool_name, c.args) for c in calls] == [
      ("add", {"a": 5, "b": 5}),
      ("divide", {"a": 8, "b": 2}),
    ]
    assert len({c.event_id for c in calls}) == 1  # one parallel model turn
    assert [e.output for e in history if isinstance(e, ToolOutput)] == [
      {"result": 10},
      {"result": 4.0},
    ]


async def test_escape_with_queued_calls_asks_before_discarding_them(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2*3?")
    await pilot.press("t")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ToolCallScreen)
    await queue_call(pilot, "multiply", "2", "3")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    assert "Discard the 1 call of this turn?" in screen_text(app)
    await pilot.press("n")
    await settle(pilot)
    assert app.screen is screen and len(screen.queued) == 1
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    simulation = app.simulation
    assert simulation is not None and simulation.pending is not None
    assert simulation.pending.step == 1
    assert not any(isinstance(e, ToolCall) for e in simulation.history.entries)
