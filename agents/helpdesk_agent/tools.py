"""The helpdesk tools. Each call opens its own connection to the SQLite database.

Together the tools use every kind of argument the simulator's forms offer:
strings, integers with defaults, numbers, booleans, enums, a nested object, a
list of strings, a list of objects and optional values. One reads and writes
session state, several raise domain errors, one blocks its thread for a while
and one is a coroutine.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import UTC
from datetime import datetime
from typing import Annotated
from typing import Any

from google.adk.tools.tool_context import ToolContext
from pydantic import Field

from .database import connect
from .models import Attachment
from .models import CreditLimitExceededError
from .models import CustomerNotFoundError
from .models import NewCustomer
from .models import OrderNotFoundError
from .models import TicketNotFoundError
from .models import TicketPriority
from .models import TicketStatus

CREDIT_LIMIT_PER_TICKET = 250.0
CURRENT_CUSTOMER_KEY = "current_customer"


def _now() -> str:
  return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _ticket_summary(row: sqlite3.Row) -> dict[str, Any]:
  return {
    "id": row["id"],
    "subject": row["subject"],
    "status": row["status"],
    "priority": row["priority"],
    "tags": json.loads(row["tags"]),
    "customer_email": row["email"],
    "order_id": row["order_id"],
    "created_at": row["created_at"],
  }


def _find_customer(connection: sqlite3.Connection, email: str) -> sqlite3.Row:
  row = connection.execute("SELECT * FROM customers WHERE email = ?", (email.strip(),)).fetchone()
  if row is None:
    raise CustomerNotFoundError(email)
  return row


def _find_ticket(connection: sqlite3.Connection, ticket_id: int) -> sqlite3.Row:
  row = connection.execute(
    "SELECT t.*, c.email, c.name, c.plan FROM tickets t"
    " JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
    (ticket_id,),
  ).fetchone()
  if row is None:
    raise TicketNotFoundError(ticket_id)
  return row


def search_tickets(
  query: str,
  status: TicketStatus | None = None,
  limit: Annotated[int, Field(ge=1, le=50)] = 10,
) -> dict[str, Any]:
  """Searches support tickets by words in their subject, text, tags or customer.

  Every word of the query must appear somewhere in the ticket (case does not
  matter). An empty query lists the most recent tickets.

  Args:
    query: Words to look for, e.g. "refund" or "maya shipping".
    status: Only return tickets with this status; all statuses when omitted.
    limit: The most tickets to return, from 1 to 50.

  Returns:
    The matching tickets, newest first, under "tickets" and their number under
    "count".
  """
  if not 1 <= limit <= 50:
    raise ValueError(f"limit must be between 1 and 50, not {limit}.")
  conditions: list[str] = []
  parameters: list[Any] = []
  for word in query.split():
    conditions.append(
      "instr(lower(t.subject || ' ' || t.body || ' ' || t.tags || ' ' || c.email"
      " || ' ' || c.name), lower(?)) > 0"
    )
    parameters.append(word)
  if status is not None:
    conditions.append("t.status = ?")
    parameters.append(status)
  where = " AND ".join(conditions) or "1"
  with connect() as connection:
    rows = connection.execute(
      "SELECT t.*, c.email FROM tickets t JOIN customers c ON c.id = t.customer_id"
      f" WHERE {where} ORDER BY t.created_at DESC, t.id DESC LIMIT ?",
      (*parameters, limit),
    ).fetchall()
  tickets = [_ticket_summary(row) for row in rows]
  return {"count": len(tickets), "tickets": tickets}


def get_customer(email: str) -> dict[str, Any]:
  """Looks up a customer by email, with their tickets and orders.

  Args:
    email: The customer's email address (case does not matter).

  Returns:
    The customer's name, plan and signup date, their tickets and their orders.

  Raises:
    CustomerNotFoundError: No customer has this email address.
  """
  with connect() as connection:
    customer = _find_customer(connection, email)
    tickets = connection.execute(
      "SELECT id, subject, status, priority FROM tickets WHERE customer_id = ? ORDER BY id",
      (customer["id"],),
    ).fetchall()
    orders = connection.execute(
      "SELECT id, status, total FROM orders WHERE customer_id = ? ORDER BY id",
      (customer["id"],),
    ).fetchall()
  return {
    "id": customer["id"],
    "email": customer["email"],
    "name": customer["name"],
    "plan": customer["plan"],
    "customer_since": customer["created_at"],
    "tickets": [dict(row) for row in tickets],
    "orders": [dict(row) for row in orders],
  }


def create_ticket(
  customer: NewCustomer,
  subject: str,
  priority: TicketPriority,
  tags: list[str],
  attachments: list[Attachment] | None = None,
  description: str = "",
) -> dict[str, Any]:
  """Opens a new support ticket, adding the customer if their email is new.

  Args:
    customer: Who the ticket is for. A known email reuses that customer (their
      name and plan stay as recorded); a new email creates the customer.
    subject: A one-line summary of the problem.
    priority: How urgent the ticket is.
    tags: Short labels for routing, e.g. ["billing", "refund"]; may be empty.
    attachments: Files the customer sent with the request, if any.
    description: The customer's problem in their own words.

  Returns:
    The new ticket's id and status, and the customer it belongs to.
  """
  # ADK hands over model instances, but a caller may pass the raw JSON objects.
  customer = NewCustomer.model_validate(customer)
  files = [Attachment.model_validate(item) for item in attachments or []]
  subject = subject.strip()
  if not subject:
    raise ValueError("A ticket needs a subject.")
  labels = list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
  with connect() as connection:
    existing = connection.execute(
      "SELECT * FROM customers WHERE email = ?", (customer.email.strip(),)
    ).fetchone()
    if existing is None:
      customer_id = connection.execute(
        "INSERT INTO customers (email, name, plan, created_at) VALUES (?, ?, ?, ?)",
        (customer.email.strip(), customer.name.strip(), customer.plan, _now()),
      ).lastrowid
      record = {"name": customer.name.strip(), "plan": customer.plan}
    else:
      customer_id = existing["id"]
      record = {"name": existing["name"], "plan": existing["plan"]}
    ticket_id = connection.execute(
      "INSERT INTO tickets (customer_id, subject, body, status, priority, tags, created_at)"
      " VALUES (?, ?, ?, 'open', ?, ?, ?)",
      (customer_id, subject, description, priority, json.dumps(labels), _now()),
    ).lastrowid
    connection.executemany(
      "INSERT INTO attachments (ticket_id, filename, size_kb, description) VALUES (?, ?, ?, ?)",
      [(ticket_id, file.filename, file.size_kb, file.description) for file in files],
    )
  return {
    "ticket_id": ticket_id,
    "status": "open",
    "priority": priority,
    "tags": labels,
    "attachments": len(files),
    "customer": {
      "id": customer_id,
      "email": customer.email.strip(),
      **record,
      "new": existing is None,
    },
  }


def update_ticket_status(ticket_id: int, status: TicketStatus) -> dict[str, Any]:
  """Moves a ticket to another status.

  Args:
    ticket_id: The ticket's number.
    status: "open" while the desk works on it, "pending" while waiting for the
      customer, "closed" once it is solved.

  Returns:
    The ticket's previous and new status.

  Raises:
    TicketNotFoundError: There is no ticket with this id.
  """
  with connect() as connection:
    ticket = _find_ticket(connection, ticket_id)
    connection.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket_id))
  return {"ticket_id": ticket_id, "previous_status": ticket["status"], "status": status}


def apply_credit(
  ticket_id: int,
  amount: Annotated[float, Field(gt=0, le=CREDIT_LIMIT_PER_TICKET)],
  notify_customer: bool = True,
) -> dict[str, Any]:
  """Credits the customer's account to make up for the problem in a ticket.

  The desk may grant at most 250 USD per ticket in total.

  Args:
    ticket_id: The ticket the credit is for.
    amount: The credit in USD, more than 0 and at most 250.
    notify_customer: Whether to email the customer about the credit.

  Returns:
    The credit granted, the ticket's total credits so far and whether the
    customer was notified.

  Raises:
    TicketNotFoundError: There is no ticket with this id.
    CreditLimitExceededError: The ticket's credits would exceed 250 USD.
  """
  if not 0 < amount <= CREDIT_LIMIT_PER_TICKET:
    raise ValueError(f"amount must be more than 0 and at most 250 USD, not {amount}.")
  amount = round(amount, 2)
  with connect() as connection:
    ticket = _find_ticket(connection, ticket_id)
    (already,) = connection.execute(
      "SELECT coalesce(sum(amount), 0) FROM credits WHERE ticket_id = ?", (ticket_id,)
    ).fetchone()
    if already + amount > CREDIT_LIMIT_PER_TICKET:
      raise CreditLimitExceededError(ticket_id, already, CREDIT_LIMIT_PER_TICKET)
    credit_id = connection.execute(
      "INSERT INTO credits (ticket_id, amount, customer_notified, created_at) VALUES (?, ?, ?, ?)",
      (ticket_id, amount, int(notify_customer), _now()),
    ).lastrowid
  return {
    "credit_id": credit_id,
    "ticket_id": ticket_id,
    "amount": amount,
    "currency": "USD",
    "total_credited": round(already + amount, 2),
    "customer_notified": notify_customer,
    "customer_email": ticket["email"],
  }


def remember_customer(email: str, tool_context: ToolContext) -> dict[str, Any]:
  """Makes this customer the one the conversation is about.

  The desk keeps the current customer in the session, so it stays known for
  the rest of the conversation.

  Args:
    email: The customer's email address.

  Returns:
    The customer remembered now under "current" and the one remembered before
    (or null) under "previous".

  Raises:
    CustomerNotFoundError: No customer has this email address.
  """
  with connect() as connection:
    customer = _find_customer(connection, email)
  current = f"{customer['name']} <{customer['email']}>, {customer['plan']} plan"
  previous = tool_context.state.get(CURRENT_CUSTOMER_KEY)
  tool_context.state[CURRENT_CUSTOMER_KEY] = current
  return {"previous": previous, "current": current}


def run_diagnostics(
  ticket_id: int, seconds: Annotated[float, Field(ge=0, le=30)] = 3.0
) -> dict[str, Any]:
  """Runs the account and order checks for a ticket. Slow: it takes a few seconds.

  Args:
    ticket_id: The ticket whose customer and order to check.
    seconds: How long the checks run, from 0 to 30 seconds.

  Returns:
    Each check with whether it passed and what it found, and "healthy" when
    all passed.

  Raises:
    TicketNotFoundError: There is no ticket with this id.
  """
  if not 0 <= seconds <= 30:
    raise ValueError(f"seconds must be between 0 and 30, not {seconds}.")
  with connect() as connection:
    ticket = _find_ticket(connection, ticket_id)
    open_tickets = connection.execute(
      "SELECT count(*) FROM tickets WHERE customer_id = ? AND status != 'closed'",
      (ticket["customer_id"],),
    ).fetchone()[0]
    order = None
    if ticket["order_id"] is not None:
      order = connection.execute(
        "SELECT * FROM orders WHERE id = ?", (ticket["order_id"],)
      ).fetchone()
  # Stands in for the slow checks a real desk would run against other systems.
  time.sleep(seconds)
  checks = [
    {"name": "account", "passed": True, "detail": f"{ticket['plan']} plan, active"},
    {
      "name": "open_tickets",
      "passed": open_tickets < 3,
      "detail": f"{open_tickets} open or pending ticket(s)",
    },
  ]
  if order is not None:
    checks.append(
      {
        "name": "order",
        "passed": order["status"] not in ("delayed", "cancelled"),
        "detail": f"{order['id']} is {order['status']}",
      }
    )
  return {
    "ticket_id": ticket_id,
    "healthy": all(check["passed"] for check in checks),
    "checks": checks,
  }


def _read_order(order_id: str) -> dict[str, Any]:
  with connect() as connection:
    row = connection.execute(
      "SELECT o.*, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?",
      (order_id.strip().upper(),),
    ).fetchone()
  if row is None:
    raise OrderNotFoundError(order_id)
  return {
    "order_id": row["id"],
    "status": row["status"],
    "total": row["total"],
    "carrier": row["carrier"],
    "tracking_number": row["tracking_number"],
    "estimated_delivery": row["estimated_delivery"],
    "customer_email": row["email"],
  }


async def lookup_order_status(order_id: str) -> dict[str, Any]:
  """Looks up where an order is: its status, carrier, tracking number and delivery date.

  Args:
    order_id: The order's id, e.g. "ORD-1001".

  Returns:
    The order's status and shipping details.

  Raises:
    OrderNotFoundError: There is no order with this id.
  """
  # A coroutine tool runs on the event loop, so the blocking read goes to a thread.
  return await asyncio.to_thread(_read_order, order_id)
