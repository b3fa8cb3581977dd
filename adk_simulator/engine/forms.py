"""Forms described from JSON Schema, and widget values <-> call arguments.

Pure data, no Textual: the TUI builds one widget per `FormField` (`children`
for objects, `item` as the template of each array entry). Tool parameters
(`ToolSpec.parameters`) and agents' `input_schema.model_json_schema()` go
through the same code.

Widget values ("values") are what widgets hold: text for string, integer,
number and json fields; `bool | None` for booleans; the raw enum value (or
None) for enums; a dict of child values for objects; a list of item values
for arrays. Arguments ("args") are what the model sends, types kept exactly.

What a person filling the form gets:
- A fresh form shows the schema's defaults (`initial_values`) and sends what
  it shows: a default left in place is sent explicitly.
- A blank field (empty text, None, empty list, an object whose fields are all
  blank) means "leave this argument out", so the tool's own default applies,
  just as when a model omits an optional argument. The UI should show the
  default as a hint on blank fields.
- A blank *required* field becomes null when the schema allows null,
  otherwise "" for a string or [] for an array when the schema allows those,
  otherwise a required object is built from its fields; anything else is the
  error "required field missing". An array entry counts as required.
- Text becomes a number only when it is one: "7" -> 7 for an integer field,
  "7.5" or "7.0" there is "expected an integer"; "7" -> 7 and "7.5" -> 7.5 for
  a number field. String fields keep text as typed, spaces included.
- `args_to_values` shows a missing or null argument as blank (json fields show
  an explicit null as "null"); a value a widget cannot hold (7 in a text field)
  is shown as its JSON text. Values produced by `args_to_values` survive
  values -> args -> JSON -> args -> values unchanged.
- `values_to_args` only converts; the schema's constraints (bounds, patterns,
  unknown fields) are `schemas.validate_arguments`' job, with the same paths.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict

from adk_simulator.engine.schemas import FieldError
from adk_simulator.engine.schemas import lookup_ref
from adk_simulator.engine.schemas import resolve_refs
from adk_simulator.engine.schemas import show

FieldKind = Literal["string", "integer", "number", "boolean", "enum", "object", "array", "json"]
""""json" is anything a form cannot model (free dicts, unions, recursion): edited as JSON text."""

_MAX_WRAPPERS = 8


class FormField(BaseModel):
  """One field of a form; objects hold `children`, arrays an `item` template."""

  model_config = ConfigDict(frozen=True)

  name: str
  """The property name (an array's item template repeats the array's name)."""
  path: str
  """Where the field sits: `customer.email`; array items read `attachments[].size_kb`."""
  title: str
  description: str | None = None
  required: bool = False
  kind: FieldKind
  nullable: bool = False
  """The schema accepts null (`Optional[X]`, `anyOf [X, null]`, `type: [X, "null"]`)."""
  has_default: bool = False
  default: Any = None
  """The schema's default, as JSON (meaningful only when `has_default`)."""
  enum_values: list[Any] = []
  """Allowed values, raw (strings, ints, ...), null excluded (see `nullable`)."""
  children: list[FormField] = []
  item: FormField | None = None
  minimum: int | float | None = None
  maximum: int | float | None = None
  exclusive_minimum: int | float | None = None
  exclusive_maximum: int | float | None = None
  min_length: int | None = None
  max_length: int | None = None
  pattern: str | None = None
  format: str | None = None
  min_items: int | None = None
  max_items: int | None = None
  json_schema: dict[str, Any] = {}
  """The field's own schema with `$ref`s inlined (to show or check json fields)."""


# --- Schema -> fields -------------------------------------------------------------


def form_from_schema(schema: dict[str, Any]) -> list[FormField]:
  """The top-level fields of an object schema, in declaration order."""
  node, stack = _deref(schema, schema, ())
  if node is None or not isinstance(node.get("properties"), dict):
    return []
  return _children(node, schema, "", stack)


