"""Every bundled demo agent, played through the engine on the real runtime."""

from __future__ import annotations

import sqlite3

import pytest

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel


async def start(make_workspace, folder: str) -> Simulation:
  workspace = make_workspace(folder)
  loaded = workspace.load_agent(workspace.agents[0])
  assert isinstance(loaded, LoadedAgent), loaded
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)
  return simulation


def outputs(simulation: Simulation) -> list:
  return [e.output for e in simulation.history.entries if isinstance(e, ToolOutput)]


async def test_helpdesk_instruction_is_templated_from_state(make_workspace):
  simulation = await start(make_workspace, "helpdesk_agent")
  await simulation.submit_query("Hi, I am Maya")
  assert simulation.pending is not None
  assert "Acme Support" in simulation.pending.system_instruction
  assert "{desk_name}" not in simulation.pending.system_instruction
  await simulation.submit_turn(call("remember_customer", email="maya.patel@example.com"))
  # The tool wrote session state; the next request's instruction shows it.
  assert "Maya Patel <maya.patel@example.com>, pro plan" in simulation.pending.system_instruction
  stored = await simulation.stored_session()
  assert stored.state["current_customer"].startswith("Maya Patel")
  assert outputs(simulation)[0]["previous"] is None


async def test_helpdesk_tools_with_every_argument_kind(make_workspace, _private_helpdesk_db):
  simulation = await start(make_workspace, "helpdesk_agent")
  await simulation.submit_query("Open a ticket for Ann, then credit ticket 1")
  await simulation.submit_turn(
    call(
      "create_ticket",
      customer={"name": "Ann Lee", "email": "ann@example.com", "plan": "pro"},
      subject="Cannot log in",
      priority="urgent",
      tags=["login", "web"],
      attachments=[
        {"filename": "screen.png", "size_kb": 120},
        {"filename": "log.txt", "size_kb": 4, "description": "browser console"},
      ],
    )
  )
  created = outputs(simulation)[-1]
  await simulation.submit_turn(
    parallel(
      ("apply_credit", {"ticket_id": 1, "amount": 12.5, "notify_customer": False}),
      ("search_tickets", {"query": "refund", "status": None}),
      ("lookup_order_status", {"order_id": "ORD-1001"}),
    )
  )
  credit, found, order = outputs(simulation)[-3:]
  assert [t["id"] for t in found["tickets"]] == [12, 1]
  assert order["status"] == "delivered"
  await simulation.submit_turn(answer("Done: ticket opened and credit applied."))
  assert simulation.phase is Phase.COMPLETED
  with sqlite3.connect(_private_helpdesk_db) as db:
    subject, priority = db.execute(
      "SELECT subject, priority FROM tickets WHERE id = ?", (created["ticket_id"],)
    ).fetchone()
    assert (subject, priority) == ("Cannot log in", "urgent")
    assert (
      db.execute(
        "SELECT count(*) FROM attachments WHERE ticket_id = ?", (created["ticket_id"],)
      ).fetchone()[0]
      == 2
    )
  assert credit["ticket_id"] == 1


async def test_helpdesk_domain_error_and_schema_checks(make_workspace):
  simulation = await start(make_workspace, "helpdesk_agent")
  await simulation.submit_query("Who is nobody@example.com?")
  with pytest.raises(TurnValidationError) as caught:
    await simulation.submit_turn(
      call("create_ticket", customer={"name": "x"}, subject="s", priority="asap", tags="a")
    )
  message = str(caught.value)
  assert "create_ticket.customer.email" in message
  assert "create_ticket.priority" in message and "'asap'" in message
  assert "create_ticket.tags" in message
  await simulation.submit_turn(call("get_customer", email="nobody@example.com"))
  (error,) = [e for e in simulation.history.entries if isinstance(e, ToolError)]
  assert error.error_type == "CustomerNotFoundError"
  assert "nobody@example.com" in error.message


async def test_quote_agent_takes_and_gives_structured_data(make_workspace):
  simulation = await start(make_workspace, "quote_agent")
  with pytest.raises(TurnValidationError, match="nights"):
    await simulation.submit_query({"origin": "Lyon", "destination": "Lisbon", "travellers": 2})
  assert simulation.phase is Phase.AWAITING_QUERY, "an invalid query starts nothing"
  await simulation.submit_query(
    {"origin": "Lyon", "destination": "Lisbon", "nights": 2, "travellers": 2}
  )
  request = simulation.pending
  assert request is not None and request.offers_set_model_response
  assert request.output_schema is not None and "line_items" in request.output_schema["properties"]
  await simulation.submit_turn(call("nightly_rate", city="Lisbon"))
  with pytest.raises(TurnValidationError, match="currency"):
    await simulation.submit_turn(answer(payload={"total": 1.0, "line_items": []}))
  quote = {
    "total": 236.0,
    "currency": "EUR",
    "line_items": [
      {
        "description": "Standard room, 2 nights",
        "quantity": 2,
        "unit_price": 110.0,
        "amount": 220.0,
      },
      {"description": "City tax", "quantity": 4, "unit_price": 4.0, "amount": 16.0},
    ],
  }
  await simulation.submit_turn(answer(payload=quote))
  assert simulation.phase is Phase.COMPLETED
  entries = simulation.history.entries
  assert isinstance(entries[0], UserQuery) and entries[0].payload["nights"] == 2  # type: ignore[index]
  final = entries[-1]
  assert isinstance(final, FinalResponse) and final.payload is not None
  assert final.payload["total"] == 236.0
  stored = await simulation.stored_session()
  assert stored.state["quote"]["currency"] == "EUR"
