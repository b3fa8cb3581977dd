"""What a Google-style docstring says: its first paragraph, and each argument's help.

ADK's `FunctionTool` sends a function's whole docstring as the tool's
description and gives top-level parameters no `description` of their own, so
the help a model reads for an argument sits in the docstring's "Args:"
section. These readers recover it for the person filling the form:

    Looks up a customer.

    Args:
      email: The customer's email address
        (case does not matter).
      limit (int): How many tickets to include.

Descriptions arrive cleaned (`inspect.getdoc`) or raw (`__doc__`, indented
like the function body, when ADK builds a genai `Schema`); both read the same.
"""

from __future__ import annotations

import inspect
import re

_ARGUMENT_SECTIONS = (
  "Args",
  "Arguments",
  "Parameters",
  "Params",
  "Keyword Args",
  "Keyword Arguments",
  "Other Parameters",
)
_OTHER_SECTIONS = (
  "Returns",
  "Return",
  "Yields",
  "Yield",
  "Raises",
  "Examples",
  "Example",
  "Attributes",
  "Note",
  "Notes",
  "Warning",
  "Warnings",
  "See Also",
  "Todo",
)
_ARGUMENTS_HEADER = re.compile(rf"(?:{'|'.join(_ARGUMENT_SECTIONS)})[ \t]*:")
_ANY_HEADER = re.compile(rf"(?:{'|'.join(_ARGUMENT_SECTIONS + _OTHER_SECTIONS)})[ \t]*:")
# `name: text`, `name (type): text`, `*args: text`; the text may start on the next line.
_ENTRY = re.compile(
  r"\*{0,2}(?P<name>\w+)[ \t]*(?:\((?P<type>.*?)\))?[ \t]*:(?:[ \t]+(?P<text>.*))?"
)


def first_paragraph(description: str) -> str:
  """The description's opening paragraph on one line (before any blank line or section)."""
  words: list[str] = []
  for line in _lines(description):
    text = line.strip()
    if not text or _ANY_HEADER.fullmatch(text):
      break
    words.append(text)
  return " ".join(words)


def argument_docs(description: str) -> dict[str, str]:
  """Each argument's help from the "Args:" (or "Arguments:", "Parameters:") sections.

  An entry's continuation lines (indented deeper than its name) are joined
  with single spaces; a blank line inside an entry starts a new line. A type
  in parentheses after the name is dropped, and so are leading `*`s.

  Returns:
    Argument name -> help, in docstring order; the first entry wins when a
    name repeats. Empty when the description has no such section.
  """
  lines = _lines(description)
  entries: dict[str, list[str]] = {}
  index = 0
  while index < len(lines):
    line = lines[index]
    index += 1
    if _ARGUMENTS_HEADER.fullmatch(line.strip()):
      index = _read_section(lines, index, _indent(line), entries)
  docs = {name: _join(parts) for name, parts in entries.items()}
  return {name: text for name, text in docs.items() if text}


def without_argument_sections(description: str) -> str:
  """The description with its "Args:" sections taken out.

  For a UI that shows each argument's help next to its field: the rest of the
  text (summary, details, "Returns:", "Raises:") stays as written.
  """
  lines = _lines(description)
  kept: list[str] = []
  index = 0
  while index < len(lines):
    line = lines[index]
    index += 1
    if _ARGUMENTS_HEADER.fullmatch(line.strip()):
      index = _read_section(lines, index, _indent(line), {})
      continue
    kept.append(line)
  return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _lines(description: str) -> list[str]:
  lines = description.expandtabs().splitlines()
  opening = next((line.strip() for line in lines if line.strip()), "")
  # `cleandoc` dedents all lines but the first, as in a raw `__doc__`; a text
  # opening with its "Args:" header must keep its entries indented under it.
  if _ANY_HEADER.fullmatch(opening):
    return lines
  return inspect.cleandoc("\n".join(lines)).splitlines()


def _read_section(
  lines: list[str], start: int, header_indent: int, entries: dict[str, list[str]]
) -> int:
  """Collects a section's entries into `entries`; returns the index after the section."""
  entry_indent: int | None = None
  current: list[str] | None = None
  index = start
  while index < len(lines):
    line = lines[index]
    if not line.strip():
      if current is not None:
        current.append("")
      index += 1
      continue
    indent = _indent(line)
    if indent <= header_indent:
      break
    entry_indent = indent if entry_indent is None else entry_indent
    if indent <= entry_indent:
      # A line at entry depth that is no entry (or repeats a name) ends the previous one.
      current = None
      match = _ENTRY.fullmatch(line.strip())
      if match and match["name"] not in entries:
        current = entries[match["name"]] = [match["text"] or ""]
    elif current is not None:
      current.append(line.strip())
    index += 1
  return index


def _join(parts: list[str]) -> str:
  paragraphs: list[str] = []
  words: list[str] = []
  for part in [*parts, ""]:
    if part:
      words.append(part)
    elif words:
      paragraphs.append(" ".join(words))
      words = []
  return "\n".join(paragraphs)


def _indent(line: str) -> int:
  return len(line) - len(line.lstrip())
