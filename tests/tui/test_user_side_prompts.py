"""The user's side in the app: answering a confirmation, delivering a long-running result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import stop_blinking

from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.forms.confirmation_screen import ConfirmationScreen
from adk_simulator.tui.forms.tool_result_screen import ToolResultScreen
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.widgets.timeline import Timeline

APPROVALS = {
  "Approvals": {
    "agent": Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "approvals_agent",
    "eval_set": "evalsets/approvals.evalset.json",
  }
}


def _app(tui_workspace: WorkspaceFactory) -> SimulatorApp:
  return SimulatorApp(tui_workspace(extra=APPROVALS), clock=FrozenClock(1.0))


async def raw_call(pilot: Pilot[Any], tool: str, json_args: str) -> None:
  """`t`, pick `tool`, switch to raw JSON, type the arguments, send."""
  await pilot.press("t")
  await settle(pilot)
  await pick_tool(pilot, tool)
  await pilot.press("ctrl+j")
  await settle(pilot)
  area = pilot.app.screen.query_one("#json-text", TextArea)
  area.text = json_args
  await pilot.press("ctrl+s")
  await settle(pilot)


async def test_the_prompt_approves_and_the_tool_runs(tui_workspace: WorkspaceFactory) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Refund order 7")
    await raw_call(pilot, "refund", '{"order_id": "7", "amount": 12.5}')
    simulation = app.simulation
    assert simulation is not None
    # The run paused for the user: the prompt is up, the session is not COMPLETED.
    assert isinstance(app.screen, ConfirmationScreen)
    assert simulation.phase is Phase.ACTIVE and simulation.paused
    text = screen_text(app)
    assert 'The agent wants to run refund(order_id="7", amount=12.5)' in text
    assert "The user's move: y approve or reject refund(" in text
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    assert simulation.pending is not None and simulation.pending.step == 2
    await answer(pilot, "Refunded.")
    assert isinstance(app.screen, CompletedScreen)
    stored = await simulation.stored_session()
    assert stored.state["refunds"] == ["7"]
    kinds = [e.entry.kind for e in app.screen.query_one(Timeline).entries]
    assert "confirmation_request" in kinds and "confirmation_answer" in kinds


async def test_the_prompt_rejects_and_can_wait(tui_workspace: WorkspaceFactory) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Refund order 7")
    await raw_call(pilot, "refund", '{"order_id": "7", "amount": 12.5}')
    # escape leaves the prompt; y brings it back.
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    timeline_text = screen_text(app)
    assert "refund needs the user's approval · waiting (y" in timeline_text
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmationScreen)
    await pilot.press("ctrl+r")
    await settle(pilot)
    simulation = app.simulation
    assert simulation is not None and simulation.pending is not None
    await answer(pilot, "Not refunded.")
    stored = await simulation.stored_session()
    assert "refunds" not in stored.state
    replies = [e for e in simulation.history.entries if isinstance(e, ConfirmationAnswer)]
    assert [r.confirmed for r in replies] == [False]


async def test_the_prompt_approves_with_a_payload(tui_workspace: WorkspaceFactory) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Book room 12")
    await raw_call(pilot, "book_room", '{"room": "12"}')
    await answer(pilot, "Please confirm.")
    assert isinstance(app.screen, ConfirmationScreen)
    area = app.screen.query_one("#payload TextArea", TextArea)
    assert area.text.replace(" ", "").replace("\n", "") == '{"nights":1}'
    area.text = '{"nights": oops}'
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmationScreen)  # not sent: the box says why
    assert "⚠ not JSON" in screen_text(app)
    area.text = '{"nights": 3}'
    await pilot.press("ctrl+s")
    await settle(pilot)
    await answer(pilot, "Booked for 3 nights.")
    simulation = app.simulation
    assert simulation is not None
    stored = await simulation.stored_session()
    assert stored.state["booked"] == {"room": "12", "nights": 3}


async def test_a_long_running_result_is_delivered_from_the_summary(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = _app(tui_workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Reimburse 200")
    await raw_call(pilot, "ask_manager", '{"amount": 200}')
    await answer(pilot, "I asked the manager.")
    assert isinstance(app.screen, CompletedScreen)
    text = screen_text(app)
    assert "Result pending: ask_manager (long-running) · d" in text
    assert "ask_manager · approvals_agent · long-running, result" in text
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(app.screen, ToolResultScreen)
    area = app.screen.query_one("#result TextArea", TextArea)
    assert '"pending"' in area.text  # starts from the interim output
    area.text = '{"status": "approved", "ticket": "T-200"}'
    await pilot.press("ctrl+s")
    await settle(pilot)
    simulation = app.simulation
    assert simulation is not None and simulation.pending is not None
    assert isinstance(app.screen, ActiveScreen)
    await answer(pilot, "Approved and paid.")
    delivered = [e for e in simulation.history.entries if isinstance(e, DeliveredResult)]
    assert [d.output for d in delivered] == [{"status": "approved", "ticket": "T-200"}]
    assert simulation.awaiting == []


def test_the_confirmation_prompt(snap_compare: Any, tui_workspace: WorkspaceFactory) -> None:
  async def run_before(pilot: Pilot[Any]) -> None:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Book room 12")
    await raw_call(pilot, "book_room", '{"room": "12"}')
    await answer(pilot, "Please confirm.")
    stop_blinking(pilot)
    await settle(pilot)

  assert snap_compare(_app(tui_workspace), terminal_size=(100, 30), run_before=run_before)
