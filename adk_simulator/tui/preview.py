"""Cheap, bounded previews of values that may be huge.

A tool can return ten megabytes. Rendering that on the event loop would freeze
the app, so the timeline shows a preview built from a bounded walk of the
value: at most `node_budget` containers and scalars are visited, long strings
are cut, and the pretty text is cut to a few lines. The cost depends on the
budget, never on the size of the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adk_simulator.engine.words import count

ELLIPSIS = "…"


@dataclass(frozen=True)
class Preview:
  """The first lines of a value's pretty form, and whether anything was left out."""

  text: str
  folded: bool


class _Walk:
  """A bounded copy of a JSON-like value, marking what it leaves out."""

  def __init__(self, node_budget: int, string_limit: int) -> None:
    self.budget = node_budget
    self.string_limit = string_limit
    self.cut = False

  def copy(self, value: Any) -> Any:
    self.budget -= 1
    if isinstance(value, str):
      if len(value) > self.string_limit:
        self.cut = True
        return f"{value[: self.string_limit]}{ELLIPSIS} (+{len(value) - self.string_limit:,} chars)"
      return value
    if value is None or isinstance(value, bool | int | float):
      return value
    if isinstance(value, dict):
      out: dict[str, Any] = {}
      for index, (key, item) in enumerate(value.items()):
        if self.budget <= 0:
          self.cut = True
          out[ELLIPSIS] = f"{len(value) - index:,} more keys"
          break
        out[str(key)] = self.copy(item)
      return out
    if isinstance(value, list | tuple):
      items: list[Any] = []
      for index, item in enumerate(value):
        if self.budget <= 0:
          self.cut = True
          items.append(f"{ELLIPSIS} {count(len(value) - index, 'more item', 'more items')}")
          break
        items.append(self.copy(item))
      return items
    # Anything else (bytes, objects): its repr, cut, never the whole of it.
    return self.copy(_short_repr(value, self.string_limit + 1))


def _short_repr(value: Any, limit: int) -> str:
  if isinstance(value, bytes | bytearray):
    head = bytes(value[:limit])
    return f"<{len(value):,} bytes: {head!r}>"
  return repr(value)[:limit]


def preview(
  value: Any,
  *,
  max_lines: int = 8,
  node_budget: int = 200,
  string_limit: int = 400,
  indent: int | None = 2,
) -> Preview:
  """The first `max_lines` lines of `value` as pretty JSON, from a bounded walk.

  Args:
    value: Any JSON-like value (a str is shown as text, not as a JSON string).
    max_lines: Lines kept; the rest is folded.
    node_budget: How many values the walk visits at most.
    string_limit: Characters kept of each string.
    indent: JSON indent; None for one compact line.
  """
  if isinstance(value, str):
    return _text_preview(value, max_lines=max_lines, char_limit=string_limit * max_lines)
  walk = _Walk(node_budget, string_limit)
  bounded = walk.copy(value)
  separators = None if indent is not None else (", ", ": ")
  text = json.dumps(bounded, indent=indent, ensure_ascii=False, separators=separators)
  lines = text.splitlines()
  folded = walk.cut or len(lines) > max_lines
  if len(lines) > max_lines:
    lines = [*lines[:max_lines], ELLIPSIS]
  return Preview("\n".join(lines), folded)


def _text_preview(text: str, *, max_lines: int, char_limit: int) -> Preview:
  head = text[:char_limit]
  lines = head.splitlines()
  folded = len(text) > char_limit or len(lines) > max_lines
  if len(lines) > max_lines:
    lines = lines[:max_lines]
  shown = "\n".join(lines)
  return Preview(f"{shown}{ELLIPSIS}" if folded else shown, folded)


def one_line(value: Any, *, limit: int = 120) -> str:
  """A single line for a label: compact JSON of a bounded walk, cut to `limit`."""
  if isinstance(value, str):
    lines = value[: limit + 1].splitlines()
    first = lines[0][:limit] if lines else ""
    return first if first == value else first + ELLIPSIS
  text = preview(value, max_lines=1, node_budget=40, string_limit=limit, indent=None).text
  return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def format_seconds(seconds: float | None) -> str:
  """`0.42 s`, `12.3 s`, `2 min 05 s`, `1 h 02 min`; "" for None."""
  if seconds is None:
    return ""
  if seconds < 10:
    return f"{seconds:.2f} s"
  if seconds < 60:
    return f"{seconds:.1f} s"
  minutes, secs = divmod(int(seconds), 60)
  if minutes < 60:
    return f"{minutes} min {secs:02d} s"
  hours, minutes = divmod(minutes, 60)
  return f"{hours} h {minutes:02d} min"
