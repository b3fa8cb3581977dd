"""Union parameters (`Union[Courier, Pickup]`) as forms: a choice of variant, then its fields.

The schemas are the ones ADK declares for the shipping fixture agent's tools,
loaded through the real loader and read from the real model request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

import pytest
from fixture_agents import fixture_workspace
from google.adk.tools import FunctionTool
from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.schema.forms import FormField
from adk_simulator.engine.schema.forms import UnionValue
from adk_simulator.engine.schema.forms import args_to_values
from adk_simulator.engine.schema.forms import form_from_schema
from adk_simulator.engine.schema.forms import initial_values
from adk_simulator.engine.schema.forms import is_blank
from adk_simulator.engine.schema.forms import match_variant
from adk_simulator.engine.schema.forms import values_to_args
from adk_simulator.engine.schema.forms import variant_value
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.engine.schema.specs import validate_arguments

PARCEL = {"label": "Box 1", "weight_kg": 2.5}


async def start(tmp_path: Path) -> Simulation:
  workspace, loaded = fixture_workspace(tmp_path, "Shipping", "shipping_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)
  await simulation.submit_query("Ship my box")
  return simulation


@pytest.fixture
async def shipping_tools(tmp_path: Path) -> AsyncIterator[dict[str, ToolSpec]]:
  """The shipping agent's tools as the model request offers them."""
  simulation = await start(tmp_path)
  assert simulation.pending is not None
  yield {tool.name: tool for tool in simulation.pending.tools}
  await simulation.abandon()


def _by_name(fields: list[FormField]) -> dict[str, FormField]:
  return {field.name: field for field in fields}


def test_adk_declares_a_union_of_models_as_any_of_refs(shipping_tools: dict[str, ToolSpec]):
  parameters = shipping_tools["ship"].parameters
  method = parameters["properties"]["method"]

  assert method["anyOf"] == [{"$ref": "#/$defs/Courier"}, {"$ref": "#/$defs/Pickup"}]
  assert parameters["$defs"]["Courier"]["properties"]["kind"]["const"] == "courier"
  fallbacks = parameters["properties"]["fallbacks"]
  assert fallbacks["items"]["anyOf"] == method["anyOf"]
  notify = shipping_tools["track"].parameters["properties"]["notify"]
  assert notify["anyOf"][-1] == {"type": "null"}


def test_a_union_of_models_is_a_choice_of_variants(shipping_tools: dict[str, ToolSpec]):
  method = _by_name(form_from_schema(shipping_tools["ship"].parameters))["method"]

  assert (method.kind, method.required, method.nullable) == ("union", True, False)
  assert method.discriminator == "kind"
  # Labelled by the discriminator's value; each variant is an object form.
  assert [(v.title, v.kind, v.path) for v in method.variants] == [
    ("courier", "object", "method"),
    ("pickup", "object", "method"),
  ]
  assert method.variants[0].description == "Delivered to the door."
  courier, pickup = method.variants
  assert [(c.path, c.kind, c.required) for c in courier.children] == [
    ("method.kind", "enum", False),
    ("method.address", "string", True),
    ("method.signature", "boolean", False),
  ]
  hold_days = _by_name(pickup.children)["hold_days"]
  assert (hold_days.minimum, hold_days.maximum, hold_days.default) == (1, 14, 3)


def test_variants_without_a_discriminator_are_labelled_by_title(
  shipping_tools: dict[str, ToolSpec],
):
  notify = _by_name(form_from_schema(shipping_tools["track"].parameters))["notify"]

  # Optional[Union[Email, Sms]]: a union that may be null.
  assert (notify.kind, notify.nullable, notify.discriminator) == ("union", True, None)
  assert [v.title for v in notify.variants] == ["Email", "Sms"]


def test_a_union_in_a_list_is_a_choice_per_entry(shipping_tools: dict[str, ToolSpec]):
  fallbacks = _by_name(form_from_schema(shipping_tools["ship"].parameters))["fallbacks"]

  assert fallbacks.kind == "array" and fallbacks.item is not None
  assert (fallbacks.item.kind, fallbacks.item.path) == ("union", "fallbacks[]")
  assert [c.path for c in fallbacks.item.variants[1].children] == [
    "fallbacks[].kind",
    "fallbacks[].point_id",
    "fallbacks[].hold_days",
  ]


