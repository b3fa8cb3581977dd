"""Undo in the app, on the real runtime: `u` asks, then the session goes back a turn."""

from __future__ import annotations

import json

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle

from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.reader import read_events
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen
from adk_simulator.tui.widgets.timeline import Timeline


async def test_u_asks_then_undoes_the_last_turn_and_the_export_holds_the_kept_path(
  tui_workspace: WorkspaceFactory, tmp_path
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2*3+4?")
    await call_tool(pilot, "multiply", "2", "3")
    await call_tool(pilot, "add", "6", "5")
    simulation = app.simulation
    assert simulation is not None and simulation.pending is not None
    assert simulation.pending.step == 3

    await pilot.press("u")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    text = screen_text(app)
    assert "Undo step 2 (calling add) and everything after it?" in text
    assert "Not undone: whatever add did outside the session" in text
    await pilot.press("n")  # keep: nothing changes
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen) and simulation.pending.step == 3

    await pilot.press("u")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    assert simulation.pending is not None and simulation.pending.step == 2
    assert [e.kind for e in simulation.history.entries] == [
      "user_query",
      "tool_call",
      "tool_output",
    ]
    assert len(app.screen.query_one(Timeline).entries) == 3

    await call_tool(pilot, "add", "6", "4")
    await answer(pilot, "10")
    assert isinstance(app.screen, CompletedScreen)

    # On the summary, u takes back the answer; on an earlier entry, its turn.
    await pilot.press("u")
    await settle(pilot)
    assert "Undo step 3 (the answer)" in screen_text(app)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen) and simulation.pending.step == 3
    timeline = app.screen.query_one(Timeline)
    first_output = next(w for w in timeline.entries if isinstance(w.entry, ToolOutput))
    first_output.focus()
    await pilot.pause()
    await pilot.press("u")
    await settle(pilot)
    assert "Undo step 1 (calling multiply)" in screen_text(app)
    await pilot.press("y")
    await settle(pilot)
    assert simulation.pending is not None and simulation.pending.step == 1
    assert [e.kind for e in simulation.history.entries] == ["user_query"]

    await call_tool(pilot, "multiply", "2", "3")
    await call_tool(pilot, "add", "6", "4")
    await answer(pilot, "10")
    await pilot.press("e")
    await settle(pilot)

  history = read_events((await simulation.stored_session()).events)
  assert [(e.tool_name, e.args) for e in history.entries if isinstance(e, ToolCall)] == [
    ("multiply", {"a": 2, "b": 3}),
    ("add", {"a": 6, "b": 4}),
  ]
  eval_set = json.loads((tmp_path / "evalsets" / "math.evalset.json").read_text())
  (case,) = eval_set["eval_cases"]
  (turn,) = case["conversation"]
  assert [(u["name"], u["args"]) for u in turn["intermediate_data"]["tool_uses"]] == [
    ("multiply", {"a": 2, "b": 3}),
    ("add", {"a": 6, "b": 4}),
  ]
  assert turn["final_response"]["parts"][0]["text"] == "10"


async def test_u_on_a_session_with_only_the_users_message_undoes_the_message(
  tui_workspace: WorkspaceFactory,
) -> None:
  from adk_simulator.tui.screens.query import QueryScreen

  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "typo")
    await pilot.press("u")
    await settle(pilot)
    assert "Undo the user's message" in screen_text(app)
    assert "No tool ran in what goes" in screen_text(app)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, QueryScreen)
    await send_query(pilot, "1+1?")
    assert isinstance(app.screen, ActiveScreen)
    simulation = app.simulation
    assert simulation is not None
    assert [e.text for e in simulation.history.entries if e.kind == "user_query"] == ["1+1?"]


async def test_u_is_greyed_out_while_tools_run_and_says_why(
  tui_workspace: WorkspaceFactory,
) -> None:
  from pathlib import Path

  from tui_helpers import wait_until

  unruly = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "unruly_agent"
  app = SimulatorApp(tui_workspace(extra={"Unruly": {"agent": unruly}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Unruly")
    await send_query(pilot, "Hang")
    simulation = app.simulation
    assert simulation is not None
    screen = app.screen
    assert isinstance(screen, ActiveScreen) and screen.check_action("undo", ()) is True
    await pilot.press("t")
    await settle(pilot)
    await pick_tool(pilot, "hangs")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: bool(simulation.running_tools))
    assert screen.check_action("undo", ()) is None  # shown, greyed out
    assert screen.undo_refusal() == "tools are running: wait for them, or cancel them (escape)"
    await pilot.press("u")  # greyed out: it does nothing now, it waits for the tools
    await pilot.pause()
    assert not isinstance(app.screen, ConfirmScreen)
    # Escape goes past the waiting `u`: it cancels the hanging tool at once.
    await pilot.press("escape")
    await wait_until(pilot, lambda: simulation.pending is not None)
    await settle(pilot)
    # The model is asked again: the `u` typed ahead now applies, and asks first.
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("n")
    await settle(pilot)
    assert app.screen is screen and screen.check_action("undo", ()) is True
