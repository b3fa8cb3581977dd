"""Forms from the schemas ADK declares, and widget values <-> call arguments."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any
from typing import Literal

import pytest
from google.adk.features import FeatureName
from google.adk.features._feature_registry import temporary_feature_override
from google.adk.tools import FunctionTool
from google.adk.tools.base_tool import BaseTool
from google.adk.tools.transfer_to_agent_tool import TransferToAgentTool
from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.schema.forms import EMPTY_REQUIRED_TEXT
from adk_simulator.engine.schema.forms import FormField
from adk_simulator.engine.schema.forms import args_to_values
from adk_simulator.engine.schema.forms import blank_value
from adk_simulator.engine.schema.forms import default_value
from adk_simulator.engine.schema.forms import form_from_schema
from adk_simulator.engine.schema.forms import initial_value
from adk_simulator.engine.schema.forms import initial_values
from adk_simulator.engine.schema.forms import is_blank
from adk_simulator.engine.schema.forms import values_to_args
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.engine.schema.specs import validate_arguments


class Customer(BaseModel):
  """Who the ticket is for."""

  name: str
  email: str = Field(description="Where the receipt goes.")


class Attachment(BaseModel):
  filename: str
  size_kb: int = Field(ge=1, le=10_000)


class Node(BaseModel):
  label: str
  children: list[Node] = []


def open_ticket(
  subject: str,
  customer: Customer,
  priority: int = 3,
  budget: float = 10.5,
  urgent: bool = False,
  channel: Literal["email", "phone"] = "email",
  tags: list[str] = [],  # noqa: B006 -- ADK reads the default, never mutates it
  attachments: list[Attachment] = [],  # noqa: B006
  note: str | None = None,
  billing: Customer | None = None,
) -> dict[str, Any]:
  """Opens a support ticket."""
  return {"subject": subject}


def odd_shapes(
  level: Literal[1, 2, 3],
  mode: Literal["fast", "slow"] | None = None,
  counts: dict[str, int] | None = None,
  key: int | str = 0,
  tree: Node | None = None,
  anything: list = [],  # noqa: B006
  code: str = Field(default="AB", min_length=2, pattern="^[A-Z]+$"),
) -> str:
  """Shapes a form can only partly model."""
  return "ok"


def _spec(tool: BaseTool) -> ToolSpec:
  decl = tool._get_declaration()
  assert decl is not None
  return tool_spec_from_declaration(decl)


def _by_name(fields: list[FormField]) -> dict[str, FormField]:
  return {field.name: field for field in fields}


TICKET = _spec(FunctionTool(open_ticket))
TICKET_FORM = form_from_schema(TICKET.parameters)


def test_form_tree_of_a_function_tool() -> None:
  fields = _by_name(TICKET_FORM)

  assert list(fields) == [
    "subject",
    "customer",
    "priority",
    "budget",
    "urgent",
    "channel",
    "tags",
    "attachments",
    "note",
    "billing",
  ]
  kinds = {name: (f.kind, f.required, f.nullable, f.has_default) for name, f in fields.items()}
  assert kinds == {
    "subject": ("string", True, False, False),
    "customer": ("object", True, False, False),
    "priority": ("integer", False, False, True),
    "budget": ("number", False, False, True),
    "urgent": ("boolean", False, False, True),
    "channel": ("enum", False, False, True),
    "tags": ("array", False, False, True),
    "attachments": ("array", False, False, True),
    "note": ("string", False, True, True),
    "billing": ("object", False, True, True),
  }
  assert fields["priority"].default == 3
  assert fields["budget"].default == 10.5
  assert fields["channel"].enum_values == ["email", "phone"]
  assert fields["note"].default is None


def test_nested_objects_and_array_templates() -> None:
  fields = _by_name(TICKET_FORM)
  customer = fields["customer"]

  assert customer.title == "Customer"
  assert customer.description == "Who the ticket is for."
  assert [(c.path, c.title, c.required) for c in customer.children] == [
    ("customer.name", "Name", True),
    ("customer.email", "Email", True),
  ]
  assert customer.children[1].description == "Where the receipt goes."
  # A field is named after itself, not after its type.
  assert fields["billing"].title == "Billing"
  assert [c.path for c in fields["billing"].children] == ["billing.name", "billing.email"]

  tags_item = fields["tags"].item
  assert tags_item is not None
  assert (tags_item.kind, tags_item.path, tags_item.title) == ("string", "tags[]", "Item")

  attachment = fields["attachments"].item
  assert attachment is not None
  assert (attachment.kind, attachment.title, attachment.required) == ("object", "Attachment", True)
  size = attachment.children[1]
  assert (size.path, size.kind, size.minimum, size.maximum) == (
    "attachments[].size_kb",
    "integer",
    1,
    10_000,
  )
  assert attachment.json_schema["properties"]["size_kb"]["maximum"] == 10_000


def test_shapes_a_form_cannot_model_become_json() -> None:
  fields = _by_name(form_from_schema(_spec(FunctionTool(odd_shapes)).parameters))

  assert (fields["level"].kind, fields["level"].enum_values) == ("enum", [1, 2, 3])
  assert all(type(value) is int for value in fields["level"].enum_values)
  assert (fields["mode"].kind, fields["mode"].nullable) == ("enum", True)
  assert fields["mode"].enum_values == ["fast", "slow"]
  assert (fields["counts"].kind, fields["counts"].nullable) == ("json", True)
  assert fields["key"].kind == "json"
  tree = fields["tree"]
  assert (tree.kind, tree.nullable) == ("object", True)
  children = _by_name(tree.children)["children"]
  assert children.item is not None and children.item.kind == "json"  # recursion stops here
  anything = fields["anything"]
  assert anything.kind == "array" and anything.item is not None
  assert anything.item.kind == "json"
  code = fields["code"]
  assert (code.min_length, code.pattern, code.default) == (2, "^[A-Z]+$", "AB")


def test_genai_declared_tool_gives_the_same_form() -> None:
  with temporary_feature_override(FeatureName.JSON_SCHEMA_FOR_FUNC_DECL, False):
    genai_spec = _spec(FunctionTool(open_ticket))
  assert genai_spec.parameters["properties"]["billing"]["type"] == ["object", "null"]

  def shape(fields: list[FormField]) -> list[Any]:
    return [
      (f.path, f.kind, f.required, f.nullable, f.default, f.enum_values, shape(f.children))
      for f in fields
    ]

  assert shape(form_from_schema(genai_spec.parameters)) == shape(TICKET_FORM)


def test_transfer_to_agent_is_a_choice() -> None:
  (agent_name,) = form_from_schema(_spec(TransferToAgentTool(["billing", "support"])).parameters)

  assert (agent_name.kind, agent_name.required) == ("enum", True)
  assert agent_name.enum_values == ["billing", "support"]
  assert values_to_args([agent_name], {"agent_name": "support"}) == ({"agent_name": "support"}, [])


def test_input_schema_of_an_agent_goes_through_the_same_code() -> None:
  fields = form_from_schema(Customer.model_json_schema())

  assert [(f.name, f.kind, f.required) for f in fields] == [
    ("name", "string", True),
    ("email", "string", True),
  ]
  recursive = form_from_schema(Node.model_json_schema())
  assert [f.name for f in recursive] == ["label", "children"]


def test_a_fresh_form_sends_only_what_the_person_set() -> None:
  values = initial_values(TICKET_FORM)

  # Defaults are hints on blank fields, not values the call would send.
  assert values == {
    "subject": "",
    "customer": {"name": "", "email": ""},
    "priority": "",
    "budget": "",
    "urgent": None,
    "channel": None,
    "tags": [],
    "attachments": [],
    "note": "",
    "billing": {"name": "", "email": ""},
  }
  values["subject"] = "Refund"
  values["customer"] = {"name": "Ada", "email": "ada@example.com"}
  args, errors = values_to_args(TICKET_FORM, values)

  assert errors == []
  assert args == {"subject": "Refund", "customer": {"name": "Ada", "email": "ada@example.com"}}
  assert validate_arguments(TICKET, args) == []

  # A default filled in on purpose is sent, exactly as the schema has it.
  fields = _by_name(TICKET_FORM)
  assert default_value(fields["priority"]) == "3"
  assert default_value(fields["urgent"]) is False
  assert default_value(fields["subject"]) is None
  values.update(priority=default_value(fields["priority"]), urgent=default_value(fields["urgent"]))
  args, errors = values_to_args(TICKET_FORM, values)
  assert errors == [] and args["priority"] == 3 and args["urgent"] is False
  assert "budget" not in args and "channel" not in args
  attachment = _by_name(TICKET_FORM)["attachments"].item
  assert attachment is not None
  assert initial_value(attachment) == {"filename": "", "size_kb": ""}


def test_text_becomes_typed_arguments() -> None:
  values = {
    "subject": "Refund",
    "customer": {"name": "Ada", "email": "a@b.c"},
    "priority": " 7 ",
    "budget": "7",
    "urgent": True,
    "channel": "phone",
    "tags": ["vip", " "],
    "attachments": [{"filename": "a.txt", "size_kb": "12"}],
    "note": "call back",
  }
  args, errors = values_to_args(TICKET_FORM, values)

  assert errors == []
  assert args == {
    "subject": "Refund",
    "customer": {"name": "Ada", "email": "a@b.c"},
    "priority": 7,
    "budget": 7,
    "urgent": True,
    "channel": "phone",
    "tags": ["vip", " "],
    "attachments": [{"filename": "a.txt", "size_kb": 12}],
    "note": "call back",
  }
  assert type(args["priority"]) is int
  assert type(args["attachments"][0]["size_kb"]) is int
  # The same "7" typed by a model (not through a form) is an error.
  assert validate_arguments(TICKET, {**args, "priority": "7"})[0].message == (
    "expected integer, got string '7'"
  )
  budget = _by_name(TICKET_FORM)["budget"]
  assert values_to_args([budget], {"budget": "7.5"}) == ({"budget": 7.5}, [])
  assert values_to_args([budget], {"budget": "1e3"}) == ({"budget": 1000.0}, [])


def test_conversion_errors_name_each_field() -> None:
  values = {
    "subject": "Refund",
    "customer": {"name": "Ada", "email": ""},
    "priority": "7.5",
    "budget": "ten",
    "channel": "fax",
    "attachments": [{"filename": "a", "size_kb": "1"}, {"filename": "b", "size_kb": "2.0"}],
  }
  args, errors = values_to_args(TICKET_FORM, values)

  assert [(e.path, e.message) for e in errors] == [
    ("customer.email", EMPTY_REQUIRED_TEXT),
    ("priority", "expected an integer"),
    ("budget", "expected a number"),
    ("channel", "expected one of 'email', 'phone'"),
    ("attachments[1].size_kb", "expected an integer"),
  ]
  assert args["customer"] == {"name": "Ada"}
  assert "priority" not in args and "channel" not in args


def test_a_required_string_left_empty_is_an_error_unless_the_schema_wants_it() -> None:
  def text(**schema: Any) -> FormField:
    return form_from_schema(
      {"type": "object", "properties": {"t": {"type": "string", **schema}}, "required": ["t"]}
    )[0]

  # JSON Schema accepts "", but an empty required field is almost always a slip.
  assert values_to_args([text()], {"t": ""}) == (
    {},
    [FieldError(path="t", message=EMPTY_REQUIRED_TEXT)],
  )
  assert values_to_args([text(minLength=0)], {"t": ""}) == ({"t": ""}, [])
  assert values_to_args([text(default="")], {"t": ""}) == ({"t": ""}, [])
  assert values_to_args([text(minLength=1)], {"t": ""})[1][0].message == EMPTY_REQUIRED_TEXT
  assert values_to_args([text(minLength=0, pattern="^x")], {"t": ""})[1] != []
  # An enum holding "" offers it as a choice of its own.
  choice = text(enum=["", "x"])
  assert choice.kind == "enum" and values_to_args([choice], {"t": ""}) == ({"t": ""}, [])


def test_blank_fields_are_left_out_or_null_or_missing() -> None:
  fields = _by_name(form_from_schema(_spec(FunctionTool(odd_shapes)).parameters))
  values = initial_values(list(fields.values()))
  values.update(level=None, code="", mode=None, counts="")

  args, errors = values_to_args(list(fields.values()), values)

  assert [(e.path, e.message) for e in errors] == [("level", "required field missing")]
  assert args == {}  # blank optional fields are left out: the tool's defaults apply

  required_nullable = FormField(
    name="when", path="when", title="When", kind="string", required=True, nullable=True
  )
  assert values_to_args([required_nullable], {"when": ""}) == ({"when": None}, [])
  strict_code = fields["code"].model_copy(update={"required": True})
  _, errors = values_to_args([strict_code], {"code": ""})
  assert [(e.path, e.message) for e in errors] == [("code", EMPTY_REQUIRED_TEXT)]
  empty_list = fields["anything"].model_copy(update={"required": True})
  assert values_to_args([empty_list], {"anything": []}) == ({"anything": []}, [])


def test_optional_object_is_sent_only_when_filled() -> None:
  billing = _by_name(TICKET_FORM)["billing"]

  assert is_blank(billing, blank_value(billing))
  assert values_to_args([billing], {"billing": {"name": "", "email": ""}}) == ({}, [])
  args, errors = values_to_args([billing], {"billing": {"name": "Bob", "email": "b@c.d"}})
  assert (args, errors) == ({"billing": {"name": "Bob", "email": "b@c.d"}}, [])
  # A required object left blank is built from its fields, which must then be filled.
  _, errors = values_to_args([_by_name(TICKET_FORM)["customer"]], {"customer": None})
  assert [e.path for e in errors] == ["customer.name", "customer.email"]


def test_enums_keep_their_value_types() -> None:
  fields = _by_name(form_from_schema(_spec(FunctionTool(odd_shapes)).parameters))
  level = fields["level"]

  assert values_to_args([level], {"level": 2}) == ({"level": 2}, [])
  assert values_to_args([level], {"level": "2"}) == ({"level": 2}, [])
  _, errors = values_to_args([level], {"level": 2.0})
  assert [e.message for e in errors] == ["expected one of 1, 2, 3"]
  _, errors = values_to_args([level], {"level": True})
  assert [e.message for e in errors] == ["expected one of 1, 2, 3"]


def test_json_fields_parse_and_report() -> None:
  counts = _by_name(form_from_schema(_spec(FunctionTool(odd_shapes)).parameters))["counts"]

  assert values_to_args([counts], {"counts": '{"a": 1}'}) == ({"counts": {"a": 1}}, [])
  assert values_to_args([counts], {"counts": "null"}) == ({"counts": None}, [])
  _, errors = values_to_args([counts], {"counts": "{a: 1}"})
  assert [(e.path, e.message) for e in errors] == [
    ("counts", "invalid JSON: Expecting property name enclosed in double quotes (line 1, column 2)")
  ]


def _round_trip(fields: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
  args, errors = values_to_args(fields, values)
  assert errors == []
  return args_to_values(fields, json.loads(json.dumps(args)))


def test_raw_json_toggle_round_trips() -> None:
  args = {
    "subject": "Refund",
    "customer": {"name": "Ada", "email": "a@b.c"},
    "priority": 7,
    "budget": 2.5,
    "urgent": True,
    "channel": "phone",
    "tags": ["vip", "late"],
    "attachments": [{"filename": "a.txt", "size_kb": 12}, {"filename": "b.txt", "size_kb": 3}],
    "note": "call back",
    "billing": {"name": "Bob", "email": "b@c.d"},
  }
  values = args_to_values(TICKET_FORM, args)

  assert values["priority"] == "7" and values["attachments"][1]["size_kb"] == "3"
  assert _round_trip(TICKET_FORM, values) == values
  back, errors = values_to_args(TICKET_FORM, values)
  assert errors == [] and back == args
  assert type(back["priority"]) is int and type(back["budget"]) is float

  fresh = initial_values(TICKET_FORM)
  fresh.update(subject="S", customer={"name": "Ada", "email": "a@b.c"})
  assert _round_trip(TICKET_FORM, fresh) == fresh

  odd = form_from_schema(_spec(FunctionTool(odd_shapes)).parameters)
  odd_args = {"level": 3, "mode": "slow", "counts": {"a": 1}, "key": "k", "anything": [1, "x"]}
  odd_values = args_to_values(odd, odd_args)
  assert odd_values["counts"] == '{\n  "a": 1\n}'
  assert _round_trip(odd, odd_values) == odd_values
  assert values_to_args(odd, odd_values) == (odd_args, [])


def test_values_for_arguments_a_widget_cannot_hold() -> None:
  fields = _by_name(TICKET_FORM)
  values = args_to_values(
    TICKET_FORM, {"subject": 7, "priority": "7", "urgent": "yes", "customer": "Ada", "tags": "x"}
  )

  assert values["subject"] == "7"
  assert values["priority"] == '"7"'  # shown as the JSON it is, so it cannot pass as 7
  assert values["urgent"] is None
  assert values["customer"] == blank_value(fields["customer"])
  assert values["tags"] == []
  _, errors = values_to_args([fields["priority"]], {"priority": values["priority"]})
  assert [e.message for e in errors] == ["expected an integer"]


AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"


def test_tool_arguments_carry_their_docstring_help(monkeypatch: pytest.MonkeyPatch) -> None:
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  math = importlib.import_module("math_agent.agent")
  tools = importlib.import_module("helpdesk_agent.tools")

  add = _by_name(form_from_schema(_spec(FunctionTool(math.add)).parameters))
  ticket = _by_name(form_from_schema(_spec(FunctionTool(tools.create_ticket)).parameters))
  credit = _by_name(form_from_schema(_spec(FunctionTool(tools.apply_credit)).parameters))

  assert {name: field.description for name, field in add.items()} == {
    "a": "The first addend.",
    "b": "The second addend.",
  }
  # A model-typed argument reads its docstring help; its fields keep their own.
  customer = ticket["customer"]
  assert customer.description == (
    "Who the ticket is for. A known email reuses that customer (their name and plan"
    " stay as recorded); a new email creates the customer."
  )
  assert [child.description for child in customer.children] == [
    "The customer's full name.",
    "The customer's email address; it identifies the customer.",
    "The subscription plan of a new customer.",
  ]
  assert ticket["attachments"].nullable
  assert ticket["attachments"].description == "Files the customer sent with the request, if any."
  assert ticket["tags"].description == (
    'Short labels for routing, e.g. ["billing", "refund"]; may be empty.'
  )
  assert credit["amount"].description == "The credit in USD, more than 0 and at most 250."
  assert credit["amount"].exclusive_minimum == 0
