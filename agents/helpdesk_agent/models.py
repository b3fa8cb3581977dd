"""Argument models and domain errors of the helpdesk tools."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from pydantic import Field

TicketStatus = Literal["open", "pending", "closed"]
TicketPriority = Literal["low", "normal", "urgent"]
Plan = Literal["free", "pro", "enterprise"]


class NewCustomer(BaseModel):
  """The customer a new ticket is for; an existing email reuses that customer."""

  name: str = Field(description="The customer's full name.")
  email: str = Field(description="The customer's email address; it identifies the customer.")
  plan: Plan = Field(default="free", description="The subscription plan of a new customer.")


class Attachment(BaseModel):
  """A file the customer sent along with a ticket."""

  filename: str = Field(description="The file's name, e.g. 'screenshot.png'.")
  size_kb: int = Field(ge=0, description="The file's size in kilobytes.")
  description: str | None = Field(default=None, description="What the file shows, if known.")


class CustomerNotFoundError(LookupError):
  """No customer has the given email address."""

  def __init__(self, email: str):
    super().__init__(
      f"No customer has the email {email!r}. Check the spelling with the customer,"
      " or search their tickets by name with search_tickets."
    )
    self.email = email


class TicketNotFoundError(LookupError):
  """No ticket has the given id."""

  def __init__(self, ticket_id: int):
    super().__init__(
      f"There is no ticket #{ticket_id}. Use search_tickets to find the right ticket id."
    )
    self.ticket_id = ticket_id


class OrderNotFoundError(LookupError):
  """No order has the given id."""

  def __init__(self, order_id: str):
    super().__init__(
      f"There is no order {order_id!r}. Order ids look like 'ORD-1001'; get_customer"
      " lists a customer's orders."
    )
    self.order_id = order_id


class CreditLimitExceededError(ValueError):
  """A credit would take a ticket over what the desk may grant without a manager."""

  def __init__(self, ticket_id: int, already_credited: float, limit: float):
    super().__init__(
      f"Ticket #{ticket_id} already has {already_credited:.2f} USD in credits; the desk may"
      f" grant at most {limit:.2f} USD per ticket. Escalate to a manager for more."
    )
    self.ticket_id = ticket_id
