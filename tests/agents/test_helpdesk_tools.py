"""The helpdesk tools called directly, against a real database built from the seed."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import ValidationError


@pytest.fixture
def tools(agents_on_path, helpdesk_db: Path) -> ModuleType:
  return agents_on_path("helpdesk_agent.tools")


@pytest.fixture
def models(agents_on_path) -> ModuleType:
  return agents_on_path("helpdesk_agent.models")


def _rows(path: Path, sql: str, *parameters: object) -> list[sqlite3.Row]:
  connection = sqlite3.connect(path)
  connection.row_factory = sqlite3.Row
  try:
    return connection.execute(sql, parameters).fetchall()
  finally:
    connection.close()


def _ids(result: dict) -> list[int]:
  return [ticket["id"] for ticket in result["tickets"]]


def test_search_tickets_matches_every_word_newest_first(tools):
  assert _ids(tools.search_tickets(query="refund")) == [12, 1]
  assert _ids(tools.search_tickets(query="Maya REFUND")) == [1]
  assert _ids(tools.search_tickets(query="shipping")) == [6, 4, 11]
  assert tools.search_tickets(query="no such words anywhere") == {"count": 0, "tickets": []}


def test_search_tickets_filters_by_status_and_limits(tools):
  assert _ids(tools.search_tickets(query="refund", status="pending")) == [12]
  assert _ids(tools.search_tickets(query="", status="closed")) == [5, 9, 11]
  result = tools.search_tickets(query="", limit=2)
  assert result["count"] == 2
  assert _ids(result) == [12, 10]
  first = result["tickets"][0]
  assert first["customer_email"] == "jonas.berg@example.com"
  assert first["tags"] == ["billing", "refund"]
  with pytest.raises(ValueError, match="limit"):
    tools.search_tickets(query="", limit=0)


def test_get_customer_returns_tickets_and_orders(tools):
  customer = tools.get_customer(email="MAYA.Patel@example.com ")
  assert customer["name"] == "Maya Patel"
  assert customer["plan"] == "pro"
  assert [ticket["id"] for ticket in customer["tickets"]] == [1, 9]
  assert customer["orders"] == [{"id": "ORD-1001", "status": "delivered", "total": 129.9}]
  assert tools.get_customer(email="liam.oconnor@example.com")["name"] == "Liam O'Connor"


def test_get_customer_raises_a_domain_error_for_an_unknown_email(tools, models):
  with pytest.raises(models.CustomerNotFoundError, match="nobody@example.com") as raised:
    tools.get_customer(email="nobody@example.com")
  assert isinstance(raised.value, LookupError)
  assert "search_tickets" in str(raised.value)


def test_create_ticket_for_a_new_customer_writes_rows(tools, models, helpdesk_db: Path):
  result = tools.create_ticket(
    customer=models.NewCustomer(name="Ines Duarte", email="ines@example.com", plan="pro"),
    subject="  Invoice PDF is blank ",
    priority="urgent",
    tags=["Billing", "invoice", "billing", " "],
    attachments=[models.Attachment(filename="invoice.pdf", size_kb=0, description="Empty")],
    description="The March invoice downloads as an empty page.",
  )

  assert result["ticket_id"] == 13
  assert result["customer"]["new"] is True
  assert result["tags"] == ["billing", "invoice"]
  (ticket,) = _rows(
    helpdesk_db,
    "SELECT t.*, c.email, c.plan FROM tickets t JOIN customers c ON c.id = t.customer_id"
    " WHERE t.id = ?",
    result["ticket_id"],
  )
  assert ticket["subject"] == "Invoice PDF is blank"
  assert (ticket["status"], ticket["priority"]) == ("open", "urgent")
  assert json.loads(ticket["tags"]) == ["billing", "invoice"]
  assert (ticket["email"], ticket["plan"]) == ("ines@example.com", "pro")
  assert ticket["body"] == "The March invoice downloads as an empty page."
  attachments = _rows(helpdesk_db, "SELECT * FROM attachments WHERE ticket_id = 13")
  assert [(row["filename"], row["size_kb"]) for row in attachments] == [("invoice.pdf", 0)]
  assert _ids(tools.search_tickets(query="invoice blank")) == [13]


def test_create_ticket_accepts_raw_json_objects_and_reuses_a_known_customer(
  tools, helpdesk_db: Path
):
  result = tools.create_ticket(
    customer={"name": "M. Patel", "email": "maya.patel@example.com", "plan": "free"},
    subject="Second charge again",
    priority="normal",
    tags=[],
    attachments=[{"filename": "statement.png", "size_kb": 340}],
  )

  assert result["customer"] == {
    "id": 1,
    "email": "maya.patel@example.com",
    "name": "Maya Patel",
    "plan": "pro",
    "new": False,
  }
  assert result["attachments"] == 1
  assert len(_rows(helpdesk_db, "SELECT * FROM customers")) == 8
  mayas_tickets = _rows(helpdesk_db, "SELECT id FROM tickets WHERE customer_id = 1")
  assert [row["id"] for row in mayas_tickets] == [1, 9, result["ticket_id"]]


def test_create_ticket_rejects_a_malformed_customer_and_an_empty_subject(tools, helpdesk_db):
  with pytest.raises(ValidationError):
    tools.create_ticket(customer={"name": "No Email"}, subject="Hi", priority="low", tags=[])
  with pytest.raises(ValueError, match="subject"):
    tools.create_ticket(
      customer={"name": "A", "email": "a@example.com"}, subject="  ", priority="low", tags=[]
    )
  assert not helpdesk_db.exists(), "arguments are checked before the database is touched"


def test_update_ticket_status_changes_the_row(tools, models, helpdesk_db: Path):
  assert tools.update_ticket_status(ticket_id=2, status="closed") == {
    "ticket_id": 2,
    "previous_status": "open",
    "status": "closed",
  }
  assert _rows(helpdesk_db, "SELECT status FROM tickets WHERE id = 2")[0]["status"] == "closed"
  with pytest.raises(models.TicketNotFoundError, match="#99"):
    tools.update_ticket_status(ticket_id=99, status="open")


def test_apply_credit_records_the_credit(tools, helpdesk_db: Path):
  result = tools.apply_credit(ticket_id=4, amount=20.5549, notify_customer=False)

  assert result["amount"] == 20.55
  assert result["total_credited"] == 20.55
  assert result["customer_notified"] is False
  assert result["customer_email"] == "carlos.mendes@example.com"
  (credit,) = _rows(helpdesk_db, "SELECT * FROM credits WHERE ticket_id = 4")
  assert (credit["amount"], credit["customer_notified"]) == (20.55, 0)

  again = tools.apply_credit(ticket_id=11, amount=10.0)
  assert again["total_credited"] == 25.0  # the seed already credited 15
  assert again["customer_notified"] is True


def test_apply_credit_refuses_what_the_desk_may_not_grant(tools, models, helpdesk_db: Path):
  with pytest.raises(models.CreditLimitExceededError, match="15.00 USD"):
    tools.apply_credit(ticket_id=11, amount=240.0)
  with pytest.raises(models.TicketNotFoundError):
    tools.apply_credit(ticket_id=404, amount=5.0)
  with pytest.raises(ValueError, match="amount"):
    tools.apply_credit(ticket_id=1, amount=0.0)
  assert len(_rows(helpdesk_db, "SELECT * FROM credits")) == 1


def test_run_diagnostics_blocks_for_the_given_seconds(tools):
  started = time.monotonic()
  result = tools.run_diagnostics(ticket_id=6, seconds=0.3)
  elapsed = time.monotonic() - started

  assert 0.3 <= elapsed < 5
  assert result["healthy"] is False
  assert {"name": "order", "passed": False, "detail": "ORD-1005 is delayed"} in result["checks"]
  assert tools.run_diagnostics(ticket_id=2, seconds=0)["healthy"] is True


def test_run_diagnostics_fails_fast_on_bad_arguments(tools, models):
  started = time.monotonic()
  with pytest.raises(models.TicketNotFoundError):
    tools.run_diagnostics(ticket_id=77)  # the default would sleep about 3 s
  with pytest.raises(ValueError, match="seconds"):
    tools.run_diagnostics(ticket_id=1, seconds=-1)
  assert time.monotonic() - started < 2.5  # neither call slept the 3 s default


async def test_lookup_order_status_is_a_coroutine_reading_the_database(tools, models):
  order = await tools.lookup_order_status(order_id=" ord-1005")
  assert order == {
    "order_id": "ORD-1005",
    "status": "delayed",
    "total": 64.0,
    "carrier": "PostNL",
    "tracking_number": "PNL-3S88410",
    "estimated_delivery": "2025-03-18",
    "customer_email": "liam.oconnor@example.com",
  }
  with pytest.raises(models.OrderNotFoundError, match="ORD-9999"):
    await tools.lookup_order_status(order_id="ORD-9999")
