"""A hotel stay quote agent with structured input and output.

The user message is the JSON of a `QuoteRequest`; the answer is a `Quote`. The
agent also has a tool, so ADK (with the Gemini API) offers the model its
`set_model_response` tool for the structured answer instead of asking for JSON
text, and stores the quote in session state under `quote` (the `output_key`).
"""

from __future__ import annotations

from typing import Any
from typing import Literal

from google.adk.agents import Agent
from pydantic import BaseModel
from pydantic import Field

Currency = Literal["EUR", "USD"]

# Nightly rates in EUR; a city not listed gets the regional estimate.
_NIGHTLY_RATES_EUR: dict[str, dict[str, float]] = {
  "amsterdam": {"standard": 165.0, "suite": 310.0},
  "barcelona": {"standard": 140.0, "suite": 265.0},
  "berlin": {"standard": 120.0, "suite": 230.0},
  "lisbon": {"standard": 110.0, "suite": 205.0},
  "paris": {"standard": 190.0, "suite": 360.0},
  "rome": {"standard": 150.0, "suite": 280.0},
}
_ESTIMATED_RATES_EUR = {"standard": 130.0, "suite": 250.0}
_BREAKFAST_PER_PERSON_EUR = 18.0
_CITY_TAX_PER_PERSON_NIGHT_EUR = 4.0
_USD_PER_EUR = 1.08


class QuoteRequest(BaseModel):
  """A request for the price of a hotel stay."""

  origin: str = Field(description="Where the travellers come from, e.g. 'Lyon'.")
  destination: str = Field(description="The city to stay in, e.g. 'Lisbon'.")
  nights: int = Field(ge=1, le=30, description="How many nights to stay.")
  travellers: int = Field(ge=1, le=8, description="How many people travel.")
  room: Literal["standard", "suite"] = Field(default="standard", description="The room type.")
  breakfast: bool = Field(default=False, description="Whether to include breakfast.")
  currency: Currency = Field(default="EUR", description="The currency of the quote.")


class LineItem(BaseModel):
  """One priced part of a quote."""

  description: str = Field(description="What is charged, e.g. 'Standard room, 3 nights'.")
  quantity: int = Field(ge=1, description="How many units are charged.")
  unit_price: float = Field(ge=0, description="The price of one unit.")
  amount: float = Field(ge=0, description="quantity times unit_price.")


class Quote(BaseModel):
  """The priced answer to a QuoteRequest."""

  total: float = Field(ge=0, description="The sum of all line item amounts.")
  currency: Currency = Field(description="The currency of every price in the quote.")
  line_items: list[LineItem] = Field(description="The priced parts of the stay.")
  notes: str | None = Field(default=None, description="Anything the traveller should know.")


def nightly_rate(city: str, currency: Currency = "EUR") -> dict[str, Any]:
  """Looks up a city's hotel prices per night and the extras per person.

  Args:
    city: The city, e.g. "Lisbon".
    currency: The currency to quote the prices in.

  Returns:
    The price per night of a standard room and of a suite, breakfast per person
    per night and city tax per person per night. "estimated" is true when the
    city is not in the rate sheet and regional averages were used.
  """
  known = _NIGHTLY_RATES_EUR.get(city.strip().lower())
  rates = known or _ESTIMATED_RATES_EUR
  factor = 1.0 if currency == "EUR" else _USD_PER_EUR
  return {
    "city": city.strip(),
    "currency": currency,
    "estimated": known is None,
    "standard": round(rates["standard"] * factor, 2),
    "suite": round(rates["suite"] * factor, 2),
    "breakfast_per_person": round(_BREAKFAST_PER_PERSON_EUR * factor, 2),
    "city_tax_per_person_night": round(_CITY_TAX_PER_PERSON_NIGHT_EUR * factor, 2),
  }


root_agent = Agent(
  name="quote_agent",
  model="gemini-2.5-flash",
  description="Prices hotel stays: give it a QuoteRequest, get a Quote back.",
  instruction=(
    "The user message is a JSON QuoteRequest. Look up the destination's rates"
    " with nightly_rate in the requested currency. Build the quote from line"
    " items: the room (quantity = nights, unit price = the room type's nightly"
    " rate), city tax (quantity = nights x travellers) and, if asked for,"
    " breakfast (quantity = nights x travellers). The total is the sum of the"
    " amounts. Mention estimated rates in the notes."
  ),
  tools=[nightly_rate],
  input_schema=QuoteRequest,
  output_schema=Quote,
  output_key="quote",
)
