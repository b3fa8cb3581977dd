"""Tool declarations built by ADK itself, normalised and used to check arguments."""

from __future__ import annotations

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

from adk_simulator.engine.schema import form_fields
from adk_simulator.engine.schema import forms
from adk_simulator.engine.schema import json_schema
from adk_simulator.engine.schema import specs as schemas
from adk_simulator.engine.schema.json_schema import json_schema_from_genai
from adk_simulator.engine.schema.json_schema import resolve_refs
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import OfferedTools
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import format_path
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.engine.schema.specs import tool_specs_from_llm_request
from adk_simulator.engine.schema.specs import tool_specs_from_request_tools
from adk_simulator.engine.schema.specs import validate_arguments


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


def _request(*tools: BaseTool) -> LlmRequest:
  request = LlmRequest()
  request.append_tools(list(tools))
  assert request.config.tools is not None
  request.config.tools.insert(0, types.Tool(google_search=types.GoogleSearch()))
  return request


def test_offered_tools_read_a_request_again_only_when_its_tools_change() -> None:
  offered = OfferedTools()
  first = _request(FunctionTool(open_ticket), LongRunningFunctionTool(ask_manager))
  specs, builtin = offered.read(first)
  assert (specs, builtin) == (
    tool_specs_from_llm_request(first),
    schemas.builtin_tools_from_llm_request(first),
  )
  assert builtin == ["google_search"]

  # The next call declares the same tools afresh: the same specs come back.
  again = _request(FunctionTool(open_ticket), LongRunningFunctionTool(ask_manager))
  assert offered.read(again)[0] is specs

  # Any change is read anew: a description, a tool more, one no longer long-running.
  changed = _request(FunctionTool(open_ticket), LongRunningFunctionTool(ask_manager))
  assert changed.config.tools is not None
  declaration = changed.config.tools[1].function_declarations
  assert declaration is not None
  declaration[0].description = "Changed by a callback."
  assert offered.read(changed)[0][0].description == "Changed by a callback."
  more = _request(
    FunctionTool(open_ticket), LongRunningFunctionTool(ask_manager), FunctionTool(ping)
  )
  assert [s.name for s in offered.read(more)[0]] == ["open_ticket", "ask_manager", "ping"]
  plain = _request(FunctionTool(open_ticket), FunctionTool(ask_manager))
  assert [s.is_long_running for s in offered.read(plain)[0]] == [False, False]

  # A declaration changed in place after it was read is a change too.
  assert changed.config.tools is not None
  offered.read(changed)
  declaration[0].description = "Changed again."
  assert offered.read(changed)[0][0].description == "Changed again."


@pytest.mark.parametrize(
  ("parts", "text"),
  [([], ""), (["a"], "a"), (["a", 1, "b"], "a[1].b"), ([0, "x"], "[0].x"), (["a", "b"], "a.b")],
)
def test_format_path(parts: list[Any], text: str) -> None:
  assert format_path(parts) == text


def test_field_error_is_a_plain_value() -> None:
  error = FieldError(path="a[1].b", message="required field missing")

  assert FieldError.model_validate_json(error.model_dump_json()) == error


def test_names_moved_out_are_still_importable_where_they_were() -> None:
  for name in ("json_schema_from_genai", "lookup_ref", "resolve_refs"):
    assert getattr(schemas, name) is getattr(json_schema, name)
  for name in ("lookup_ref", "resolve_refs"):
    assert getattr(forms, name) is getattr(json_schema, name)
  for name in ("FieldKind", "FormField", "form_from_schema"):
    assert getattr(forms, name) is getattr(form_fields, name)
  assert forms.FieldError is schemas.FieldError and forms.show is schemas.show


# --- ADK's untrusted-description fence (MCP tools) ---------------------------------

BEGIN = "<<<BEGIN_UNTRUSTED_TOOL_DESCRIPTION>>>"
END = "<<<END_UNTRUSTED_TOOL_DESCRIPTION>>>"


def fenced(text: str) -> str:
  return f"{BEGIN}\n{text}\n{END}"


def test_the_fence_is_stripped_exactly_and_only_when_whole() -> None:
  strip = schemas.without_untrusted_fence
  assert strip(fenced("Finds books.\n\nMore.")) == "Finds books.\n\nMore."
  assert strip(fenced("")) == ""
  assert strip("Finds books.") == "Finds books."
  assert strip(f"{BEGIN} Finds books. {END}") == f"{BEGIN} Finds books. {END}", "not ADK's shape"
  assert strip(f"{BEGIN}\nFinds books.") == f"{BEGIN}\nFinds books.", "no end marker"
  assert strip(f"Note:\n{fenced('x')}") == f"Note:\n{fenced('x')}", "the fence must be the whole"


def test_a_fenced_spec_keeps_what_the_model_gets_and_shows_its_own_text() -> None:
  decl = types.FunctionDeclaration(
    name="add_book",
    description=fenced("Adds a book.\n\nArgs:\n  year: The year it was first published."),
    parameters_json_schema={
      "type": "object",
      "properties": {
        "title": {"type": "string", "description": fenced("The title.")},
        "year": {"type": "integer"},
        "shelf": {"type": "object", "default": {"description": fenced("a value, not a schema")}},
      },
      "required": ["title", "year"],
    },
  )

  spec = tool_spec_from_declaration(decl)

  assert spec.description == decl.description, "as sent"
  assert spec.parameters["properties"]["title"]["description"] == fenced("The title.")
  assert spec.own_description.startswith("Adds a book.")
  assert spec.summary == "Adds a book."
  own = spec.own_parameters["properties"]
  assert own["title"]["description"] == "The title."
  assert own["year"]["description"] == "The year it was first published.", "docstring help"
  assert own["shelf"]["default"] == {"description": fenced("a value, not a schema")}, "data"
  assert [f.description for f in forms.form_from_schema(spec.own_parameters)][:2] == [
    "The title.",
    "The year it was first published.",
  ]