def _children(
  node: dict[str, Any], root: dict[str, Any], path: str, stack: tuple[str, ...]
) -> list[FormField]:
  required = node.get("required") if isinstance(node.get("required"), list) else []
  return [
    # A boolean subschema (`true`: anything goes) becomes a json field.
    _field(
      name,
      f"{path}.{name}" if path else name,
      raw if isinstance(raw, dict) else {},
      name in required,
      root,
      stack,
    )
    for name, raw in node["properties"].items()
  ]


def _field(
  name: str,
  path: str,
  raw: dict[str, Any],
  required: bool,
  root: dict[str, Any],
  stack: tuple[str, ...],
  *,
  is_item: bool = False,
) -> FormField:
  node, inner_stack = _deref(raw, root, stack)
  nullable = False
  if node is not None:
    node, nullable, inner_stack = _unwrap(node, root, inner_stack)
  node = node or {}
  # A field is named by its own title or name, not its type's title
  # (`billing: Address` reads "Billing"); an array entry has only its type's.
  if is_item:
    title = raw.get("title") or node.get("title") or "Item"
  else:
    title = raw.get("title") or _humanise(name)
  description = raw.get("description") or node.get("description")
  source = raw if "default" in raw else node
  info: dict[str, Any] = {
    "name": name,
    "path": path,
    "title": str(title),
    "description": description if isinstance(description, str) else None,
    "required": required,
    "nullable": nullable,
    "has_default": "default" in source,
    "default": copy.deepcopy(source.get("default")),
    "json_schema": resolve_refs(raw, root=root),
    **_constraints(node),
  }
  enum = node.get("enum") if isinstance(node.get("enum"), list) else None
  if enum is None and "const" in node:
    enum = [node["const"]]
  type_name = node.get("type")
  if type_name is None and isinstance(node.get("properties"), dict):
    type_name = "object"
  if enum is not None and any(value is not None for value in enum):
    values = [value for value in enum if value is not None]
    return FormField(
      kind="enum", enum_values=values, **{**info, "nullable": nullable or None in enum}
    )
  if type_name in ("string", "integer", "number", "boolean"):
    return FormField(kind=type_name, **info)
  if type_name == "object" and _has_fixed_fields(node):
    return FormField(kind="object", children=_children(node, root, path, inner_stack), **info)
  if type_name == "array" and "prefixItems" not in node:
    items = node.get("items")
    items = items if isinstance(items, dict) else {}
    item = _field(name, f"{path}[]", items, True, root, inner_stack, is_item=True)
    return FormField(kind="array", item=item, **info)
  return FormField(kind="json", **info)


def _deref(
  node: dict[str, Any], root: dict[str, Any], stack: tuple[str, ...]
) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
  """Follows `$ref`s; None for a reference already being expanded (recursion)."""
  for _ in range(_MAX_WRAPPERS):
    ref = node.get("$ref")
    if not isinstance(ref, str):
      return node, stack
    if ref in stack:
      return None, stack
    target = lookup_ref(root, ref)
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    node, stack = {**(target or {}), **siblings}, (*stack, ref)
  return None, stack


def _unwrap(
  node: dict[str, Any], root: dict[str, Any], stack: tuple[str, ...]
) -> tuple[dict[str, Any] | None, bool, tuple[str, ...]]:
  """Takes null out of `type` lists and single-branch unions, noting it."""
  nullable = False
  for _ in range(_MAX_WRAPPERS):
    type_name = node.get("type")
    if isinstance(type_name, list):
      non_null = [t for t in type_name if t != "null"]
      nullable |= len(non_null) < len(type_name)
      node = {**node, "type": non_null[0] if len(non_null) == 1 else non_null}
    key = next((k for k in ("anyOf", "oneOf", "allOf") if isinstance(node.get(k), list)), None)
    if key is None:
      break
    branches = [b for b in node[key] if isinstance(b, dict)]
    non_null = [b for b in branches if not _is_null(b)]
    nullable |= len(non_null) < len(branches)
    if len(non_null) != 1:
      node = {**node, key: non_null}
      break
    inner, stack = _deref(non_null[0], root, stack)
    if inner is None:
      return None, nullable, stack
    outer = {k: v for k, v in node.items() if k != key}
    node = {**outer, **inner}
  return node, nullable, stack


