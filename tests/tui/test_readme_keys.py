"""The README's keys table says what the bindings do: no key missing, none extra."""

from __future__ import annotations

import re
from pathlib import Path

from adk_simulator.tui.screens.help import keymap

README = Path(__file__).resolve().parents[2] / "README.md"

NAMES = {"?": "question_mark", "/": "slash", "↓": "down", "↑": "up"}
"""How the README writes a key → Textual's name for it."""

GROUPS = {
  "Timeline entry (focused)": "Timeline entry",
  "Confirmation (the user's side)": "Confirmation",
  "Tool result (the user's side)": "Tool result",
  "State panel (focused)": "State panel",
}
"""Help group titles the README shortens."""


def readme_keys() -> dict[str, set[str]]:
  """The "### Keys" table of README.md: where → the keys listed there."""
  text = README.read_text(encoding="utf-8")
  section = text.split("### Keys", 1)[1].split("\n#", 1)[0]
  table: dict[str, set[str]] = {}
  where = ""
  for line in section.splitlines():
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if len(cells) != 3 or cells[0] == "Where" or set(cells[1]) == {"-"}:
      continue
    where = cells[0] or where
    table.setdefault(where, set()).update(_keys_of(cells[1]))
  return table


def _keys_of(cell: str) -> set[str]:
  # `x` is a key as written; outside backticks words are keys and a lone "/" separates.
  keys = set(re.findall(r"`([^`]+)`", cell))
  for word in re.split(r"[\s,]+", re.sub(r"`[^`]+`", " ", cell)):
    if word and word != "/":
      keys.add(word)
  return {NAMES.get(key, key.lower()) for key in keys}


def binding_keys() -> dict[str, set[str]]:
  """Every screen's bindings, grouped as the help groups them: where → keys."""
  table: dict[str, set[str]] = {}
  for title, bindings in keymap():
    keys = table.setdefault(GROUPS.get(title, title), set())
    for binding in bindings:
      keys.update(key.strip() for key in binding.key.split(","))
  return table


def test_the_readme_keys_table_matches_the_bindings() -> None:
  documented, bound = readme_keys(), binding_keys()
  problems = []
  for where in sorted(bound.keys() - documented.keys()):
    problems.append(f"README has no rows for {where!r}: keys {sorted(bound[where])}")
  for where in sorted(documented.keys() - bound.keys()):
    problems.append(f"README has rows for {where!r}, which has no bindings")
  for where in sorted(bound.keys() & documented.keys()):
    for key in sorted(bound[where] - documented[where]):
      problems.append(f"{where}: key {key!r} is bound but has no row in the README")
    for key in sorted(documented[where] - bound[where]):
      problems.append(f"{where}: the README lists {key!r}, which is not bound there")
  assert not problems, "\n".join(problems)


def test_the_parser_reads_the_tables_way_of_writing_keys() -> None:
  assert _keys_of("`?`, F1") == {"question_mark", "f1"}
  assert _keys_of("↓ `j` / ↑ `k`") == {"down", "j", "up", "k"}
  assert _keys_of("`/`") == {"slash"}
  assert _keys_of("ctrl+s") == {"ctrl+s"}
