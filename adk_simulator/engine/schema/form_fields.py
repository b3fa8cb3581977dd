"""Form fields described from JSON Schema: what to ask for, and within which limits.

One `FormField` per property, in declaration order: objects hold `children`,
arrays an `item` template for each entry. `$ref`s are followed, `Optional`
becomes `nullable`, and shapes a form cannot model (free dicts, unions,
recursion) become "json" fields edited as JSON text. Tool parameters
(`ToolSpec.parameters`) and agents' `input_schema.model_json_schema()` go
through the same code. Pure data, no Textual; `forms` re-exports all of it.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict

from adk_simulator.engine.schema.json_schema import deref
from adk_simulator.engine.schema.json_schema import resolve_refs
from adk_simulator.engine.schema.json_schema import unwrap_nullable

FieldKind = Literal["string", "integer", "number", "boolean", "enum", "object", "array", "json"]
""""json" is anything a form cannot model (free dicts, unions, recursion): edited as JSON text."""


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


def form_from_schema(schema: dict[str, Any]) -> list[FormField]:
  """The top-level fields of an object schema, in declaration order."""
  node, stack = deref(schema, schema, ())
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
  node, inner_stack = deref(raw, root, stack)
  nullable = False
  if node is not None:
    node, nullable, inner_stack = unwrap_nullable(node, root, inner_stack)
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
