"""Union arguments (`method: Union[Courier, Pickup]`) in the tool call form, driven with keys.

The tools are the shipping fixture agent's, loaded by the real loader; the
form is the one their model request declares.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets import Select
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text
from tui_helpers import wait_until

from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms import ToolCallScreen
from adk_simulator.tui.forms.schema_fields import ArrayField
from adk_simulator.tui.forms.union_field import UnionField

SHIPPING = {
  "Shipping": {
    "agent": Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "shipping_agent",
    "eval_set": "evalsets/shipping.evalset.json",
  }
}


@pytest.fixture
async def shipping_request(tui_workspace: WorkspaceFactory) -> AsyncIterator[ModelRequest]:
  """The shipping agent's first model request, as the runtime makes it."""
  workspace = tui_workspace(extra=SHIPPING)
  loaded = workspace.load_agent(workspace.agents[0])
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)  # type: ignore[arg-type]
  await simulation.submit_query("Ship my box")
  assert simulation.pending is not None
  yield simulation.pending
  await simulation.abandon()


class ScreenHarness(App[None]):
  """Opens one screen and records what it dismisses with."""

  def __init__(self, screen: Any) -> None:
    super().__init__()
    self.screen_under_test = screen
    self.results: list[Any] = []

  def on_mount(self) -> None:
    self.push_screen(self.screen_under_test, self.results.append)


def union(screen: ToolCallScreen, path: str) -> UnionField:
  widget = screen.editor.form.field_widget(path)
  assert isinstance(widget, UnionField), widget
  return widget


async def choose(pilot: Pilot[Any], field: UnionField, label: str) -> None:
  """Opens the field's variant picker and picks `label` with the arrow keys."""
  labels = [variant.title for variant in field.field.variants]
  field.select.focus()
  # The picker opens on its current line: the blank one before any choice.
  start = 0 if field.variant is None else field.variant + 1
  steps = labels.index(label) + 1 - start
  await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
  await wait_until(pilot, lambda: field.variant == labels.index(label))
  await pilot.pause()


async def fill_parcel(pilot: Pilot[Any]) -> None:
  """The form opens on the parcel's label: type it and the weight, tab to the method."""
  await type_text(pilot, "Box 1")
  await pilot.press("tab")
  await type_text(pilot, "2.5")
  await pilot.press("tab")


async def test_each_variant_picked_with_keys_sends_exactly_its_object(
  shipping_request: ModelRequest,
):
  screen = ToolCallScreen(shipping_request, tool="ship")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 50)) as pilot:
    await settle(pilot)
    await fill_parcel(pilot)
    method = union(screen, "method")
    assert app.focused is method.select and method.variant is None
    assert [variant.title for variant in method.field.variants] == ["courier", "pickup"]

    await pilot.press("enter", "down", "enter")
    await wait_until(pilot, lambda: method.variant == 0)
    await pilot.pause()
    await pilot.press("tab")
    address = screen.editor.form.control("method.address")
    assert app.focused is address
    await type_text(pilot, "1 Main St")
    await pilot.press("ctrl+t")  # keep this call, make another
    await settle(pilot)

    await pilot.press(*"ship", "enter")
    await settle(pilot)
    await fill_parcel(pilot)
    method = union(screen, "method")
    await pilot.press("enter", "down", "down", "enter")
    await wait_until(pilot, lambda: method.variant == 1)
    await pilot.pause()
    await pilot.press("tab")
    await type_text(pilot, "P042")
    await pilot.press("tab", "ctrl+a", "ctrl+k")  # empties the field
    await type_text(pilot, "7")
    await pilot.press("ctrl+s")
    await settle(pilot)

  (turn,) = app.results
  assert isinstance(turn, ToolCallsTurn)
  parcel = {"label": "Box 1", "weight_kg": 2.5}
  assert [(c.tool, c.args) for c in turn.calls] == [
    (
      "ship",
      {"parcel": parcel, "method": {"kind": "courier", "address": "1 Main St"}},
    ),
    ("ship", {"parcel": parcel, "method": {"kind": "pickup", "point_id": "P042", "hold_days": 7}}),
  ]


async def test_switching_variant_replaces_the_fields_and_brings_back_what_was_typed(
  shipping_request: ModelRequest,
):
  screen = ToolCallScreen(shipping_request, tool="ship")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 50)) as pilot:
    await settle(pilot)
    form = screen.editor.form
    method = union(screen, "method")
    await choose(pilot, method, "courier")
    form.control("method.address").focus()
    await type_text(pilot, "1 Main St")

    await choose(pilot, method, "pickup")
    assert form.field_widget("method.address") is None
    assert [path for path, _ in method.child_fields("method")] == [
      "method.point_id",
      "method.hold_days",
    ]
    hold_days = form.control("method.hold_days")
    # The variant's default is a hint: left untouched, it is not sent.
    assert isinstance(hold_days, Input) and hold_days.value == ""
    assert "tool default 3" in hold_days.placeholder
    args, _ = form.get_args()
    assert args["method"] == {"kind": "pickup"}  # point_id is still blank

    await choose(pilot, method, "courier")
    address = form.control("method.address")
    assert isinstance(address, Input) and address.value == "1 Main St"
    args, _ = form.get_args()
    assert args["method"] == {"kind": "courier", "address": "1 Main St"}


