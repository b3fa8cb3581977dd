"""The quote agent: its rate tool, and a structured answer through set_model_response."""

from __future__ import annotations

import json
from types import ModuleType

import pytest
from pydantic import ValidationError

REQUEST = {
  "origin": "Lyon",
  "destination": "Lisbon",
  "nights": 3,
  "travellers": 2,
  "breakfast": True,
}
QUOTE = {
  "total": 462.0,
  "currency": "EUR",
  "line_items": [
    {"description": "Standard room, 3 nights", "quantity": 3, "unit_price": 110.0, "amount": 330.0},
    {"description": "City tax", "quantity": 6, "unit_price": 4.0, "amount": 24.0},
    {"description": "Breakfast", "quantity": 6, "unit_price": 18.0, "amount": 108.0},
  ],
  "notes": "Breakfast is served from 7 to 10.",
}


@pytest.fixture
def quote_agent(agents_on_path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
  # On Vertex AI, Gemini takes an output schema and tools together and ADK
  # offers no set_model_response tool; these tests are about the Gemini API.
  monkeypatch.delenv("GOOGLE_GENAI_USE_VERTEXAI", raising=False)
  return agents_on_path("quote_agent.agent")


def test_nightly_rate_prices_known_and_unknown_cities(quote_agent):
  lisbon = quote_agent.nightly_rate(city=" lisbon ")
  assert lisbon == {
    "city": "lisbon",
    "currency": "EUR",
    "estimated": False,
    "standard": 110.0,
    "suite": 205.0,
    "breakfast_per_person": 18.0,
    "city_tax_per_person_night": 4.0,
  }
  in_dollars = quote_agent.nightly_rate(city="Lisbon", currency="USD")
  assert (in_dollars["currency"], in_dollars["standard"]) == ("USD", 118.8)
  assert quote_agent.nightly_rate(city="Reykjavik")["estimated"] is True


def test_the_answer_schema_fits_a_priced_request(quote_agent):
  request = quote_agent.QuoteRequest.model_validate_json(json.dumps(REQUEST))
  assert (request.room, request.currency) == ("standard", "EUR")
  quote = quote_agent.Quote.model_validate(QUOTE)
  assert quote.total == sum(item.amount for item in quote.line_items)


async def test_a_structured_answer_ends_the_run_and_lands_in_state(quote_agent, run_script):
  invalid = {**QUOTE, "currency": "GBP"}
  run = await run_script(
    quote_agent.root_agent,
    json.dumps(REQUEST),
    [
      [("nightly_rate", {"city": "Lisbon"})],
      [("set_model_response", invalid)],
      [("set_model_response", QUOTE)],
    ],
  )

  offered = {
    declaration.name: declaration
    for tool in run.model.requests[0].config.tools or []
    for declaration in tool.function_declarations or []
  }
  assert set(offered) == {"nightly_rate", "set_model_response"}
  answer_schema = offered["set_model_response"].parameters_json_schema
  assert set(answer_schema["required"]) == {"total", "currency", "line_items"}
  assert "set_model_response" in str(run.model.requests[0].config.system_instruction)

  assert run.function_responses["nightly_rate"][0]["standard"] == 110.0
  rejected, accepted = run.function_responses["set_model_response"]
  assert "Validation Error" in rejected["error"]
  assert accepted == QUOTE

  final = run.events[-1]
  assert final.is_final_response() and final.author == "quote_agent"
  assert quote_agent.Quote.model_validate_json(final.content.parts[0].text).model_dump() == QUOTE
  assert run.session.state["quote"] == QUOTE


async def test_a_message_that_is_not_a_quote_request_is_refused(quote_agent, run_script):
  with pytest.raises(ValidationError, match="destination"):
    await run_script(quote_agent.root_agent, json.dumps({"origin": "Lyon"}), [])
