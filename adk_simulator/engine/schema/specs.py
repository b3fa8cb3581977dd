"""Tool declarations as one JSON Schema each, and argument checks against it.

ADK hands the model `google.genai.types.FunctionDeclaration`s in two shapes:
`FunctionTool` (and most built-ins) fill `parameters_json_schema` with plain
JSON Schema, while custom `BaseTool`s, some toolsets and ADK itself with the
`JSON_SCHEMA_FOR_FUNC_DECL` feature off fill `parameters`, a genai `Schema`
(uppercase `Type` names, `nullable`). `ToolSpec.parameters` is always JSON
Schema (see `json_schema`), so forms and validation deal with one dialect only.

A `FunctionTool` documents its arguments only in the docstring it sends as the
description; `ToolSpec.parameters` carries that help on each top-level
property that has no description of its own (see `docstrings`).

ADK fences the descriptions an MCP server supplies (the tool's and its
parameters') between untrusted-text markers before they reach the model.
`ToolSpec` keeps what the model gets; `own_description` and `own_parameters`
are the server's own text, for lists and forms (see `without_untrusted_fence`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeGuard

from jsonschema import Draft202012Validator
from jsonschema import ValidationError
from jsonschema import validators
from pydantic import BaseModel
from pydantic import ConfigDict

from adk_simulator.engine.schema.docstrings import argument_docs
from adk_simulator.engine.schema.docstrings import first_paragraph
from adk_simulator.engine.schema.json_schema import DATA_KEYWORDS
from adk_simulator.engine.schema.json_schema import NAME_MAPS
from adk_simulator.engine.schema.json_schema import as_object_schema
from adk_simulator.engine.schema.json_schema import json_schema_from_genai
from adk_simulator.engine.schema.json_schema import lookup_ref
from adk_simulator.engine.schema.json_schema import resolve_refs

if TYPE_CHECKING:
  from google.adk.models.llm_request import LlmRequest
  from google.genai import types


# ADK 2.13 (`flows/llm_flows/context/_fencing.py`, applied by `McpTool`) sends
# an MCP tool's description, and each description in its schemas, as
# BEGIN + "\n" + text + "\n" + END; markers inside the text become
# <<<ELIDED_MARKER>>>, which is left as it is.
UNTRUSTED_DESCRIPTION_BEGIN = "<<<BEGIN_UNTRUSTED_TOOL_DESCRIPTION>>>"
UNTRUSTED_DESCRIPTION_END = "<<<END_UNTRUSTED_TOOL_DESCRIPTION>>>"


def without_untrusted_fence(text: str) -> str:
  """The text ADK fenced as untrusted (an MCP tool's description), without the fence.

  Only the exact wrapper ADK adds is removed; any other text comes back as it is.
  For display only: the model gets the fenced text.
  """
  head = UNTRUSTED_DESCRIPTION_BEGIN + "\n"
  tail = "\n" + UNTRUSTED_DESCRIPTION_END
  if len(text) >= len(head) + len(tail) and text.startswith(head) and text.endswith(tail):
    return text[len(head) : -len(tail)]
  return text


def _unfenced_schema(node: Any) -> Any:
  """A copy of a JSON Schema with every fenced `description` unfenced."""
  if isinstance(node, list):
    return [_unfenced_schema(item) for item in node]
  if not isinstance(node, dict):
    return node
  out: dict[str, Any] = {}
  for key, value in node.items():
    if key == "description" and isinstance(value, str):
      out[key] = without_untrusted_fence(value)
    elif key in DATA_KEYWORDS:  # values, not schemas: a "description" there is data
      out[key] = value
    elif key in NAME_MAPS and isinstance(value, dict):
      out[key] = {name: _unfenced_schema(sub) for name, sub in value.items()}
    else:
      out[key] = _unfenced_schema(value)
  return out


class ToolSpec(BaseModel):
  """One tool as the model sees it, with its parameters as JSON Schema."""

  name: str
  description: str
  """The full text the model reads, docstring sections included, as sent
  (an MCP tool's inside ADK's untrusted-text fence)."""
  parameters: dict[str, Any]
  """An object schema: `type`, `properties` and `required` always present,
  `$defs` when the declaration had them. Descriptions as sent."""
  is_long_running: bool = False

  @property
  def own_description(self) -> str:
    """The tool's own description, without ADK's untrusted-text fence: for display."""
    return without_untrusted_fence(self.description)

  @property
  def own_parameters(self) -> dict[str, Any]:
    """`parameters` with the tool's own descriptions (unfenced): for forms."""
    return _unfenced_schema(self.parameters)

  @property
  def summary(self) -> str:
    """The own description's first paragraph on one line, for compact lists."""
    return first_paragraph(self.own_description)


class FieldError(BaseModel):
  """A problem with one argument, addressed the way a person reads it."""

  model_config = ConfigDict(frozen=True)

  path: str
  """`customer.email`, `attachments[1].size_kb`; "" for the arguments as a whole."""
  message: str


# --- Declarations -> ToolSpec ---------------------------------------------------


def tool_spec_from_declaration(
  decl: types.FunctionDeclaration, *, is_long_running: bool = False
) -> ToolSpec:
  """Normalises a declaration's parameters, whichever field carries them.

  A top-level parameter without a description of its own gets the help its
  docstring "Args:" section gives it; descriptions already there are kept.
  """
  if isinstance(decl.parameters_json_schema, dict):
    schema = copy.deepcopy(decl.parameters_json_schema)
  elif decl.parameters is not None:
    schema = json_schema_from_genai(decl.parameters)
  else:
    schema = {}
  description = decl.description or ""
  parameters = as_object_schema(schema)
  _add_argument_docs(parameters, without_untrusted_fence(description))
  return ToolSpec(
    name=decl.name or "",
    description=description,
    parameters=parameters,
    is_long_running=is_long_running,
  )


def tool_specs_from_request_tools(
  tools: Iterable[Any] | None, *, long_running: Collection[str] = ()
) -> list[ToolSpec]:
  """Flattens the function declarations of `llm_request.config.tools`, in order.

  Args:
    tools: `GenerateContentConfig.tools`. Entries that are not a
      `types.Tool` (callables, MCP sessions) and built-in tools without
      function declarations (Google Search, code execution) are skipped.
    long_running: names of long-running tools (see `tool_specs_from_llm_request`).
  """
  specs: list[ToolSpec] = []
  for tool in tools or ():
    if not _is_genai_tool(tool):
      continue
    for decl in tool.function_declarations or ():
      specs.append(tool_spec_from_declaration(decl, is_long_running=decl.name in long_running))
  return specs


def tool_specs_from_llm_request(llm_request: LlmRequest) -> list[ToolSpec]:
  """The tools offered in an ADK `LlmRequest`, long-running ones marked."""
  tools = llm_request.config.tools if llm_request.config else None
  return tool_specs_from_request_tools(tools, long_running=_long_running(llm_request))


class OfferedTools:
  """What one agent's requests offer, read again only when its tools change.

  An agent declares the same tools on most calls, and normalising them
  (schemas, docstrings) would cost every step. The specs and built-in names
  are kept with a copy of the declarations they were read from, and given
  again while a request declares equal ones; any change (a callback's, a
  dynamic toolset's) reads the request anew.
  """

  def __init__(self) -> None:
    self._read_from: tuple[list[types.Tool], list[str]] | None = None
    self._offered: tuple[list[ToolSpec], list[str]] = ([], [])

  def read(self, llm_request: LlmRequest) -> tuple[list[ToolSpec], list[str]]:
    """`tool_specs_from_llm_request` and `builtin_tools_from_llm_request` of the request."""
    tools = llm_request.config.tools if llm_request.config else None
    declared = [tool for tool in tools or () if _is_genai_tool(tool)]
    key = (declared, sorted(_long_running(llm_request)))
    if self._read_from is None or self._read_from != key:
      self._offered = (
        tool_specs_from_llm_request(llm_request),
        builtin_tools_from_llm_request(llm_request),
      )
      self._read_from = ([tool.model_copy(deep=True) for tool in declared], key[1])
    return self._offered


def _long_running(llm_request: LlmRequest) -> set[str]:
  return {
    name for name, tool in llm_request.tools_dict.items() if getattr(tool, "is_long_running", False)
  }


def _add_argument_docs(parameters: dict[str, Any], description: str) -> None:
  properties = parameters["properties"]
  docs = argument_docs(description) if isinstance(properties, dict) else {}
  for name, help_text in docs.items():
    prop = properties.get(name)
    # `true` (anything goes) and `{}` mean the same; `false` has nothing to describe.
    if prop is True:
      prop = {}
    if isinstance(prop, dict) and not prop.get("description"):
      # A new dict: a property schema may be shared (by object identity) with another.
      properties[name] = {**prop, "description": help_text}


# --- Validation ------------------------------------------------------------------


def _is_strict_int(_checker: Any, instance: Any) -> bool:
  return isinstance(instance, int) and not isinstance(instance, bool)


# JSON Schema calls 7.0 an integer; a Python tool would receive a float, and
# trajectories compare args exactly, so an integer must be an int.
_Validator = validators.extend(
  Draft202012Validator,
  type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_int),
)


