"""Per-argument help from a tool's description.

ADK's `FunctionTool` sends the whole docstring as the tool's description and
leaves the parameters' schemas without descriptions, so the help a model reads
for `ticket_id` sits in the docstring's "Args:" section. The form shows it
under the field instead, and the description above the form without it.
"""

from __future__ import annotations

import re

from adk_simulator.engine.forms import FormField

_SECTION = re.compile(r"^(\s*)(Args|Arguments|Parameters|Params):\s*$")
_ENTRY = re.compile(r"^(\s*)\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def split_tool_description(description: str) -> tuple[str, dict[str, str]]:
  """Splits a Google-style docstring into its text without "Args:" and the args' help.

  Returns:
    The description with the "Args:" section taken out, and each documented
    argument's help joined onto one line. A description without such a
    section comes back unchanged, with no help.
  """
  lines = description.splitlines()
  headers = [(i, m) for i, line in enumerate(lines) if (m := _SECTION.match(line))]
  if not headers:
    return description, {}
  start, header = headers[0]
  header_indent = len(header.group(1))
  docs: dict[str, str] = {}
  entry_indent: int | None = None
  current: str | None = None
  end = len(lines)
  for i in range(start + 1, len(lines)):
    line = lines[i]
    if not line.strip():
      continue
    indent = len(line) - len(line.lstrip())
    if indent <= header_indent:
      end = i
      break
    match = _ENTRY.match(line)
    if match and (entry_indent is None or indent == entry_indent):
      entry_indent = indent
      current = str(match.group(2))
      docs[current] = match.group(3).strip()
    elif current is not None:
      docs[current] = f"{docs[current]} {line.strip()}".strip()
  rest = lines[:start] + lines[end:]
  text = re.sub(r"\n{3,}", "\n\n", "\n".join(rest)).strip()
  return text, docs


def with_argument_docs(fields: list[FormField], docs: dict[str, str]) -> list[FormField]:
  """The fields, each top-level one without a description given its docstring help."""
  return [
    field.model_copy(update={"description": docs[field.name]})
    if not field.description and docs.get(field.name)
    else field
    for field in fields
  ]
