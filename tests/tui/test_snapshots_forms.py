"""What the tool call and final response screens look like (pytest-textual-snapshot).

Update with `uv run pytest tests/tui/test_snapshots_forms.py --snapshot-update`
and review every changed SVG before keeping it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any
from typing import Literal

import pytest
from google.adk.tools.function_tool import FunctionTool
from pydantic import BaseModel
from pydantic import Field
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets import TextArea

from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.tui.forms import FinalResponseScreen
from adk_simulator.tui.forms import ToolCallScreen

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"
FIXTURE_AGENTS = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


class Contact(BaseModel):
  name: str = Field(description="Who to call.")
  phone: str | None = Field(default=None, description="Their number, if known.")


class Parcel(BaseModel):
  label: str
  weight_kg: float = Field(gt=0)


def ship_order(
  order_id: str,
  recipient: Contact,
  parcels: list[Parcel],
  copies: int = 1,
  insured_value: float = 0.0,
  express: bool = False,
  speed: Literal["standard", "next_day"] = "standard",
  tags: list[str] = [],  # noqa: B006 -- ADK reads the default, never mutates it
  note: str | None = None,
  gift: bool | None = None,
  metadata: dict[str, Any] = {},  # noqa: B006
) -> dict[str, Any]:
  """Ships an order: one form with every kind of field.

  Args:
    order_id: The order to ship.
    recipient: Who receives it.
    parcels: The boxes, one per entry.
    copies: How many label copies to print.
    insured_value: Insurance in EUR; 0 for none.
    express: Whether to hand it to the express desk.
    speed: The carrier's service level.
    tags: Labels for the warehouse.
    note: A note for the driver.
    gift: Whether to wrap it; the shop decides when empty.
    metadata: Anything else, as JSON.
  """
  return {}


def spec(fn: Any) -> ToolSpec:
  return tool_spec_from_declaration(FunctionTool(fn)._get_declaration())


def request(tools: list[ToolSpec], output_schema: dict[str, Any] | None = None) -> ModelRequest:
  return ModelRequest(
    step=3,
    agent_name="demo_agent",
    system_instruction="",
    tools=tools,
    contents=[],
    output_schema=output_schema,
  )


@pytest.fixture
def helpdesk_tools(monkeypatch: pytest.MonkeyPatch) -> list[ToolSpec]:
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  tools = importlib.import_module("helpdesk_agent.tools")
  names = ["search_tickets", "get_customer", "create_ticket", "update_ticket_status"]
  names += ["apply_credit", "remember_customer", "run_diagnostics", "lookup_order_status"]
  return [spec(getattr(tools, name)) for name in names]


class ScreenApp(App[None]):
  def __init__(self, screen: Any) -> None:
    super().__init__()
    self.screen_under_test = screen

  def on_mount(self) -> None:
    self.push_screen(self.screen_under_test)


async def settle(pilot: Pilot[Any]) -> None:
  """Waits for the screen, then stops the cursors blinking (a snapshot must not flicker)."""
  await pilot.pause()
  for widget in pilot.app.screen.query("Input, TextArea"):
    if isinstance(widget, Input | TextArea):
      widget.cursor_blink = False
  await pilot.pause()


def test_tool_picker(snap_compare, helpdesk_tools: list[ToolSpec]):
  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press(*"tick")
    await settle(pilot)

  app = ScreenApp(ToolCallScreen(request(helpdesk_tools)))
  assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_form_with_every_kind_of_field(snap_compare):
  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ToolCallScreen)
    await screen.editor.form.set_args(
      {
        "order_id": "ORD-7",
        "recipient": {"name": "Maya"},
        "parcels": [{"label": "books", "weight_kg": 2.5}, {"label": "lamp", "weight_kg": 1}],
        "tags": ["fragile"],
        "metadata": {"source": "web"},
      }
    )
    screen.editor.form.focus_first()
    await settle(pilot)

  app = ScreenApp(ToolCallScreen(request([spec(ship_order)])))
  assert snap_compare(app, terminal_size=(100, 90), run_before=run_before)


def test_form_with_a_union_argument(snap_compare, monkeypatch: pytest.MonkeyPatch):
  monkeypatch.syspath_prepend(str(FIXTURE_AGENTS))
  shipping = importlib.import_module("shipping_agent.agent")

  async def run_before(pilot: Pilot[Any]) -> None:
    # Parcel label and weight, then the method picker: the second variant, a
    # point id the pattern refuses, and send.
    await pilot.press(*"Box 1", "tab", *"2.5", "tab", "enter", "down", "down", "enter")
    await pilot.pause()
    await pilot.press("tab", *"42", "ctrl+s")
    await settle(pilot)

  app = ScreenApp(ToolCallScreen(request([spec(shipping.ship)]), tool="ship"))
  assert snap_compare(app, terminal_size=(100, 50), run_before=run_before)


def test_form_showing_inline_errors(snap_compare, helpdesk_tools: list[ToolSpec]):
  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press(*"credit", "enter", "tab", "-", "ctrl+s")
    await settle(pilot)

  app = ScreenApp(ToolCallScreen(request(helpdesk_tools)))
  assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_parallel_turn_being_built(snap_compare, helpdesk_tools: list[ToolSpec]):
  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press(*"search", "enter", "r", "ctrl+t", *"get_c", "enter", *"m@x.io")
    await settle(pilot)

  app = ScreenApp(ToolCallScreen(request(helpdesk_tools)))
  assert snap_compare(app, terminal_size=(100, 32), run_before=run_before)


def test_final_response_for_an_output_schema(snap_compare, monkeypatch: pytest.MonkeyPatch):
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  quote = importlib.import_module("quote_agent.agent")

  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press(*"12", "tab", "enter", "down", "enter", "tab", "enter")
    await settle(pilot)

  screen = FinalResponseScreen(request([], output_schema=quote.Quote.model_json_schema()))
  assert snap_compare(ScreenApp(screen), terminal_size=(100, 40), run_before=run_before)


def test_final_response_as_text(snap_compare):
  async def run_before(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)

  app = ScreenApp(FinalResponseScreen(request([])))
  assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
