"""The tool call screen, driven with keys over the helpdesk agent's real tools."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from google.adk.tools.function_tool import FunctionTool
from textual.app import App
from textual.widgets import Input
from textual.widgets import Select
from textual.widgets import Switch

from adk_simulator.engine.runtime.turns import CallErrors
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.engine.schema.specs import validate_arguments
from adk_simulator.tui.forms import ToolCallScreen
from adk_simulator.tui.forms.schema_fields import ArrayField

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"
HELPDESK_TOOLS = [
  "search_tickets",
  "get_customer",
  "create_ticket",
  "update_ticket_status",
  "apply_credit",
  "remember_customer",
  "run_diagnostics",
  "lookup_order_status",
]


@pytest.fixture
def helpdesk_request(monkeypatch: pytest.MonkeyPatch) -> ModelRequest:
  """A model request offering the helpdesk tools, declared by ADK itself."""
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  tools = importlib.import_module("helpdesk_agent.tools")
  specs = [
    tool_spec_from_declaration(FunctionTool(getattr(tools, name))._get_declaration())
    for name in HELPDESK_TOOLS
  ]
  return ModelRequest(
    step=1, agent_name="helpdesk_agent", system_instruction="", tools=specs, contents=[]
  )


class ScreenHarness(App[None]):
  """Opens one screen and records what it dismisses with."""

  def __init__(self, screen: Any) -> None:
    super().__init__()
    self.screen_under_test = screen
    self.results: list[Any] = []

  def on_mount(self) -> None:
    self.push_screen(self.screen_under_test, self.results.append)


def one_call(tool: str, **args: Any) -> ToolCallsTurn:
  return ToolCallsTurn(calls=[CallRequest(tool=tool, args=args)])


async def test_filter_pick_fill_and_execute_keeps_types(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    assert app.focused is screen.picker.filter_input
    await pilot.press(*"credit")
    assert screen.picker.visible_tools() == ["apply_credit"]
    await pilot.press("enter")
    await pilot.pause()
    assert screen.current_tool is not None and screen.current_tool.name == "apply_credit"
    # Focus starts on the first field; tab walks the fields.
    assert app.focused is screen.editor.form.control("ticket_id")
    await pilot.press("7", "tab", *"12.5", "tab")
    assert isinstance(app.focused, Switch) and app.focused.value is True
    await pilot.press("space", "ctrl+s")
    await pilot.pause()
  assert app.results == [one_call("apply_credit", ticket_id=7, amount=12.5, notify_customer=False)]
  args = app.results[0].calls[0].args
  assert type(args["ticket_id"]) is int and type(args["amount"]) is float


async def test_integer_field_refuses_letters_and_points(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"apply_credit", "enter")
    await pilot.pause()
    await pilot.press(*"1x2.5")
    ticket = screen.editor.form.control("ticket_id")
    assert isinstance(ticket, Input) and ticket.value == "125"


async def test_nested_object_enum_lists_and_optional(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"create", "enter")
    await pilot.pause()
    form = screen.editor.form
    # customer.name, customer.email, customer.plan: the nested object's fields come first.
    await pilot.press("M", "tab", *"m@x.io", "tab")
    assert app.focused is form.control("customer.plan")
    await pilot.press("enter", "down", "down", "enter")  # (empty) -> free -> pro
    await pilot.press("tab", "S", "tab")
    assert app.focused is form.control("priority")
    await pilot.press("enter", "down", "down", "down", "enter")  # (empty) -> urgent
    priority = form.control("priority")
    assert isinstance(priority, Select) and priority.selection == 2

    # tags: "+ add" twice; each new row takes the focus.
    await pilot.press("tab", "enter", "a")
    tags = form.field_widget("tags")
    assert isinstance(tags, ArrayField)
    tags.query_one(".array-add").focus()
    await pilot.press("enter", "b")

    # attachments: add two, fill both, remove the first.
    attachments = form.field_widget("attachments")
    assert isinstance(attachments, ArrayField)
    attachments.query_one(".array-add").focus()
    await pilot.press("enter", "f", "tab", "1")
    attachments.query_one(".array-add").focus()
    await pilot.press("enter", "g", "tab", "2")
    remove_first = attachments.rows()[0].query_one(".row-remove")
    # By keyboard: a click can miss a button that is still scrolling into view.
    remove_first.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    rows = attachments.rows()
    assert len(rows) == 1
    assert "Attachment 1" in str(rows[0].entry.border_title)
    await pilot.press("ctrl+s")
    await pilot.pause()
  # The optional description (left empty) and attachment description are left out.
  assert app.results == [
    one_call(
      "create_ticket",
      customer={"name": "M", "email": "m@x.io", "plan": "pro"},
      subject="S",
      priority="urgent",
      tags=["a", "b"],
      attachments=[{"filename": "g", "size_kb": 2}],
    )
  ]


async def test_missing_required_field_is_shown_and_nothing_is_sent(
  helpdesk_request: ModelRequest,
):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"apply_credit", "enter")
    await pilot.pause()
    await pilot.press("tab", *"300", "ctrl+s")
    await pilot.pause()
    form = screen.editor.form
    assert app.results == []
    assert form.errors_at("ticket_id") == ["required field missing"]
    assert form.errors_at("amount") == []
    assert app.focused is form.control("ticket_id")  # where the fix goes
    # Converted, but out of the tool's bounds: the schema's own check.
    await pilot.press("7", "ctrl+s")
    await pilot.pause()
    assert app.results == []
    assert form.errors_at("ticket_id") == []
    assert form.errors_at("amount") == ["must be at most 250.0"]
    # ctrl+t refuses the same way: nothing is added to the turn.
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert screen.queued == [] and screen.in_form
    form.control("amount").focus()  # selects the text, as a click would not
    await pilot.press("end", "backspace", "backspace", "ctrl+s")
    await pilot.pause()
  # The switch was never touched: its default is the tool's to apply, not sent.
  assert app.results == [one_call("apply_credit", ticket_id=7, amount=3)]


async def test_raw_json_round_trip(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"credit", "enter")
    await pilot.pause()
    await pilot.press("7", "tab", *"12.5", "ctrl+j")
    await pilot.pause()
    editor = screen.editor
    assert editor.json_mode and app.focused is editor.json_text
    # Only what was set: the untouched switch's default is not in the call.
    assert json.loads(editor.json_text.text) == {"ticket_id": 7, "amount": 12.5}
    # Broken JSON stays in the editor, with the reason, and is not sent.
    await pilot.press("x", "ctrl+j", "ctrl+s")
    await pilot.pause()
    assert editor.json_mode and app.results == []
    assert editor.json_errors[0].message.startswith("invalid JSON")
    # A value the form cannot hold (an undeclared argument) keeps it in JSON too.
    await pilot.press("backspace", "right", *'"x":1,', "ctrl+j")
    await pilot.pause()
    assert editor.json_mode
    assert [(e.path, e.message) for e in editor.json_errors] == [("x", "unknown argument")]
    # Take it out again and change the ticket id (line 2: `  "ticket_id": 7,`).
    await pilot.press(*["backspace"] * 6, "down", "end", "left", "backspace", "8", "ctrl+j")
    await pilot.pause()
    assert not editor.json_mode
    form = editor.form
    assert app.focused is form.control("ticket_id")
    assert form.get_values() == {"ticket_id": "8", "amount": "12.5", "notify_customer": None}
    await pilot.press("ctrl+s")
    await pilot.pause()
  assert app.results == [one_call("apply_credit", ticket_id=8, amount=12.5)]


async def test_two_added_calls_make_one_parallel_turn_in_order(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"search", "enter")
    await pilot.pause()
    await pilot.press("r", "ctrl+t")
    await pilot.pause()
    assert not screen.in_form and app.focused is screen.picker.filter_input
    assert screen.queued == [CallRequest(tool="search_tickets", args={"query": "r"})]
    await pilot.press(*"get_c", "enter")
    await pilot.pause()
    await pilot.press(*"m@x", "ctrl+t")
    await pilot.pause()
    await pilot.press(*"lookup", "enter")
    await pilot.pause()
    await pilot.press("O", "ctrl+s")
    await pilot.pause()
  assert app.results == [
    ToolCallsTurn(
      calls=[
        CallRequest(tool="search_tickets", args={"query": "r"}),
        CallRequest(tool="get_customer", args={"email": "m@x"}),
        CallRequest(tool="lookup_order_status", args={"order_id": "O"}),
      ]
    )
  ]


async def test_execute_from_the_picker_sends_the_added_calls(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press("ctrl+s")  # nothing added yet: nothing to execute
    await pilot.pause()
    assert app.results == []
    await pilot.press(*"get_customer", "enter")
    await pilot.pause()
    await pilot.press(*"a@b.c", "ctrl+t")
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
  assert app.results == [one_call("get_customer", email="a@b.c")]


async def test_escape_goes_back_then_cancels(helpdesk_request: ModelRequest):
  screen = ToolCallScreen(helpdesk_request)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.press(*"status", "down", "enter")
    await pilot.pause()
    assert screen.current_tool is not None
    assert screen.current_tool.name == "lookup_order_status"
    footer_keys = {b.binding.description for b in screen.active_bindings.values()}
    assert {"Execute turn", "Add to turn", "Form/raw JSON", "Back to tools"} <= footer_keys
    await pilot.press("escape")
    await pilot.pause()
    assert not screen.in_form and app.results == []
    assert app.focused is screen.picker.filter_input
    footer_keys = {b.binding.description for b in screen.active_bindings.values()}
    assert "Cancel" in footer_keys and "Add to turn" not in footer_keys
    await pilot.press("escape")
    await pilot.pause()
  assert app.results == [None]


async def test_reopens_a_refused_turn_at_the_call_in_error(helpdesk_request: ModelRequest):
  refused = ToolCallsTurn(
    calls=[
      CallRequest(tool="get_customer", args={"email": "maya@example.com"}),
      CallRequest(tool="apply_credit", args={"ticket_id": 7, "amount": 900.0}),
      CallRequest(tool="remember_customer", args={"email": "maya@example.com"}),
    ]
  )
  credit = helpdesk_request.tool("apply_credit")
  assert credit is not None
  errors = validate_arguments(credit, refused.calls[1].args)
  error = TurnValidationError([CallErrors(index=1, tool="apply_credit", errors=errors)])
  screen = ToolCallScreen(helpdesk_request, turn=refused, errors=error)
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    assert screen.current_tool == credit
    form = screen.editor.form
    assert form.errors_at("amount") == ["must be at most 250.0"]
    assert [c.tool for c in screen.queued] == ["get_customer", "remember_customer"]
    amount = form.control("amount")
    assert isinstance(amount, Input)
    amount.focus()
    await pilot.press("end", *["backspace"] * 5, *"90", "ctrl+s")
    await pilot.pause()
  assert app.results == [
    ToolCallsTurn(
      calls=[
        refused.calls[0],
        CallRequest(tool="apply_credit", args={"ticket_id": 7, "amount": 90}),
        refused.calls[2],
      ]
    )
  ]


async def test_a_tool_without_arguments_and_opening_at_a_tool(helpdesk_request: ModelRequest):
  ping = ToolSpec(name="ping", description="Checks the desk is up.", parameters={"type": "object"})
  request = helpdesk_request.model_copy(update={"tools": [*helpdesk_request.tools, ping]})
  screen = ToolCallScreen(request, tool="ping")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    assert screen.current_tool == ping
    await pilot.press("ctrl+s")
    await pilot.pause()
  assert app.results == [one_call("ping")]
