"""Widget values <-> call arguments, for forms described from JSON Schema.

Pure data, no Textual: the TUI builds one widget per `FormField` (`children`
for objects, `item` as the template of each array entry), from
`form_from_schema` (in `form_fields`, re-exported here so `forms` stays the
one import for form code).

Widget values ("values") are what widgets hold: text for string, integer,
number and json fields; `bool | None` for booleans; the raw enum value (or
None) for enums; a dict of child values for objects; a list of item values
for arrays; a `UnionValue` (which variant, and its fields' values) for
unions. Arguments ("args") are what the model sends, types kept exactly.

What a person filling the form gets:
- The call holds the arguments the person set, nothing more. A fresh form
  leaves optional fields blank, those with a default too (`initial_values`):
  the UI shows the default as the field's hint, and a field left untouched is
  not sent, so the tool's own default applies, just as when a model omits an
  optional argument. To send a default explicitly, the person fills it in
  (`default_value` gives the widget value; the app has a key for it). A
  required field with a default starts filled in: it is sent either way.
- A blank field (empty text, None, empty list, an object whose fields are all
  blank) means "leave this argument out".
- A blank *required* field becomes null when the schema allows null, [] for
  an array without `minItems`, and a required object is built from its
  fields. A required string left empty is almost always a slip, so it is the
  error "required: type a value" unless the schema says "" is a value it
  wants: an explicit `minLength: 0`, or a default of "" (an `enum` holding ""
  offers it as a choice of its own); JSON Schema alone would accept "".
  Anything else blank is the error "required field missing". An array entry
  counts as required.
- A union sends exactly the chosen variant's object, built like an object
  field from that variant's fields. Choosing a variant fills in its defaults
  and its discriminator (the `kind: Literal["courier"]` tag that says which
  variant it is: pydantic needs it to pick the model); no variant chosen is
  blank.
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
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

# `X as X` marks a re-export: these names have always been importable from here.
from adk_simulator.engine.schema.form_fields import FieldKind as FieldKind
from adk_simulator.engine.schema.form_fields import FormField
from adk_simulator.engine.schema.form_fields import form_from_schema as form_from_schema
from adk_simulator.engine.schema.json_schema import lookup_ref as lookup_ref
from adk_simulator.engine.schema.json_schema import resolve_refs as resolve_refs
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import show

# --- Values <-> args ----------------------------------------------------------------


class _Omitted:
  """Marks an argument left out of the call."""


_OMIT = _Omitted()


@dataclass(frozen=True)
class UnionValue:
  """The widget value of a union: the chosen variant and its fields' values."""

  variant: int | None = None
  """The index of the chosen variant in `FormField.variants`; None: none chosen."""
  values: dict[str, Any] = dataclass_field(default_factory=dict)
  """The chosen variant's widget values, as for an object of its `children`."""


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
    if field.kind == "string":
      if _accepts_empty_text(field):
        return ""
      errors.append(FieldError(path=path, message=EMPTY_REQUIRED_TEXT))
      return _OMIT
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
    case "union":
      index = raw.variant if isinstance(raw, UnionValue) else None
      if index is None or not 0 <= index < len(field.variants):
        return fail("expected one of the variants")
      return _object_args(field.variants[index].children, raw.values, path, errors)
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


EMPTY_REQUIRED_TEXT = 'required: type a value (the schema does not say "" is wanted)'
"""The error of a required string left empty (see the module docstring)."""


def _accepts_empty_text(field: FormField) -> bool:
  """Whether the schema says "" is wanted: `minLength: 0`, or a default of ""."""
  if field.min_length != 0 and not (field.has_default and field.default == ""):
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
    case "union":
      # Choosing a variant is a decision even before any of its fields is filled.
      return isinstance(raw, UnionValue) and raw.variant is None
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
    case "union":
      return UnionValue()
    case _:
      return None


def variant_value(field: FormField, index: int) -> UnionValue:
  """A union's value when the person chooses variant `index` afresh.

  Its fields show their defaults, and the discriminator its tag.
  """
  variant = field.variants[index]
  values = initial_values(variant.children)
  for child in variant.children:
    if child.name == field.discriminator and child.enum_values:
      values[child.name] = child.enum_values[0]
  return UnionValue(index, values)


def match_variant(field: FormField, value: Any) -> int | None:
  """Which of a union's variants an argument is, or None when none fits.

  By the discriminator when the value has it; otherwise the first variant
  that declares every key of the value and has all its required ones, then
  the first that declares every key.
  """
  if not isinstance(value, dict):
    return None
  if field.discriminator is not None and field.discriminator in value:
    tag = value[field.discriminator]
    for index, variant in enumerate(field.variants):
      for child in variant.children:
        if child.name == field.discriminator and any(
          type(choice) is type(tag) and choice == tag for choice in child.enum_values
        ):
          return index
    return None
  keys = set(value)
  declared = [{child.name for child in variant.children} for variant in field.variants]
  required = [
    {child.name for child in variant.children if child.required} for variant in field.variants
  ]
  for index, names in enumerate(declared):
    if keys <= names and required[index] <= keys:
      return index
  return next((index for index, names in enumerate(declared) if keys <= names), None)


def initial_values(fields: list[FormField]) -> dict[str, Any]:
  """Widget values of a fresh form: defaults filled in, everything else blank."""
  return {field.name: initial_value(field) for field in fields}


def initial_value(field: FormField) -> Any:
  """A fresh field's value; `initial_value(array.item)` for a new array entry.

  An optional field's default is not filled in: left untouched, it is not sent.
  """
  if field.has_default and field.required:
    return _value(field, field.default, present=True)
  if field.kind == "object":
    return initial_values(field.children)
  return blank_value(field)


def default_value(field: FormField) -> Any:
  """The widget value that sends `field`'s default explicitly (None: it has none)."""
  if not field.has_default:
    return None
  return _value(field, field.default, present=True)


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
    case "union":
      index = match_variant(field, value)
      if index is None:
        return blank_value(field)
      return UnionValue(index, args_to_values(field.variants[index].children, value))
    case _:
      return _json_text(value, indent=2)


def _json_text(value: Any, *, indent: int | None = None) -> str:
  try:
    return json.dumps(value, ensure_ascii=False, indent=indent)
  except (TypeError, ValueError):
    return str(value)