def test_each_variant_sends_exactly_its_object(shipping_tools: dict[str, ToolSpec]):
  spec = shipping_tools["ship"]
  fields = form_from_schema(spec.parameters)
  method = _by_name(fields)["method"]
  values = initial_values(fields)
  assert values["method"] == UnionValue() and is_blank(method, values["method"])

  # Choosing a variant fills in its tag; its optional fields stay blank, as in a fresh form.
  courier = variant_value(method, 0)
  assert courier.values == {"kind": "courier", "address": "", "signature": None}
  values = {**values, "parcel": {"label": "Box 1", "weight_kg": "2.5"}}
  courier = UnionValue(0, {**courier.values, "address": "1 Main St"})
  args, errors = values_to_args(fields, {**values, "method": courier})
  assert errors == []
  assert args == {"parcel": PARCEL, "method": {"kind": "courier", "address": "1 Main St"}}
  assert validate_arguments(spec, args) == []

  pickup = variant_value(method, 1)
  pickup = UnionValue(1, {**pickup.values, "point_id": "P042", "hold_days": "5"})
  args, errors = values_to_args(fields, {**values, "method": pickup})
  assert errors == []
  assert args["method"] == {"kind": "pickup", "point_id": "P042", "hold_days": 5}
  assert validate_arguments(spec, args) == []


def test_no_variant_chosen_is_a_missing_argument_or_left_out(
  shipping_tools: dict[str, ToolSpec],
):
  ship = form_from_schema(shipping_tools["ship"].parameters)
  values = {"parcel": {"label": "Box 1", "weight_kg": "2.5"}, "method": UnionValue()}
  args, errors = values_to_args(ship, values)
  assert [(e.path, e.message) for e in errors] == [("method", "required field missing")]
  assert "method" not in args

  track = form_from_schema(shipping_tools["track"].parameters)
  assert values_to_args(track, {"label": "Box 1", "notify": UnionValue()}) == (
    {"label": "Box 1"},
    [],
  )
  sms = UnionValue(1, {"phone": "555", "quiet_hours": False})
  assert values_to_args(track, {"label": "Box 1", "notify": sms}) == (
    {"label": "Box 1", "notify": {"phone": "555", "quiet_hours": False}},
    [],
  )


def test_a_variant_fields_errors_name_its_path(shipping_tools: dict[str, ToolSpec]):
  spec = shipping_tools["ship"]

  def errors(method: dict[str, Any]) -> list[tuple[str, str]]:
    found = validate_arguments(spec, {"parcel": PARCEL, "method": method})
    return [(e.path, e.message) for e in found]

  # The tag says which variant is meant: its own errors, not "object or object".
  assert errors({"kind": "pickup", "point_id": "P042", "hold_days": 20}) == [
    ("method.hold_days", "must be at most 14")
  ]
  assert errors({"kind": "pickup", "point_id": "42"}) == [
    ("method.point_id", "must match the pattern '^P\\\\d{3}$'")
  ]
  assert errors({"kind": "courier"}) == [("method.address", "required field missing")]
  # Without a tag and fitting neither, the variants are named.
  assert errors({}) == [("method", "expected Courier or Pickup, got object")]
  track = shipping_tools["track"]
  # Without a tag, the variant that declares every key is the one meant.
  assert [
    (e.path, e.message) for e in validate_arguments(track, {"label": "L", "notify": {"phone": 5}})
  ] == [("notify.phone", "expected string, got integer 5")]


def test_arguments_show_in_their_variant_and_round_trip(shipping_tools: dict[str, ToolSpec]):
  fields = form_from_schema(shipping_tools["ship"].parameters)
  method = _by_name(fields)["method"]
  args = {
    "parcel": PARCEL,
    "method": {"kind": "pickup", "point_id": "P042", "hold_days": 5},
    "fallbacks": [{"kind": "courier", "address": "1 Main St"}, {"point_id": "P001"}],
  }

  values = args_to_values(fields, json.loads(json.dumps(args)))
  assert values["method"] == UnionValue(1, {"kind": "pickup", "point_id": "P042", "hold_days": "5"})
  # An entry without its tag is matched by its keys, and keeps leaving the tag out.
  assert [entry.variant for entry in values["fallbacks"]] == [0, 1]
  back, errors = values_to_args(fields, values)
  assert errors == [] and back == args
  assert match_variant(method, {"kind": "drone"}) is None
  assert match_variant(method, {"address": "x"}) == 0
  assert match_variant(method, "courier") is None