def validate_arguments(spec: ToolSpec, args: Any) -> list[FieldError]:
  """Checks the arguments of a call against the tool's schema, types exactly.

  No coercion: "7" is not an integer, 7.0 is not an integer, `true` is not a
  number. An argument (or nested field) the schema does not declare is an
  error ("unknown argument" / "unknown field") unless the schema allows extra
  properties explicitly. Errors come in schema order, one per problem.

  Returns:
    The problems, empty when the arguments are valid. A schema that cannot be
    evaluated (bad regex, dangling `$ref`) yields one error at path "".
  """
  schema = _forbid_undeclared(spec.parameters)
  try:
    raw_errors = list(
      _Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(args)
    )
  except Exception as exc:
    # A broken schema (bad regex, dangling $ref) must reach the person, not end the turn.
    return [FieldError(path="", message=f"the tool's schema cannot be checked: {exc}")]
  if not raw_errors:
    return []
  found: list[tuple[tuple[int, ...], FieldError]] = []
  resolved = resolve_refs(spec.parameters)
  for raw in raw_errors:
    for error, parts in _explain(raw, schema):
      if all(error != seen for _, seen in found):
        found.append((_position(resolved, parts), error))
  # Schema keyword order (genai puts `required` first) says nothing to a
  # person: list problems in the order the fields are declared.
  return [error for _, error in sorted(found, key=lambda pair: pair[0])]


