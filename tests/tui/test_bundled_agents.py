"""Whole sessions with the other bundled agents: a helpdesk and a structured quote."""

from __future__ import annotations

import json
from pathlib import Path

from google.adk.evaluation.eval_set import EvalSet
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.final_response_screen import FinalResponseScreen
from adk_simulator.tui.forms.structured_query_form import StructuredQueryForm
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.query import QueryScreen
from adk_simulator.tui.widgets.timeline import Timeline


def _eval_set(path: Path) -> EvalSet:
  return EvalSet.model_validate_json(path.read_text(encoding="utf-8"))


async def test_helpdesk_session_reads_the_database_and_exports(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    await send_query(pilot, "Hi")
    assert app.simulation is not None and app.simulation.pending is not None
    # {desk_name} is filled in from the initial state.
    assert "on the Acme Support help desk" in app.simulation.pending.system_instruction
    await call_tool(pilot, "get_cust", "maya.patel@example.com")
    output = app.screen.query_one(Timeline).entries[-1].entry
    assert isinstance(output, ToolOutput)
    assert "Maya Patel" in json.dumps(output.output)
    await answer(pilot, "Hi Maya!")
    assert isinstance(app.screen, CompletedScreen)
    await pilot.press("e")
    await settle(pilot)
    assert "The eval set now holds 1 case." in screen_text(app)

  (case,) = _eval_set(tmp_path / "evalsets" / "helpdesk.evalset.json").eval_cases
  (invocation,) = case.conversation or []
  assert invocation.intermediate_data is not None
  (use,) = invocation.intermediate_data.tool_uses  # type: ignore[union-attr]
  assert use.name == "get_customer" and use.args == {"email": "maya.patel@example.com"}


async def test_quote_session_with_structured_input_and_output(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Quote"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Quote")
    assert isinstance(app.screen, QueryScreen)
    assert app.screen.query(StructuredQueryForm)  # a form instead of a text area
    for index, value in enumerate(["Lyon", "Lisbon", "2", "1"]):  # origin .. travellers
      if index:
        await pilot.press("tab")
      await type_text(pilot, value)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    assert app.simulation is not None
    (query,) = [e for e in app.simulation.history.entries if e.kind == "user_query"]
    assert query.payload is not None
    assert query.payload["destination"] == "Lisbon" and query.payload["nights"] == 2

    await call_tool(pilot, "nightly", "Lisbon")
    rates = app.screen.query_one(Timeline).entries[-1].entry
    assert isinstance(rates, ToolOutput) and rates.output["standard"] == 110.0

    await pilot.press("f")
    await settle(pilot)
    assert isinstance(app.screen, FinalResponseScreen)
    quote = {
      "total": 228.0,
      "currency": "EUR",
      "line_items": [
        {"description": "Standard room, 2 nights", "quantity": 2, "unit_price": 110.0,
         "amount": 220.0},
        {"description": "City tax", "quantity": 2, "unit_price": 4.0, "amount": 8.0},
      ],
    }  # fmt: skip
    await pilot.press("ctrl+j")  # the raw JSON editor of the answer form
    await settle(pilot)
    app.screen.editor.json_text.load_text(json.dumps(quote))
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)
    assert "228.0" in screen_text(app)
    await pilot.press("e")
    await settle(pilot)

  (case,) = _eval_set(tmp_path / "evalsets" / "quote.evalset.json").eval_cases
  (invocation,) = case.conversation or []
  assert invocation.final_response is not None and invocation.final_response.parts
  assert json.loads(invocation.final_response.parts[0].text or "")["total"] == 228.0