async def test_a_variant_fields_error_shows_under_it(shipping_request: ModelRequest):
  screen = ToolCallScreen(shipping_request, tool="ship")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 50)) as pilot:
    await settle(pilot)
    await fill_parcel(pilot)
    form = screen.editor.form
    method = union(screen, "method")
    await choose(pilot, method, "pickup")
    await pilot.press("tab")
    await type_text(pilot, "42")
    await pilot.press("tab", "ctrl+a", "ctrl+k")
    await type_text(pilot, "20")
    await pilot.press("ctrl+s")
    await settle(pilot)

    assert app.results == [] and screen.is_current  # nothing was sent
    assert form.errors_at("method.point_id") == ["must match the pattern '^P\\\\d{3}$'"]
    assert form.errors_at("method.hold_days") == ["must be at most 14"]
    assert form.errors_at("method") == []
    # The focus stays where it was: in a field in error.
    assert app.focused is form.control("method.hold_days")

    await pilot.press("ctrl+a", "ctrl+k", "5")
    assert form.errors_at("method.hold_days") == []  # typing clears the stale message
    assert form.errors_at("method.point_id") != []
    form.control("method.point_id").focus()
    await pilot.press("ctrl+a", "ctrl+k")
    await type_text(pilot, "P042")
    await pilot.press("ctrl+s")
    await settle(pilot)

  (turn,) = app.results
  assert turn.calls[0].args["method"] == {"kind": "pickup", "point_id": "P042", "hold_days": 5}


async def test_no_variant_chosen_is_a_missing_argument(shipping_request: ModelRequest):
  screen = ToolCallScreen(shipping_request, tool="ship")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 50)) as pilot:
    await settle(pilot)
    await fill_parcel(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    method = union(screen, "method")
    assert screen.editor.form.errors_at("method") == ["required field missing"]
    assert app.focused is method.select
    assert app.results == []


async def test_a_union_in_a_list_and_an_optional_union(shipping_request: ModelRequest):
  screen = ToolCallScreen(shipping_request, tool="ship")
  app = ScreenHarness(screen)
  async with app.run_test(size=(120, 60)) as pilot:
    await settle(pilot)
    form = screen.editor.form
    await fill_parcel(pilot)
    await choose(pilot, union(screen, "method"), "courier")
    form.control("method.address").focus()
    await type_text(pilot, "1 Main St")
    fallbacks = form.field_widget("fallbacks")
    assert isinstance(fallbacks, ArrayField)
    await fallbacks.add_row()
    await pilot.pause()
    entry = union(screen, "fallbacks[0]")
    assert app.focused is entry.select  # a new entry starts at its variant picker
    await choose(pilot, entry, "pickup")
    form.control("fallbacks[0].point_id").focus()
    await type_text(pilot, "P001")
    args, errors = screen.editor.check()
    assert errors == []
    assert args["fallbacks"] == [{"kind": "pickup", "point_id": "P001"}]

    # Raw JSON and back: each entry comes back in its variant.
    await pilot.press("ctrl+j")
    await pilot.pause()
    assert screen.editor.json_mode
    await pilot.press("ctrl+j")
    await settle(pilot)
    assert not screen.editor.json_mode
    assert union(screen, "fallbacks[0]").variant == 1
    assert screen.editor.form.get_args() == (args, [])

    await pilot.press("escape")  # back to the tools
    await settle(pilot)
    await pilot.press(*"track", "enter")
    await settle(pilot)
    await type_text(pilot, "Box 1")
    notify = union(screen, "notify")
    assert [variant.title for variant in notify.field.variants] == ["Email", "Sms"]
    select = notify.select
    assert isinstance(select, Select) and select.is_blank()
    args, errors = screen.editor.check()
    assert (args, errors) == ({"label": "Box 1"}, [])  # left out: the tool's default
    await choose(pilot, notify, "Sms")
    form = screen.editor.form
    form.control("notify.phone").focus()
    await type_text(pilot, "555")
    args, errors = screen.editor.check()
    assert errors == []
    assert args == {"label": "Box 1", "notify": {"phone": "555"}}


async def test_the_tool_runs_with_the_chosen_variant(tui_workspace: WorkspaceFactory):
  app = SimulatorApp(tui_workspace(extra=SHIPPING))
  async with app.run_test(size=(120, 50)) as pilot:
    await pick_agent(pilot, "Shipping")
    await send_query(pilot, "Ship my box to the pickup point P042")
    await pilot.press("t")
    await settle(pilot)
    await pilot.press(*"ship", "enter")
    await settle(pilot)
    await fill_parcel(pilot)
    await pilot.press("enter", "down", "down", "enter")
    await pilot.pause()
    await pilot.press("tab")
    await type_text(pilot, "P042")
    await pilot.press("ctrl+s")
    await settle(pilot)
    simulation = app.simulation
    assert simulation is not None
    await wait_until(pilot, lambda: isinstance(simulation.history.entries[-1], ToolOutput))

  call, output = simulation.history.entries[-2:]
  assert isinstance(call, ToolCall) and isinstance(output, ToolOutput)
  assert call.args == {
    "parcel": {"label": "Box 1", "weight_kg": 2.5},
    "method": {"kind": "pickup", "point_id": "P042"},
  }
  assert output.output["method"] == "Pickup"  # ADK built the model the union names