def _position(schema: Any, parts: list[Any]) -> tuple[int, ...]:
  key: list[int] = []
  for part in parts:
    if isinstance(part, int):
      key.append(part)
      schema = schema.get("items", {}) if isinstance(schema, dict) else {}
      continue
    names = _property_names(schema)
    key.append(names.index(part) if part in names else len(names))
    schema = _property_schema(schema, part)
  return tuple(key)


def _property_names(schema: Any) -> list[str]:
  if not isinstance(schema, dict):
    return []
  names = list(schema.get("properties") or {})
  for branch in schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or ():
    names += [name for name in _property_names(branch) if name not in names]
  return names


def _property_schema(schema: Any, name: str) -> Any:
  if not isinstance(schema, dict):
    return {}
  if name in (schema.get("properties") or {}):
    return schema["properties"][name]
  for branch in schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or ():
    if name in _property_names(branch):
      return _property_schema(branch, name)
  return {}


def _forbid_undeclared(node: Any) -> Any:
  """A copy in which objects with declared properties reject any others."""
  if isinstance(node, list):
    return [_forbid_undeclared(item) for item in node]
  if not isinstance(node, dict):
    return node
  out: dict[str, Any] = {}
  for key, value in node.items():
    if key in DATA_KEYWORDS:
      out[key] = value
    elif key in NAME_MAPS and isinstance(value, dict):
      out[key] = {name: _forbid_undeclared(sub) for name, sub in value.items()}
    else:
      out[key] = _forbid_undeclared(value)
  # Composition keywords may declare properties elsewhere: leave those open.
  open_keys = {"additionalProperties", "patternProperties", "unevaluatedProperties"}
  open_keys |= {"anyOf", "oneOf", "allOf", "$ref"}
  if isinstance(out.get("properties"), dict) and not open_keys & out.keys():
    out["additionalProperties"] = False
  return out


