"""A customer support desk over a real SQLite database built from `seed.sql`.

The instruction reads two session-state keys: `desk_name` (required; the
project's initial state sets it) and `current_customer` (optional; the
`remember_customer` tool sets it).
"""

from __future__ import annotations

from google.adk.agents import Agent

from .tools import apply_credit
from .tools import create_ticket
from .tools import get_customer
from .tools import lookup_order_status
from .tools import remember_customer
from .tools import run_diagnostics
from .tools import search_tickets
from .tools import update_ticket_status

root_agent = Agent(
  name="helpdesk_agent",
  model="gemini-2.5-flash",
  description="Answers customer support requests from the ticket, customer and order database.",
  instruction=(
    "You are a friendly support agent on the {desk_name} help desk.\n"
    "Customer remembered for this conversation (blank if none yet): {current_customer?}\n\n"
    "Find facts with the tools before you answer; never guess ticket, order or"
    " customer details. When the customer gives their email, look them up and"
    " remember them. Open a ticket for any new problem. Credits need a ticket and"
    " stay within the desk's limit. Answer in two or three short sentences."
  ),
  tools=[
    search_tickets,
    get_customer,
    create_ticket,
    update_ticket_status,
    apply_credit,
    remember_customer,
    run_diagnostics,
    lookup_order_status,
  ],
)
