"""Escape in a text box goes to its screen's escape: a JSON box that indents with tab
does not keep it."""

from __future__ import annotations

from test_user_side_prompts import APPROVALS
from test_user_side_prompts import raw_call
from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.confirmation_screen import ConfirmationScreen
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen


async def test_escape_in_the_initial_state_box_goes_back_to_the_agents(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(80, 24)) as pilot:
    await pick_agent(pilot, "Math")
    state = app.screen.query_one("#state-text", TextArea)
    state.focus()
    await settle(pilot)
    await pilot.press("tab")  # tab indents in a JSON box
    assert app.focused is state
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen)


async def test_escape_in_the_payload_box_answers_later(tui_workspace: WorkspaceFactory) -> None:
  app = SimulatorApp(tui_workspace(extra=APPROVALS))
  async with app.run_test(size=(80, 24)) as pilot:
    await pick_agent(pilot, "Approvals")
    await send_query(pilot, "Refund order 7")
    await raw_call(pilot, "refund", '{"order_id": "7", "amount": 12}')
    assert isinstance(app.screen, ConfirmationScreen)
    box = app.screen.query_one(TextArea)
    box.focus()
    await settle(pilot)
    await type_text(pilot, " ")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen), "answered later: the prompt is gone"