def _explain(
  error: ValidationError, root: dict[str, Any]
) -> Iterator[tuple[FieldError, list[Any]]]:
  path = list(error.absolute_path)
  kind = error.validator
  if kind == "required":
    names: Any = error.validator_value
    for name in names:
      if isinstance(error.instance, dict) and name not in error.instance:
        yield _at([*path, name], "required field missing")
  elif kind == "additionalProperties" and isinstance(error.instance, dict):
    schema = error.schema if isinstance(error.schema, dict) else {}
    declared = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    word = "unknown argument" if not path else "unknown field"
    for name in error.instance:
      if name not in declared and not any(re.search(p, name) for p in patterns):
        yield _at([*path, name], word)
  elif kind in ("anyOf", "oneOf") and error.context:
    yield from _explain_union(error, root, path)
  else:
    yield _at(path, _message(error))


def _at(parts: list[Any], message: str) -> tuple[FieldError, list[Any]]:
  return FieldError(path=format_path(parts), message=message), parts


def _explain_union(
  error: ValidationError, root: dict[str, Any], path: list[Any]
) -> Iterator[tuple[FieldError, list[Any]]]:
  by_branch: dict[int, list[ValidationError]] = {}
  for sub in error.context or ():
    by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
  # A branch whose type (or enum) the value does not even have is not what
  # was meant, nor one whose tag (`kind: "courier"`) the value contradicts;
  # among objects, the branch that declares every key the value has is the
  # one meant. If exactly one branch is left, its own errors say what is wrong.
  plausible = [errs for errs in by_branch.values() if not any(map(_rules_out_branch, errs))]
  if len(plausible) > 1:
    fitting = [
      errs
      for errs in plausible
      if not any(e.validator == "additionalProperties" and not e.relative_path for e in errs)
    ]
    plausible = fitting if len(fitting) == 1 else plausible
  if len(plausible) == 1:
    for sub in plausible[0]:
      yield from _explain(sub, root)
    return
  branches = error.validator_value if isinstance(error.validator_value, list) else []
  described = [_describe(branch, root) for branch in branches]
  if described.count("object") > 1:
    # A union of models reads "expected Courier or Pickup", not "object or object".
    described = [
      _title(branch, root) or text if text == "object" else text
      for branch, text in zip(branches, described, strict=True)
    ]
  expected = " or ".join(described)
  yield _at(path, f"expected {expected}, got {_describe_value(error.instance)}")


def _rules_out_branch(error: ValidationError) -> bool:
  """Whether an error in one branch of a union says the value is another branch."""
  if error.validator in ("type", "enum", "const") and not error.relative_path:
    return True
  # A property held to one value (a `Literal` tag) with another value in it.
  return error.validator == "const" and len(error.relative_path) == 1


