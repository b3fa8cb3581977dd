"""Each argument's help, read from the docstring ADK sends as a tool's description.

ADK 2.13's `FunctionTool` puts the whole docstring in the description and gives
top-level parameters no description of their own; `tool_spec_from_declaration`
moves each argument's "Args:" help onto its property, and `ToolSpec.summary`
is the first paragraph.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated
from typing import Any

import pytest
from google.adk.features import FeatureName
from google.adk.features._feature_registry import temporary_feature_override
from google.adk.tools import FunctionTool
from google.genai import types
from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.schema.docstrings import argument_docs
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.engine.schema.specs import validate_arguments

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"


@pytest.fixture
def bundled(monkeypatch: pytest.MonkeyPatch) -> Any:
  """Imports a module of the bundled demo agents (`"math_agent.agent"`)."""
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module


class Contact(BaseModel):
  name: str
  email: str = Field(description="Where the confirmation goes.")


def open_ticket(subject: str, priority: int = 3) -> dict[str, Any]:
  """Opens a support ticket."""
  return {"subject": subject, "priority": priority}


def _tool_spec(function: Any) -> ToolSpec:
  """The spec of a plain function, declared by ADK's `FunctionTool`."""
  decl = FunctionTool(function)._get_declaration()
  assert decl is not None
  return tool_spec_from_declaration(decl)


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
  when: Contact | None = None,
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
  assert spec.parameters["$defs"]["Contact"]["properties"]["email"]["description"] == (
    "Where the confirmation goes."
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


def test_without_argument_sections_keeps_everything_else():
  from adk_simulator.engine.schema.docstrings import without_argument_sections

  description = (
    "Adds two numbers.\n\nArgs:\n  a: The first addend.\n    More about a.\n  b: The second.\n\n"
    'Returns:\n  The sum under "result".'
  )
  assert without_argument_sections(description) == (
    'Adds two numbers.\n\nReturns:\n  The sum under "result".'
  )
  assert without_argument_sections("No sections here.") == "No sections here."
