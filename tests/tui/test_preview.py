"""Previews of values: bounded work whatever the size of the value."""

from __future__ import annotations

import json

from adk_simulator.tui.preview import ELLIPSIS
from adk_simulator.tui.preview import format_seconds
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.preview import preview


def test_a_small_value_is_shown_whole() -> None:
  shown = preview({"result": 25})
  assert not shown.folded
  assert json.loads(shown.text) == {"result": 25}


def test_a_long_list_is_cut_after_the_node_budget_and_says_how_much_is_left() -> None:
  shown = preview(list(range(100_000)), max_lines=1_000, node_budget=50)
  assert shown.folded
  assert f"{ELLIPSIS} 99,951 more items" in shown.text  # the list itself counts too
  assert len(shown.text.splitlines()) < 60


def test_lines_beyond_the_limit_are_folded() -> None:
  shown = preview({f"k{i}": i for i in range(20)}, max_lines=5)
  assert shown.folded
  assert shown.text.splitlines()[-1] == ELLIPSIS
  assert len(shown.text.splitlines()) == 6


def test_long_strings_are_cut_with_their_length() -> None:
  shown = preview({"blob": "x" * 5_000}, string_limit=10)
  assert shown.folded
  assert "(+4,990 chars)" in shown.text


def test_text_is_shown_as_text_and_folded_by_lines() -> None:
  shown = preview("line\n" * 50, max_lines=3)
  assert shown.folded
  assert shown.text == f"line\nline\nline{ELLIPSIS}"


def test_values_json_cannot_hold_are_shown_by_repr() -> None:
  assert "bytes" in preview({"data": b"\x00" * 10}).text
  assert "object at" in preview({"thing": object()}).text


def test_one_line() -> None:
  assert one_line("first\nsecond") == f"first{ELLIPSIS}"
  assert one_line("short") == "short"
  assert one_line({"a": 1}) == '{"a": 1}'
  assert one_line(list(range(1_000)), limit=20).endswith(ELLIPSIS)


def test_format_seconds() -> None:
  assert format_seconds(None) == ""
  assert format_seconds(0.4213) == "0.42 s"
  assert format_seconds(12.34) == "12.3 s"
  assert format_seconds(125) == "2 min 05 s"
  assert format_seconds(3_725) == "1 h 02 min"