def _message(error: ValidationError) -> str:
  value: Any = error.validator_value
  got = _describe_value(error.instance)
  match error.validator:
    case "type":
      names = value if isinstance(value, list) else [value]
      return f"expected {' or '.join(str(name) for name in names)}, got {got}"
    case "enum":
      return f"expected one of {', '.join(show(v) for v in value)}, got {show(error.instance)}"
    case "const":
      return f"expected {show(value)}, got {show(error.instance)}"
    case "minimum":
      return f"must be at least {show(value)}"
    case "maximum":
      return f"must be at most {show(value)}"
    case "exclusiveMinimum":
      return f"must be greater than {show(value)}"
    case "exclusiveMaximum":
      return f"must be less than {show(value)}"
    case "minLength":
      return f"must have at least {value} character{'s' if value != 1 else ''}"
    case "maxLength":
      return f"must have at most {value} character{'s' if value != 1 else ''}"
    case "minItems":
      return f"must have at least {value} item{'s' if value != 1 else ''}"
    case "maxItems":
      return f"must have at most {value} item{'s' if value != 1 else ''}"
    case "pattern":
      return f"must match the pattern {show(value)}"
    case "format":
      return f"is not a valid {value}"
    case "multipleOf":
      return f"must be a multiple of {show(value)}"
    case "uniqueItems":
      return "items must be unique"
    case _:
      return error.message


def _describe(schema: Any, root: dict[str, Any]) -> str:
  if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
    schema = lookup_ref(root, schema["$ref"]) or {}
  if not isinstance(schema, dict):
    return "any value"
  if "enum" in schema:
    return "one of " + ", ".join(show(v) for v in schema["enum"])
  if "const" in schema:
    return show(schema["const"])
  type_name = schema.get("type")
  if isinstance(type_name, list):
    return " or ".join(type_name)
  if isinstance(type_name, str):
    return type_name
  if "properties" in schema:
    return "object"
  return "a value of another shape"


def _title(schema: Any, root: dict[str, Any]) -> str | None:
  if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
    schema = {**(lookup_ref(root, schema["$ref"]) or {}), **schema}
  title = schema.get("title") if isinstance(schema, dict) else None
  return title if isinstance(title, str) and title else None


def _describe_value(value: Any) -> str:
  """'string 'abc'', 'integer 7', 'boolean true', 'null', 'object', 'array'."""
  if value is None:
    return "null"
  if isinstance(value, bool):
    return f"boolean {show(value)}"
  if isinstance(value, int):
    return f"integer {value}"
  if isinstance(value, float):
    return f"number {value}"
  if isinstance(value, str):
    return f"string {show(value)}"
  if isinstance(value, dict):
    return "object"
  if isinstance(value, list):
    return "array"
  return type(value).__name__


def show(value: Any, *, limit: int = 40) -> str:
  """A value as a message shows it: 'text' quoted, true/false/null, JSON otherwise."""
  if isinstance(value, str):
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(text)
  try:
    text = json.dumps(value, ensure_ascii=False)
  except (TypeError, ValueError):
    text = repr(value)
  return text if len(text) <= limit else text[: limit - 1] + "…"


def format_path(parts: Iterable[Any]) -> str:
  """`["attachments", 1, "size_kb"]` -> "attachments[1].size_kb"."""
  text = ""
  for part in parts:
    if isinstance(part, int):
      text += f"[{part}]"
    else:
      text += f".{part}" if text else str(part)
  return text


def _is_genai_tool(tool: Any) -> TypeGuard[types.Tool]:
  # google.genai is imported by whoever built the request; importing it here
  # would make this module (and the forms built on it) slow to import.
  from google.genai import types

  return isinstance(tool, types.Tool)


def builtin_tools_from_llm_request(llm_request: LlmRequest) -> list[str]:
  """The built-in tools a request carries (Google Search, code execution, ...), by name.

  They have no function declaration: the model uses them itself, and the
  person sees them in the request but cannot call them.
  """
  names: list[str] = []
  for tool in (llm_request.config.tools if llm_request.config else None) or ():
    if not _is_genai_tool(tool):
      continue
    declared = tool.model_dump(exclude_none=True)
    names.extend(name for name in declared if name != "function_declarations")
  return names
