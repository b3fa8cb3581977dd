"""JSON Schema as the simulator reads it: genai `Schema` converted, `$ref`s followed.

Tool declarations reach us as JSON Schema or as a genai `Schema`; everything
downstream (forms, argument checks) speaks JSON Schema (Draft 2020-12) only.
This module holds what both need from that dialect: the conversion, local
`$ref` lookup and inlining, and taking `null` out of a field's type.

We convert genai `Schema` ourselves rather than through its `json_schema`
property: in google-genai 2.34 that property turns `nullable=False` into
"may be null" and `nullable` next to `anyOf` into "must be null", and drops
`$defs`/`$ref` and `example`.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import unquote

if TYPE_CHECKING:
  from google.genai import types

DATA_KEYWORDS = frozenset({"default", "enum", "const", "examples", "example", "required"})
"""Keywords whose values are data, never subschemas: walkers must not descend."""
NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
"""Keywords holding a map from names to subschemas (a property may be named `default`)."""
_MAX_REF_DEPTH = 32
_MAX_WRAPPERS = 8


# --- genai Schema -> JSON Schema -------------------------------------------------


def json_schema_from_genai(schema: types.Schema) -> dict[str, Any]:
  """Converts a genai `Schema` to JSON Schema (Draft 2020-12)."""
  # Imported here: whoever holds a genai Schema has paid for google.genai.
  from google.genai import types

  out: dict[str, Any] = {}
  type_name = None
  if (
    schema.type is not None
    and str(getattr(schema.type, "value", schema.type)) != "TYPE_UNSPECIFIED"
  ):
    type_name = str(schema.type.value).lower()
    out["type"] = type_name
  if schema.any_of:
    out["anyOf"] = [json_schema_from_genai(branch) for branch in schema.any_of]
  if schema.nullable and type_name not in (None, "null"):
    out["type"] = [type_name, "null"]
  elif schema.nullable and "anyOf" in out and {"type": "null"} not in out["anyOf"]:
    out["anyOf"].append({"type": "null"})
  for attr, key in _GENAI_PLAIN_KEYWORDS:
    value = getattr(schema, attr)
    if value is not None:
      out[key] = value
  for attr, key in _GENAI_BOUNDS:
    value = getattr(schema, attr)
    if value is not None:
      # genai stores bounds as floats; `minimum: 1` reads better than `1.0`.
      out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
  if schema.enum is not None:
    out["enum"] = _enum_for_type(schema.enum, type_name)
  if schema.example is not None:
    out["examples"] = [schema.example]
  if schema.properties is not None:
    order = [name for name in schema.property_ordering or () if name in schema.properties]
    order += [name for name in schema.properties if name not in order]
    out["properties"] = {name: json_schema_from_genai(schema.properties[name]) for name in order}
  if schema.items is not None:
    out["items"] = json_schema_from_genai(schema.items)
  extra = schema.additional_properties
  if isinstance(extra, types.Schema):
    out["additionalProperties"] = json_schema_from_genai(extra)
  elif extra is not None:
    out["additionalProperties"] = extra
  if schema.defs:
    out["$defs"] = {name: json_schema_from_genai(sub) for name, sub in schema.defs.items()}
  if schema.ref is not None:
    out["$ref"] = schema.ref
  return out


_GENAI_PLAIN_KEYWORDS = (
  ("title", "title"),
  ("description", "description"),
  ("default", "default"),
  ("format", "format"),
  ("pattern", "pattern"),
  ("required", "required"),
)
_GENAI_BOUNDS = (
  ("minimum", "minimum"),
  ("maximum", "maximum"),
  ("min_length", "minLength"),
  ("max_length", "maxLength"),
  ("min_items", "minItems"),
  ("max_items", "maxItems"),
  ("min_properties", "minProperties"),
  ("max_properties", "maxProperties"),
)


def _enum_for_type(values: list[str], type_name: str | None) -> list[Any]:
  # genai enums are strings whatever the type; a numeric enum must hold numbers
  # or no value could ever satisfy both `type` and `enum`.
  if type_name in ("integer", "number"):
    try:
      return [json.loads(value) for value in values]
    except ValueError:
      return list(values)
  return list(values)


def as_object_schema(schema: dict[str, Any]) -> dict[str, Any]:
  """A tool's parameters as an object schema with `type`, `properties` and `required`.

  Pydantic puts a recursive model at the root as a bare `$ref`; its target is
  inlined there. The result is a new dict but shares subschemas with `schema`.
  """
  if "$ref" in schema and set(schema) <= {"$ref", "$defs", "definitions", "title", "description"}:
    target = lookup_ref(schema, schema["$ref"]) or {}
    rest = {key: value for key, value in schema.items() if key != "$ref"}
    schema = {**copy.deepcopy(target), **rest}
  out = {**schema, "type": "object"}
  out.setdefault("properties", {})
  out.setdefault("required", [])
  return out


# --- $ref ------------------------------------------------------------------------


def lookup_ref(root: dict[str, Any], ref: str) -> dict[str, Any] | None:
  """The subschema a local `$ref` ("#/$defs/Name") points to, or None."""
  if not ref.startswith("#"):
    return None
  node: Any = root
  for part in ref[1:].split("/")[1:] if ref != "#" else ():
    part = unquote(part).replace("~1", "/").replace("~0", "~")
    if isinstance(node, dict) and part in node:
      node = node[part]
    elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
      node = node[int(part)]
    else:
      return None
  return node if isinstance(node, dict) else None


def resolve_refs(schema: dict[str, Any], *, root: dict[str, Any] | None = None) -> dict[str, Any]:
  """Returns a copy of `schema` with every local `$ref` inlined and no `$defs`.

  Keywords next to a `$ref` (a field's own `description`, `default`) win over
  the target's. A recursive reference is left as an open object
  (`{"type": "object"}`), so a form shows it as raw JSON instead of looping.

  Args:
    schema: the schema to inline.
    root: the document `$ref`s point into; `schema` itself when omitted.
  """
  return _inline(schema, root if root is not None else schema, ())


def _inline(node: Any, root: dict[str, Any], stack: tuple[str, ...]) -> Any:
  if not isinstance(node, dict):
    return copy.deepcopy(node)
  ref = node.get("$ref")
  if isinstance(ref, str):
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    target = lookup_ref(root, ref)
    if ref in stack or len(stack) >= _MAX_REF_DEPTH:
      inlined: dict[str, Any] = {"type": "object"}
    elif target is None:
      inlined = {}
    else:
      inlined = _inline(target, root, (*stack, ref))
    return {**inlined, **_inline(siblings, root, stack)}
  out: dict[str, Any] = {}
  for key, value in node.items():
    if key in ("$defs", "definitions"):
      continue
    if key in DATA_KEYWORDS:
      out[key] = copy.deepcopy(value)
    elif key in NAME_MAPS and isinstance(value, dict):
      out[key] = {name: _inline(sub, root, stack) for name, sub in value.items()}
    elif isinstance(value, list):
      out[key] = [_inline(item, root, stack) for item in value]
    else:
      out[key] = _inline(value, root, stack)
  return out


def deref(
  node: dict[str, Any], root: dict[str, Any], stack: tuple[str, ...]
) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
  """Follows `$ref`s to a schema without one; keywords next to a `$ref` win.

  Args:
    node: the schema to follow.
    root: the document `$ref`s point into.
    stack: the references being expanded on the way here.

  Returns:
    The schema reached (None when a reference is already on `stack`, i.e.
    recursion, or the chain is too long) and `stack` with the references
    followed.
  """
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


def unwrap_nullable(
  node: dict[str, Any], root: dict[str, Any], stack: tuple[str, ...]
) -> tuple[dict[str, Any] | None, bool, tuple[str, ...]]:
  """Takes null out of `type` lists and single-branch unions, noting it.

  `Optional[Address]` (`anyOf [{$ref}, {type: null}]`) becomes the address
  schema, merged with the outer keywords, and "nullable". A union with
  several non-null branches keeps them (without null).

  Returns:
    The schema (None when it leads into recursion, see `deref`), whether it
    accepted null, and the references followed.
  """
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
    non_null = [b for b in branches if not is_null_schema(b)]
    nullable |= len(non_null) < len(branches)
    if len(non_null) != 1:
      node = {**node, key: non_null}
      break
    inner, stack = deref(non_null[0], root, stack)
    if inner is None:
      return None, nullable, stack
    outer = {k: v for k, v in node.items() if k != key}
    node = {**outer, **inner}
  return node, nullable, stack


def is_null_schema(schema: dict[str, Any]) -> bool:
  """Whether the schema admits only null (`type: null`, `enum: [null]`, `const: null`)."""
  return (
    schema.get("type") == "null"
    or schema.get("enum") == [None]
    or ("const" in schema and schema["const"] is None)
  )