def _is_null(schema: dict[str, Any]) -> bool:
  return (
    schema.get("type") == "null"
    or schema.get("enum") == [None]
    or ("const" in schema and schema["const"] is None)
  )


def _has_fixed_fields(node: dict[str, Any]) -> bool:
  properties = node.get("properties")
  if not isinstance(properties, dict):
    return False
  # `{}` properties is a free dict unless extra keys are forbidden.
  return bool(properties) or node.get("additionalProperties") is False


def _constraints(node: dict[str, Any]) -> dict[str, Any]:
  def number(key: str) -> int | float | None:
    value = node.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None

  def count(key: str) -> int | None:
    value = node.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None

  def text(key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None

  return {
    "minimum": number("minimum"),
    "maximum": number("maximum"),
    "exclusive_minimum": number("exclusiveMinimum"),
    "exclusive_maximum": number("exclusiveMaximum"),
    "min_length": count("minLength"),
    "max_length": count("maxLength"),
    "pattern": text("pattern"),
    "format": text("format"),
    "min_items": count("minItems"),
    "max_items": count("maxItems"),
  }


def _humanise(name: str) -> str:
  words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
  text = " ".join(words).lower()
  return text[:1].upper() + text[1:] if text else name


# --- Values <-> args ----------------------------------------------------------------


class _Omitted:
  """Marks an argument left out of the call."""


_OMIT = _Omitted()
_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def values_to_args(
  fields: list[FormField], raw: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
  """Turns widget values into call arguments (see the module docstring for the rules).

  Returns:
    The arguments (fields in error left out) and one error per field that
    could not be converted, paths as in `validate_arguments`. Keys of `raw`
    that name no field are ignored.
  """
  errors: list[FieldError] = []
  args = _object_args(fields, raw if isinstance(raw, dict) else {}, "", errors)
  return args, errors


def _object_args(
  fields: list[FormField], raw: dict[str, Any], path: str, errors: list[FieldError]
) -> dict[str, Any]:
  args: dict[str, Any] = {}
  for field in fields:
    child_path = f"{path}.{field.name}" if path else field.name
    value = _arg(field, raw.get(field.name), field.required, child_path, errors)
    if not isinstance(value, _Omitted):
      args[field.name] = value
  return args


def _arg(field: FormField, raw: Any, required: bool, path: str, errors: list[FieldError]) -> Any:
  if is_blank(field, raw):
    if not required:
      return _OMIT
    if field.nullable:
      return None
    if field.kind == "string" and _accepts_empty_text(field):
      return ""
    if field.kind == "array" and not field.min_items:
      return []
    if field.kind != "object":
      errors.append(FieldError(path=path, message="required field missing"))
      return _OMIT
    raw = raw if isinstance(raw, dict) else {}

  def fail(message: str) -> _Omitted:
    errors.append(FieldError(path=path, message=message))
    return _OMIT

  match field.kind:
    case "string":
      return raw if isinstance(raw, str) else fail("expected text")
    case "integer":
      if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
      if isinstance(raw, str) and _INT.fullmatch(raw.strip()):
        return int(raw.strip())
      return fail("expected an integer")
    case "number":
      if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
      if isinstance(raw, str) and _INT.fullmatch(raw.strip()):
        return int(raw.strip())
      if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        return float(raw.strip())
      return fail("expected a number")
    case "boolean":
      if isinstance(raw, bool):
        return raw
      if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
      return fail("expected true or false")
    case "enum":
      return _enum_arg(field, raw, fail)
    case "object":
      if not isinstance(raw, dict):
        return fail("expected an object")
      return _object_args(field.children, raw, path, errors)
    case "array":
      if not isinstance(raw, list | tuple):
        return fail("expected a list")
      item = field.item or FormField(
        name=field.name, path=f"{field.path}[]", title="Item", kind="json"
      )
      values = [_arg(item, entry, True, f"{path}[{i}]", errors) for i, entry in enumerate(raw)]
      return [value for value in values if not isinstance(value, _Omitted)]
    case "json":
      if not isinstance(raw, str):
        return copy.deepcopy(raw)
      try:
        return json.loads(raw)
      except json.JSONDecodeError as exc:
        return fail(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")


def _enum_arg(field: FormField, raw: Any, fail: Any) -> Any:
  for value in field.enum_values:
    # Type-exact: 1, 1.0 and True are different choices.
    if type(value) is type(raw) and value == raw:
      return value
  if isinstance(raw, str):
    matches = [value for value in field.enum_values if enum_text(value) == raw.strip()]
    if len(matches) == 1:
      return matches[0]
  return fail(f"expected one of {', '.join(show(value) for value in field.enum_values)}")


def _accepts_empty_text(field: FormField) -> bool:
  if field.min_length:
    return False
  if field.pattern is None:
    return True
  try:
    return re.search(field.pattern, "") is not None
  except re.error:
    return True


def enum_text(value: Any) -> str:
  """How an enum value reads in a picker: strings as they are, others as JSON."""
  return value if isinstance(value, str) else json.dumps(value)


def is_blank(field: FormField, raw: Any) -> bool:
  """Whether a widget value means "nothing entered" for this field."""
  if raw is None:
    return True
  match field.kind:
    case "string":
      return raw == ""
    case "integer" | "number" | "json":
      return isinstance(raw, str) and not raw.strip()
    case "enum":
      return raw == "" and "" not in field.enum_values
    case "object":
      return isinstance(raw, dict) and all(
        is_blank(child, raw.get(child.name)) for child in field.children
      )
    case "array":
      return isinstance(raw, list | tuple) and not raw
    case _:
      return False


def blank_value(field: FormField) -> Any:
  """The widget value of an empty field."""
  match field.kind:
    case "string" | "integer" | "number" | "json":
      return ""
    case "object":
      return {child.name: blank_value(child) for child in field.children}
    case "array":
      return []
    case _:
      return None


def initial_values(fields: list[FormField]) -> dict[str, Any]:
  """Widget values of a fresh form: defaults filled in, everything else blank."""
  return {field.name: initial_value(field) for field in fields}


def initial_value(field: FormField) -> Any:
  """A fresh field's value; `initial_value(array.item)` for a new array entry."""
  if field.has_default:
    return _value(field, field.default, present=True)
  if field.kind == "object":
    return initial_values(field.children)
  return blank_value(field)


def args_to_values(fields: list[FormField], args: dict[str, Any]) -> dict[str, Any]:
  """Widget values showing existing arguments (to edit a call, or leave raw JSON)."""
  return {
    field.name: _value(field, args.get(field.name), present=field.name in args) for field in fields
  }


def _value(field: FormField, value: Any, *, present: bool) -> Any:
  if not present or value is None:
    return "null" if present and field.kind == "json" else blank_value(field)
  match field.kind:
    case "string":
      return value if isinstance(value, str) else _json_text(value)
    case "integer" | "number":
      return _json_text(value)
    case "boolean":
      return value if isinstance(value, bool) else None
    case "enum":
      return value
    case "object":
      if not isinstance(value, dict):
        return blank_value(field)
      return args_to_values(field.children, value)
    case "array":
      if not isinstance(value, list) or field.item is None:
        return []
      return [_value(field.item, entry, present=True) for entry in value]
    case _:
      return _json_text(value, indent=2)


def _json_text(value: Any, *, indent: int | None = None) -> str:
  try:
    return json.dumps(value, ensure_ascii=False, indent=indent)
  except (TypeError, ValueError):
    return str(value)
