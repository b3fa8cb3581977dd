"""The final response screen and the structured query form, on the quote agent's schemas."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from textual.app import App
from textual.app import ComposeResult
from textual.widgets import Input
from textual.widgets import TextArea

from adk_simulator.engine.runtime.turns import CallErrors
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.tui.forms import FinalResponseScreen
from adk_simulator.tui.forms import StructuredQueryForm
from adk_simulator.tui.forms.schema_fields import ArrayField

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"


@pytest.fixture
def quote_agent(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module("quote_agent.agent")


def request_for(output_schema: dict[str, Any] | None) -> ModelRequest:
  return ModelRequest(
    step=2,
    agent_name="quote_agent",
    system_instruction="",
    tools=[],
    contents=[],
    output_schema=output_schema,
  )


class ScreenHarness(App[None]):
  """Opens one screen and records what it dismisses with."""

  def __init__(self, screen: Any) -> None:
    super().__init__()
    self.screen_under_test = screen
    self.results: list[Any] = []

  def on_mount(self) -> None:
    self.push_screen(self.screen_under_test, self.results.append)


async def test_text_answer_is_sent_as_typed():
  screen = FinalResponseScreen(request_for(None))
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    assert isinstance(app.focused, TextArea)
    await pilot.press("ctrl+s")  # empty: refused, with the reason under the text
    await pilot.pause()
    assert app.results == [] and screen.text_errors == ["the answer is empty"]
    await pilot.press(*"Hi", "enter", *"Bye", "ctrl+s")
    await pilot.pause()
  assert app.results == [FinalTurn(text="Hi\nBye")]


async def test_escape_cancels():
  app = ScreenHarness(FinalResponseScreen(request_for(None)))
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press("x", "escape")
    await pilot.pause()
  assert app.results == [None]


async def test_output_schema_answer_is_checked_then_sent(quote_agent: ModuleType):
  schema = quote_agent.Quote.model_json_schema()
  screen = FinalResponseScreen(request_for(schema))
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    form = screen.editor.form
    assert app.focused is form.control("total")
    await pilot.press(*"-5", "ctrl+s")
    await pilot.pause()
    assert app.results == []
    assert form.errors_at("currency") == ["required field missing"]
    # The focus went to the field in error. Pick the currency, add a line item.
    assert app.focused is form.control("currency")
    await pilot.press("enter", "down", "down", "enter")  # (empty) -> USD
    line_items = form.field_widget("line_items")
    assert isinstance(line_items, ArrayField)
    line_items.query_one(".array-add").focus()
    await pilot.press("enter", "R", "tab", "2", "tab", "5", "tab", "1", "0", "ctrl+s")
    await pilot.pause()
    assert app.results == []
    assert form.errors_at("total") == ["must be at least 0"]
    total = form.control("total")
    assert isinstance(total, Input)
    total.focus()
    await pilot.press("home", "delete", "ctrl+s")
    await pilot.pause()
  payload = {
    "total": 5,
    "currency": "USD",
    "line_items": [{"description": "R", "quantity": 2, "unit_price": 5, "amount": 10}],
  }
  assert app.results == [FinalTurn(payload=payload)]
  quote_agent.Quote.model_validate(payload)


async def test_output_schema_answer_as_raw_json(quote_agent: ModuleType):
  schema = quote_agent.Quote.model_json_schema()
  screen = FinalResponseScreen(request_for(schema))
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press("0", "ctrl+j")
    await pilot.pause()
    # The currency, still missing, is simply not in the JSON yet.
    editor = screen.editor
    assert editor.json_mode
    assert json.loads(editor.json_text.text) == {"total": 0, "line_items": []}
    await pilot.press("right", *'"currency":"EUR",', "ctrl+s")
    await pilot.pause()
  assert app.results == [FinalTurn(payload={"total": 0, "currency": "EUR", "line_items": []})]


async def test_reopened_answer_shows_the_engine_errors(quote_agent: ModuleType):
  schema = quote_agent.Quote.model_json_schema()
  refused = FinalTurn(payload={"total": 1, "currency": "EUR", "line_items": []})
  error = TurnValidationError(
    [
      CallErrors(
        index=0,
        tool="final response",
        errors=[
          FieldError(path="total", message="does not add up"),
          FieldError(path="currency", message="not for this hotel"),
        ],
      )
    ]
  )
  screen = FinalResponseScreen(request_for(schema), turn=refused, errors=error)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    form = screen.editor.form
    # Still shown once every widget has reported its first value.
    assert form.errors_at("total") == ["does not add up"]
    assert form.errors_at("currency") == ["not for this hotel"]
    assert form.get_args() == (refused.payload, [])
    assert app.focused is form.control("total")


async def test_reopened_text_answer_shows_the_engine_errors():
  error = TurnValidationError(
    [CallErrors(index=0, tool="final response", errors=[FieldError(path="", message="too long")])]
  )
  screen = FinalResponseScreen(request_for(None), turn=FinalTurn(text="Hello"), errors=error)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    assert screen.text_errors == ["too long"]
    await pilot.press("end", "!")
    assert screen.text_errors == []
    await pilot.press("ctrl+s")
    await pilot.pause()
  assert app.results == [FinalTurn(text="Hello!")]


class QueryApp(App[None]):
  def __init__(self, schema: dict[str, Any]) -> None:
    super().__init__()
    self.schema = schema

  def compose(self) -> ComposeResult:
    yield StructuredQueryForm(self.schema)

  def on_mount(self) -> None:
    self.query_one(StructuredQueryForm).focus_first()


async def test_structured_query_form(quote_agent: ModuleType):
  app = QueryApp(quote_agent.QuoteRequest.model_json_schema())
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    query = app.query_one(StructuredQueryForm)
    await pilot.press("L", "tab", "P", "tab", "0", "tab", "2")
    payload, errors = query.get_payload()
    assert errors == [FieldError(path="nights", message="must be at least 1")]
    assert query.form.errors_at("nights") == ["must be at least 1"]
    nights = query.form.control("nights")
    assert isinstance(nights, Input)
    nights.focus()
    await pilot.press("end", "backspace", "3")
    payload, errors = query.get_payload()
  assert errors == []
  # What was set; the agent's input model fills in its own defaults.
  assert payload == {"origin": "L", "destination": "P", "nights": 3, "travellers": 2}
  request = quote_agent.QuoteRequest.model_validate(payload)
  assert (request.room, request.breakfast, request.currency) == ("standard", False, "EUR")
