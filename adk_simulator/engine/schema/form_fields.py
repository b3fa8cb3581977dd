"""Form fields described from JSON Schema: what to ask for, and within which limits.

One `FormField` per property, in declaration order: objects hold `children`,
arrays an `item` template for each entry, unions of objects (`Union[A, B]`:
`anyOf`/`oneOf` of object schemas) their `variants`. `$ref`s are followed,
`Optional` becomes `nullable`, and shapes a form cannot model (free dicts,
unions of scalars or of mixed shapes, recursion) become "json" fields edited
as JSON text. Tool parameters (`ToolSpec.parameters`) and agents'
`input_schema.model_json_schema()` go through the same code. Pure data, no
Textual; `forms` re-exports all of it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict

from adk_simulator.engine.schema.json_schema import deref
from adk_simulator.engine.schema.json_schema import resolve_refs
from adk_simulator.engine.schema.json_schema import unwrap_nullable

FieldKind = Literal[
  "string", "integer", "number", "boolean", "enum", "object", "array", "union", "json"
]
""""union" is a choice between objects; "json" is anything a form cannot model
(free dicts, unions of scalars, recursion): edited as JSON text."""


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
  variants: list[FormField] = []
  """A union's alternatives, in schema order: each an "object" field at the
  union's path, titled by its label (the discriminator's value, else the
  variant's own title)."""
  discriminator: str | None = None
  """The property every variant of a union fixes to a value of its own (a
  `Literal` tag such as `kind`), when there is one; it is among each
  variant's `children`, an "enum" of that one value."""
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
  union = _union(name, path, node, root, inner_stack) if type_name in (None, "object") else None
  if union is not None:
    variants, discriminator = union
    return FormField(kind="union", variants=variants, discriminator=discriminator, **info)
  if type_name == "object" and _has_fixed_fields(node):
    return FormField(kind="object", children=_children(node, root, path, inner_stack), **info)
  if type_name == "array" and "prefixItems" not in node:
    items = node.get("items")
    items = items if isinstance(items, dict) else {}
    item = _field(name, f"{path}[]", items, True, root, inner_stack, is_item=True)
    return FormField(kind="array", item=item, **info)
  return FormField(kind="json", **info)


def _union(
  name: str, path: str, node: dict[str, Any], root: dict[str, Any], stack: tuple[str, ...]
) -> tuple[list[FormField], str | None] | None:
  """A union's variants and discriminator; None unless every branch is an object form."""
  key = next((k for k in ("oneOf", "anyOf") if isinstance(node.get(k), list)), None)
  # Properties of its own next to the branches: constraints on one object, not a choice.
  if key is None or len(node[key]) < 2 or "properties" in node:
    return None
  branches: list[tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]] = []
  for raw in node[key]:
    branch, branch_stack = deref(raw, root, stack) if isinstance(raw, dict) else (None, stack)
    # A recursive, scalar or free-dict branch: the whole union stays raw JSON.
    if branch is None or branch.get("type", "object") != "object":
      return None
    if not _has_fixed_fields(branch) or any(k in branch for k in ("anyOf", "oneOf", "allOf")):
      return None
    branches.append((raw, branch, branch_stack))
  discriminator = _discriminator(node, [branch for _, branch, _ in branches], root)
  variants: list[FormField] = []
  for number, (raw, branch, branch_stack) in enumerate(branches, start=1):
    children = _children(branch, root, path, branch_stack)
    tag = next((c.enum_values[0] for c in children if c.name == discriminator), None)
    title = branch.get("title")
    if discriminator is not None:
      label = tag if isinstance(tag, str) else json.dumps(tag)
    else:
      label = title if isinstance(title, str) and title else f"Option {number}"
    description = branch.get("description")
    variants.append(
      FormField(
        name=name,
        path=path,
        title=label,
        description=description if isinstance(description, str) else None,
        required=True,
        kind="object",
        children=children,
        json_schema=resolve_refs(raw, root=root),
        **_constraints(branch),
      )
    )
  titles = [variant.title for variant in variants]
  if len(set(titles)) < len(titles):
    # Two variants titled alike ("Item" from two modules) must still read apart.
    variants = [
      variant.model_copy(update={"title": f"{variant.title} ({number})"})
      for number, variant in enumerate(variants, start=1)
    ]
  return variants, discriminator


def _discriminator(
  node: dict[str, Any], branches: list[dict[str, Any]], root: dict[str, Any]
) -> str | None:
  """The property each branch fixes to a value no other branch has, if any.

  Pydantic declares `Field(discriminator=...)` as an OpenAPI `discriminator`;
  a plain `Union` of models with `Literal` tags has none, so the first
  property that every branch holds as a constant, all different, is taken.
  """
  declared = node.get("discriminator")
  if isinstance(declared, dict) and isinstance(declared.get("propertyName"), str):
    candidates = [declared["propertyName"]]
  else:
    candidates = list(branches[0]["properties"])
  for candidate in candidates:
    tags = [_constant(branch["properties"].get(candidate), root) for branch in branches]
    # Type-exact: 1 and true are different tags.
    shown = {json.dumps(tag[0]) for tag in tags if tag is not None and tag[0] is not None}
    if len(shown) == len(branches):
      return candidate
  return None


def _constant(raw: Any, root: dict[str, Any]) -> tuple[Any] | None:
  """`(value,)` when the schema admits one value only (`const`, a one-value `enum`)."""
  if not isinstance(raw, dict):
    return None
  node, _ = deref(raw, root, ())
  if node is None:
    return None
  if "const" in node:
    return (node["const"],)
  enum = node.get("enum")
  return (enum[0],) if isinstance(enum, list) and len(enum) == 1 else None


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