class Van(BaseModel):
  address: str


class TaggedCourier(BaseModel):
  kind: Literal["courier"]
  address: str


class TaggedPickup(BaseModel):
  kind: Literal["pickup"]
  point_id: str


class Drone(BaseModel):
  """Flown in."""

  pad: int


class Order(BaseModel):
  via: TaggedCourier | TaggedPickup
  note: str = ""


def place(order: Order) -> str:
  """Places."""
  return "ok"


def book(
  van: Van | None = None, slot: int | str = 0, when: Literal["am", "pm"] | None = None
) -> str:
  """Books."""
  return "ok"


def send(
  method: Annotated[TaggedCourier | TaggedPickup, Field(discriminator="kind")],
  either: TaggedCourier | Drone | None = None,
  odd: Van | str = "x",
) -> str:
  """Sends."""
  return "ok"


def test_optional_model_and_scalar_unions_keep_their_fields() -> None:
  spec = tool_spec_from_declaration(FunctionTool(book)._get_declaration())
  fields = _by_name(form_from_schema(spec.parameters))

  assert (fields["van"].kind, fields["van"].nullable) == ("object", True)
  assert fields["slot"].kind == "json"  # Union[int, str]: typed as JSON, 7 or "7"
  assert (fields["when"].kind, fields["when"].nullable) == ("enum", True)


def test_a_pydantic_discriminated_union_is_a_choice_too() -> None:
  spec = tool_spec_from_declaration(FunctionTool(send)._get_declaration())
  assert "oneOf" in spec.parameters["properties"]["method"]
  fields = _by_name(form_from_schema(spec.parameters))
  method = fields["method"]

  assert (method.kind, method.discriminator) == ("union", "kind")
  assert [v.title for v in method.variants] == ["courier", "pickup"]
  # A tag with no default is still filled in when its variant is chosen.
  chosen = variant_value(method, 1)
  args, errors = values_to_args(
    [method], {"method": UnionValue(1, {**chosen.values, "point_id": "P1"})}
  )
  assert errors == [] and args == {"method": {"kind": "pickup", "point_id": "P1"}}
  assert validate_arguments(spec, args) == []
  # Only one side has a tag: no discriminator, labelled by title.
  assert [v.title for v in fields["either"].variants] == ["TaggedCourier", "Drone"]
  assert fields["either"].discriminator is None
  assert fields["odd"].kind == "json"  # a model or a string: raw JSON


async def test_the_tool_receives_the_chosen_model(tmp_path: Path):
  simulation = await start(tmp_path)
  assert simulation.pending is not None
  spec = next(tool for tool in simulation.pending.tools if tool.name == "ship")
  fields = form_from_schema(spec.parameters)
  values = initial_values(fields)
  values["parcel"] = {"label": "Box 1", "weight_kg": "2.5"}
  method = _by_name(fields)["method"]
  values["method"] = UnionValue(1, {**variant_value(method, 1).values, "point_id": "P042"})
  args, errors = values_to_args(fields, values)
  assert errors == [] and validate_arguments(spec, args) == []

  await simulation.submit_turn(call("ship", **args))

  output = simulation.history.entries[-1]
  assert isinstance(output, ToolOutput)
  assert output.output == {
    "label": "Box 1",
    "method": "Pickup",
    "details": {"kind": "pickup", "point_id": "P042", "hold_days": 3},
    "fallbacks": [],
  }


def test_a_union_inside_an_object_is_a_choice_too() -> None:
  spec = tool_spec_from_declaration(FunctionTool(place)._get_declaration())
  (order,) = form_from_schema(spec.parameters)
  via = order.children[0]

  assert (order.kind, via.kind, via.path, via.discriminator) == (
    "object",
    "union",
    "order.via",
    "kind",
  )
  values = initial_values([order])
  values["order"]["via"] = UnionValue(0, {**variant_value(via, 0).values, "address": "1 Main St"})
  args, errors = values_to_args([order], values)
  assert errors == []
  # The empty note is blank, so left out, as in any object.
  assert args == {"order": {"via": {"kind": "courier", "address": "1 Main St"}}}
  assert validate_arguments(spec, args) == []
  assert args_to_values([order], args) == values
