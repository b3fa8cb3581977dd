"""Tool declarations built by ADK itself, normalised and used to check arguments."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated
from typing import Any
from typing import Literal

import pytest
from google.adk.features import FeatureName
from google.adk.features._feature_registry import temporary_feature_override
from google.adk.models.llm_request import LlmRequest
from google.adk.tools import FunctionTool
from google.adk.tools import LongRunningFunctionTool
from google.adk.tools.base_tool import BaseTool
from google.adk.tools.set_model_response_tool import SetModelResponseTool
from google.adk.tools.tool_context import ToolContext
from google.adk.tools.transfer_to_agent_tool import TransferToAgentTool
from google.genai import types
from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine import forms
from adk_simulator.engine import json_schema
from adk_simulator.engine import schemas
from adk_simulator.engine.docstrings import argument_docs
from adk_simulator.engine.json_schema import json_schema_from_genai
from adk_simulator.engine.json_schema import resolve_refs
from adk_simulator.engine.schemas import FieldError
from adk_simulator.engine.schemas import ToolSpec
from adk_simulator.engine.schemas import format_path
from adk_simulator.engine.schemas import tool_spec_from_declaration
from adk_simulator.engine.schemas import tool_specs_from_llm_request
from adk_simulator.engine.schemas import tool_specs_from_request_tools
from adk_simulator.engine.schemas import validate_arguments

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"


@pytest.fixture
def bundled(monkeypatch: pytest.MonkeyPatch) -> Any:
  """Imports a module of the bundled demo agents (`"math_agent.agent"`)."""
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module


class Customer(BaseModel):
  name: str
  email: str = Field(description="Where the receipt goes.")


class Attachment(BaseModel):
  filename: str
  size_kb: int


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
) -> dict[str, Any]:
  """Opens a support ticket."""
  return {"subject": subject, "priority": priority}


def ping() -> str:
  """Checks that the service answers."""
  return "pong"


def ask_manager(question: str) -> dict[str, str]:
  """Asks a manager; the answer comes later."""
  return {"status": "pending"}


class Receipt(BaseModel):
  customer: Customer | None = None


def send_receipt(receipt: Receipt) -> str:
  """Sends a receipt."""
  return "sent"


class Node(BaseModel):
  label: str
  children: list[Node] = []


def draw_tree(root: Node) -> str:
  """Draws a tree."""
  return "tree"


class LookupOrderTool(BaseTool):
  """A hand-written tool that declares its parameters as a genai Schema."""

  def __init__(self) -> None:
    super().__init__(name="lookup_order", description="Finds an order.")

  def _get_declaration(self) -> types.FunctionDeclaration:
    return types.FunctionDeclaration(
      name=self.name,
      description=self.description,
      parameters=types.Schema(
        type=types.Type.OBJECT,
        properties={
          "status": types.Schema(type=types.Type.STRING, enum=["open", "closed"]),
          "order_id": types.Schema(type=types.Type.STRING, description="The order number."),
          "limit": types.Schema(type=types.Type.INTEGER, minimum=1, maximum=50, default=10),
          "ratio": types.Schema(type=types.Type.NUMBER, default=2.0, minimum=0.5),
          "since": types.Schema(type=types.Type.STRING, nullable=True, format="date"),
          "strict": types.Schema(type=types.Type.BOOLEAN, nullable=False),
          "codes": types.Schema(
            type=types.Type.ARRAY, items=types.Schema(type=types.Type.INTEGER), max_items=3
          ),
        },
        property_ordering=["order_id", "status", "limit", "ratio", "since", "strict", "codes"],
        required=["order_id"],
      ),
    )

  async def run_async(self, *, args: dict[str, Any], tool_context: ToolContext) -> Any:
    return {"order_id": args["order_id"]}


def _spec(tool: BaseTool) -> ToolSpec:
  decl = tool._get_declaration()
  assert decl is not None
  return tool_spec_from_declaration(decl, is_long_running=tool.is_long_running)


def _errors(spec: ToolSpec, args: Any) -> list[tuple[str, str]]:
  return [(error.path, error.message) for error in validate_arguments(spec, args)]


def test_function_tool_schema_is_kept_with_its_defs() -> None:
  spec = _spec(FunctionTool(open_ticket))

  assert spec.name == "open_ticket"
  assert spec.description == "Opens a support ticket."
  assert spec.is_long_running is False
  params = spec.parameters
  assert params["type"] == "object"
  assert list(params["properties"]) == [
    "subject",
    "customer",
    "priority",
    "budget",
    "urgent",
    "channel",
    "tags",
    "attachments",
    "note",
  ]
  assert params["required"] == ["subject", "customer"]
  assert params["properties"]["customer"] == {"$ref": "#/$defs/Customer"}
  assert set(params["$defs"]) == {"Customer", "Attachment"}
  assert params["properties"]["priority"]["default"] == 3


def test_normalising_does_not_touch_the_declaration() -> None:
  decl = FunctionTool(open_ticket)._get_declaration()
  assert decl is not None
  spec = tool_spec_from_declaration(decl)
  spec.parameters["properties"]["subject"]["type"] = "integer"

  assert decl.parameters_json_schema["properties"]["subject"]["type"] == "string"


def test_tool_without_parameters_gets_an_empty_object_schema() -> None:
  spec = _spec(FunctionTool(ping))

  assert spec.parameters == {"type": "object", "properties": {}, "required": []}
  assert validate_arguments(spec, {}) == []
  assert _errors(spec, {"verbose": True}) == [("verbose", "unknown argument")]


def test_genai_schema_parameters_become_json_schema() -> None:
  spec = _spec(LookupOrderTool())

  assert spec.parameters == {
    "type": "object",
    "properties": {
      "order_id": {"type": "string", "description": "The order number."},
      "status": {"type": "string", "enum": ["open", "closed"]},
      "limit": {"type": "integer", "default": 10, "minimum": 1, "maximum": 50},
      "ratio": {"type": "number", "default": 2.0, "minimum": 0.5},
      "since": {"type": ["string", "null"], "format": "date"},
      "strict": {"type": "boolean"},
      "codes": {"type": "array", "maxItems": 3, "items": {"type": "integer"}},
    },
    "required": ["order_id"],
  }
  # Bounds read as integers when they are; a default keeps its type.
  assert type(spec.parameters["properties"]["limit"]["minimum"]) is int
  assert type(spec.parameters["properties"]["ratio"]["default"]) is float


def test_genai_schema_checks_like_json_schema() -> None:
  spec = _spec(LookupOrderTool())

  assert validate_arguments(spec, {"order_id": "A1", "since": None, "codes": [1, 2]}) == []
  assert _errors(spec, {"status": "lost", "limit": 0, "since": "soon", "codes": [1, 2, 3, 4]}) == [
    ("order_id", "required field missing"),
    ("status", "expected one of 'open', 'closed', got 'lost'"),
    ("limit", "must be at least 1"),
    ("since", "is not a valid date"),
    ("codes", "must have at most 3 items"),
  ]


def test_genai_nullable_next_to_any_of_adds_null_as_a_choice() -> None:
  schema = types.Schema(
    nullable=True,
    any_of=[types.Schema(type=types.Type.STRING), types.Schema(type=types.Type.INTEGER)],
  )

  assert json_schema_from_genai(schema) == {
    "anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
  }


def test_adk_genai_declaration_and_json_declaration_agree() -> None:
  # The same function, declared by ADK in both dialects, must check alike.
  json_spec = _spec(FunctionTool(open_ticket))
  with temporary_feature_override(FeatureName.JSON_SCHEMA_FOR_FUNC_DECL, False):
    decl = FunctionTool(open_ticket)._get_declaration()
  assert decl is not None and decl.parameters is not None
  assert decl.parameters_json_schema is None
  genai_spec = tool_spec_from_declaration(decl)
  bad = {
    "customer": {"name": "Ada", "phone": "555"},
    "priority": "7",
    "channel": "fax",
    "attachments": [{"filename": "a.txt", "size_kb": 1}, {"filename": "b.txt"}],
    "note": 5,
  }

  assert genai_spec.parameters["properties"]["note"] == {"type": ["string", "null"]}
  assert _errors(genai_spec, bad) == _errors(json_spec, bad)


def test_validation_messages_name_each_field() -> None:
  spec = _spec(FunctionTool(open_ticket))
  args = {
    "subject": 7,
    "customer": {"name": "Ada", "phone": "555"},
    "priority": "7",
    "budget": True,
    "urgent": 1,
    "channel": "fax",
    "tags": ["vip", 2],
    "attachments": [{"filename": "a.txt", "size_kb": 1}, {"filename": "b.txt", "size_kb": 2.5}],
    "note": 5,
    "sla": "gold",
  }

  assert _errors(spec, args) == [
    ("subject", "expected string, got integer 7"),
    ("customer.email", "required field missing"),
    ("customer.phone", "unknown field"),
    ("priority", "expected integer, got string '7'"),
    ("budget", "expected number, got boolean true"),
    ("urgent", "expected boolean, got integer 1"),
    ("channel", "expected one of 'email', 'phone', got 'fax'"),
    ("tags[1]", "expected string, got integer 2"),
    ("attachments[1].size_kb", "expected integer, got number 2.5"),
    ("note", "expected string or null, got integer 5"),
    ("sla", "unknown argument"),
  ]


def test_valid_arguments_pass_with_types_exact() -> None:
  spec = _spec(FunctionTool(open_ticket))
  args = {
    "subject": "Refund",
    "customer": {"name": "Ada", "email": "ada@example.com"},
    "priority": 1,
    "budget": 7,
    "tags": [],
    "attachments": [{"filename": "a.txt", "size_kb": 12}],
    "note": None,
  }

  assert validate_arguments(spec, args) == []
  assert _errors(spec, {**args, "priority": 7.0}) == [
    ("priority", "expected integer, got number 7.0")
  ]
  assert _errors(spec, {**args, "priority": True}) == [
    ("priority", "expected integer, got boolean true")
  ]


def test_missing_arguments_and_wrong_shapes() -> None:
  spec = _spec(FunctionTool(open_ticket))

  assert _errors(spec, {}) == [
    ("subject", "required field missing"),
    ("customer", "required field missing"),
  ]
  assert _errors(spec, {"subject": "x", "customer": "Ada"}) == [
    ("customer", "expected object, got string 'Ada'")
  ]
  assert _errors(spec, ["not", "an", "object"]) == [("", "expected object, got array")]


def test_optional_model_reports_the_inner_field() -> None:
  spec = _spec(FunctionTool(send_receipt))

  assert validate_arguments(spec, {"receipt": {"customer": None}}) == []
  assert _errors(spec, {"receipt": {"customer": {"name": "Ada"}}}) == [
    ("receipt.customer.email", "required field missing")
  ]
  assert _errors(spec, {"receipt": {"customer": 3}}) == [
    ("receipt.customer", "expected object or null, got integer 3")
  ]


def test_free_dict_accepts_any_keys() -> None:
  def tag_counts(counts: dict[str, int]) -> int:
    """Sums counts."""
    return sum(counts.values())

  spec = _spec(FunctionTool(tag_counts))

  assert validate_arguments(spec, {"counts": {"a": 1, "b": 2}}) == []
  assert _errors(spec, {"counts": {"a": "1"}}) == [("counts.a", "expected integer, got string '1'")]


def test_recursive_schema_is_checked_and_resolves_to_an_open_object() -> None:
  spec = _spec(FunctionTool(draw_tree))
  tree = {"label": "a", "children": [{"label": "b", "children": [{"children": []}]}]}

  assert _errors(spec, {"root": tree}) == [
    ("root.children[0].children[0].label", "required field missing")
  ]
  resolved = resolve_refs(spec.parameters)
  node = resolved["properties"]["root"]
  assert "$defs" not in resolved
  assert node["properties"]["label"] == {"title": "Label", "type": "string"}
  assert node["properties"]["children"]["items"] == {"type": "object"}


def test_resolve_refs_lets_a_field_describe_itself() -> None:
  schema = {
    "type": "object",
    "properties": {"billing": {"$ref": "#/$defs/Address", "description": "Bill here."}},
    "$defs": {"Address": {"type": "object", "description": "An address.", "title": "Address"}},
  }

  assert resolve_refs(schema) == {
    "type": "object",
    "properties": {"billing": {"type": "object", "description": "Bill here.", "title": "Address"}},
  }


def test_draft7_definitions_from_an_mcp_server_resolve() -> None:
  decl = types.FunctionDeclaration(
    name="search_docs",
    description="Searches documents.",
    parameters_json_schema={
      "$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object",
      "properties": {"filter": {"$ref": "#/definitions/Filter"}},
      "definitions": {"Filter": {"type": "object", "properties": {"year": {"type": "integer"}}}},
    },
  )
  spec = tool_spec_from_declaration(decl)

  assert spec.parameters["required"] == []
  assert validate_arguments(spec, {"filter": {"year": 2024}}) == []
  assert _errors(spec, {"filter": {"year": "2024"}}) == [
    ("filter.year", "expected integer, got string '2024'")
  ]
  assert resolve_refs(spec.parameters)["properties"]["filter"]["properties"] == {
    "year": {"type": "integer"}
  }


def test_broken_schema_is_reported_not_raised() -> None:
  decl = types.FunctionDeclaration(
    name="broken",
    parameters_json_schema={"type": "object", "properties": {"x": {"$ref": "#/$defs/Gone"}}},
  )
  errors = validate_arguments(tool_spec_from_declaration(decl), {"x": 1})

  assert len(errors) == 1
  assert errors[0].path == ""
  assert errors[0].message.startswith("the tool's schema cannot be checked")


def test_adk_built_in_tools() -> None:
  transfer = _spec(TransferToAgentTool(["billing", "support"]))

  assert transfer.name == "transfer_to_agent"
  assert transfer.parameters["properties"]["agent_name"]["enum"] == ["billing", "support"]
  assert _errors(transfer, {"agent_name": "sales"}) == [
    ("agent_name", "expected one of 'billing', 'support', got 'sales'")
  ]

  class Verdict(BaseModel):
    answer: str
    confidence: float | None = None

  final = _spec(SetModelResponseTool(Verdict))
  assert final.name == "set_model_response"
  assert validate_arguments(final, {"answer": "42", "confidence": 0.9}) == []
  # Problems come in declaration order, whatever order the schema checks them in.
  assert _errors(final, {"confidence": "high"}) == [
    ("answer", "required field missing"),
    ("confidence", "expected number or null, got string 'high'"),
  ]


def test_request_tools_flatten_in_order_and_mark_long_running() -> None:
  request = LlmRequest()
  request.append_tools(
    [FunctionTool(open_ticket), LookupOrderTool(), LongRunningFunctionTool(ask_manager)]
  )
  request.append_tools([TransferToAgentTool(["billing"])])
  assert request.config.tools is not None
  request.config.tools.insert(0, types.Tool(google_search=types.GoogleSearch()))

  specs = tool_specs_from_llm_request(request)

  assert [(s.name, s.is_long_running) for s in specs] == [
    ("open_ticket", False),
    ("lookup_order", False),
    ("ask_manager", True),
    ("transfer_to_agent", False),
  ]
  assert [s.name for s in tool_specs_from_request_tools(request.config.tools)] == [
    s.name for s in specs
  ]
  assert tool_specs_from_request_tools(None) == []


@pytest.mark.parametrize(
  ("parts", "text"),
  [([], ""), (["a"], "a"), (["a", 1, "b"], "a[1].b"), ([0, "x"], "[0].x"), (["a", "b"], "a.b")],
)
def test_format_path(parts: list[Any], text: str) -> None:
  assert format_path(parts) == text


def test_field_error_is_a_plain_value() -> None:
  error = FieldError(path="a[1].b", message="required field missing")

  assert FieldError.model_validate_json(error.model_dump_json()) == error


def test_names_moved_to_json_schema_are_still_importable_where_they_were() -> None:
  for name in ("json_schema_from_genai", "lookup_ref", "resolve_refs"):
    assert getattr(schemas, name) is getattr(json_schema, name)
  for name in ("lookup_ref", "resolve_refs"):
    assert getattr(forms, name) is getattr(json_schema, name)
  assert forms.FieldError is schemas.FieldError and forms.show is schemas.show


# --- Argument help from docstrings ------------------------------------------------


def _tool_spec(function: Any) -> ToolSpec:
  return _spec(FunctionTool(function))


def _descriptions(spec: ToolSpec) -> dict[str, str | None]:
  return {name: prop.get("description") for name, prop in spec.parameters["properties"].items()}


def test_math_tools_get_their_args_help_and_keep_the_full_description(bundled: Any) -> None:
  math: ModuleType = bundled("math_agent.agent")
  decl = FunctionTool(math.add)._get_declaration()
  assert decl is not None
  # ADK gives the parameters no help of their own: the docstring is all there is.
  assert all("description" not in p for p in decl.parameters_json_schema["properties"].values())

  spec = tool_spec_from_declaration(decl)

  assert _descriptions(spec) == {"a": "The first addend.", "b": "The second addend."}
  assert spec.description == decl.description
  assert spec.description.startswith("Adds two numbers.\n\nArgs:\n  a: The first addend.")
  assert spec.summary == "Adds two numbers."
  assert _descriptions(_tool_spec(math.divide)) == {
    "a": "The dividend.",
    "b": "The divisor; must not be zero.",
  }
  assert _tool_spec(math.divide).summary == (
    "Divides a by b. Dividing by zero raises ZeroDivisionError."
  )


def test_multi_line_args_help_is_joined(bundled: Any) -> None:
  tools: ModuleType = bundled("helpdesk_agent.tools")

  status = _tool_spec(tools.update_ticket_status)
  ticket = _tool_spec(tools.create_ticket)

  assert _descriptions(status) == {
    "ticket_id": "The ticket's number.",
    "status": '"open" while the desk works on it, "pending" while waiting for the'
    ' customer, "closed" once it is solved.',
  }
  # `customer` is a `$ref`: the help goes next to it, the model's own stays in $defs.
  assert ticket.parameters["properties"]["customer"] == {
    "$ref": "#/$defs/NewCustomer",
    "description": "Who the ticket is for. A known email reuses that customer (their"
    " name and plan stay as recorded); a new email creates the customer.",
  }
  assert ticket.parameters["$defs"]["NewCustomer"]["description"] == (
    "The customer a new ticket is for; an existing email reuses that customer."
  )
  assert ticket.parameters["properties"]["attachments"]["description"] == (
    "Files the customer sent with the request, if any."
  )
  assert ticket.summary == "Opens a new support ticket, adding the customer if their email is new."


def test_every_helpdesk_argument_is_documented(bundled: Any) -> None:
  tools: ModuleType = bundled("helpdesk_agent.tools")
  names = [
    "search_tickets",
    "get_customer",
    "create_ticket",
    "update_ticket_status",
    "apply_credit",
    "remember_customer",
    "run_diagnostics",
    "lookup_order_status",
  ]

  undocumented = [
    f"{name}.{arg}"
    for name in names
    for arg, text in _descriptions(_tool_spec(getattr(tools, name))).items()
    if not text
  ]

  assert undocumented == []


def test_args_help_reaches_a_genai_schema_declared_from_a_raw_docstring(bundled: Any) -> None:
  math: ModuleType = bundled("math_agent.agent")
  with temporary_feature_override(FeatureName.JSON_SCHEMA_FOR_FUNC_DECL, False):
    decl = FunctionTool(math.divide)._get_declaration()
  assert decl is not None and decl.parameters is not None
  # This path sends `__doc__` as written, indented like the function body.
  assert decl.description is not None and "\n  Args:\n    a: The dividend." in decl.description

  spec = tool_spec_from_declaration(decl)

  assert _descriptions(spec) == {"a": "The dividend.", "b": "The divisor; must not be zero."}
  assert spec.summary == "Divides a by b. Dividing by zero raises ZeroDivisionError."


def book_room(
  room: str,
  guests: Annotated[int, Field(description="Head count, organiser included.")] = 1,
  notes: str = "",
  when: Customer | None = None,
) -> str:
  """Books a meeting room
  for the team.

  Checks the calendar first.

  Parameters:
    room (str): The room's name,
      as on its door.
    guests (int, optional): How many people come.
    notes:
      Anything the desk should know.

      Shown to the caterer too.
    missing: Not a parameter of this tool.

  Returns:
    room: the booked room (not an argument).
  """
  return room


def test_docstring_forms_and_existing_descriptions() -> None:
  spec = _tool_spec(book_room)

  assert _descriptions(spec) == {
    "room": "The room's name, as on its door.",
    # The schema's own description is never replaced.
    "guests": "Head count, organiser included.",
    "notes": "Anything the desk should know.\nShown to the caterer too.",
    "when": None,
  }
  assert spec.parameters["$defs"]["Customer"]["properties"]["email"]["description"] == (
    "Where the receipt goes."
  )
  assert spec.summary == "Books a meeting room for the team."
  assert validate_arguments(spec, {"room": "Blue", "guests": 3}) == []


def test_a_description_without_an_args_section_changes_nothing() -> None:
  decl = FunctionTool(open_ticket)._get_declaration()
  assert decl is not None

  assert tool_spec_from_declaration(decl).parameters == decl.parameters_json_schema

  noted = types.FunctionDeclaration(
    name="lookup",
    description="Looks an order up.\n\nNote:\n  order_id: read from the receipt.",
    parameters_json_schema={"type": "object", "properties": {"order_id": {"type": "string"}}},
  )
  spec = tool_spec_from_declaration(noted)
  assert spec.parameters["properties"] == {"order_id": {"type": "string"}}
  assert spec.summary == "Looks an order up."


@pytest.mark.parametrize("header", ["Args", "Arguments", "Parameters", "Keyword Args"])
def test_args_sections_by_any_name(header: str) -> None:
  text = (
    f"Finds things.\n\n{header}:\n  query (str): Words to look for.\n  limit: At most this many.\n"
  )

  assert argument_docs(text) == {"query": "Words to look for.", "limit": "At most this many."}


@pytest.mark.parametrize(
  ("description", "summary"),
  [
    ("", ""),
    ("One line.", "One line."),
    ("Args:\n  a: The first.", ""),
    ("Adds numbers\nquickly.\nArgs:\n  a: The first.", "Adds numbers quickly."),
  ],
)
def test_summary_is_the_first_paragraph(description: str, summary: str) -> None:
  spec = ToolSpec(name="t", description=description, parameters={})

  assert spec.summary == summary
  assert "summary" not in spec.model_dump()


def test_a_description_may_open_with_its_args_section() -> None:
  text = "Args:\n  a: The first,\n    really.\n  b: The second.\n\nReturns:\n  c: no."

  assert argument_docs(text) == {"a": "The first, really.", "b": "The second."}
  assert ToolSpec(name="t", description=text, parameters={}).summary == ""
