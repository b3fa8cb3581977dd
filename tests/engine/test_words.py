"""Counted nouns read right: "1 session", "2 sessions"."""

from __future__ import annotations

from adk_simulator.engine.words import count


def test_one_is_singular_and_the_rest_plural() -> None:
  assert count(1, "session") == "1 session"
  assert count(0, "session") == "0 sessions"
  assert count(3_000, "session") == "3,000 sessions"
  assert count(2, "more item", "more items") == "2 more items"
  assert count(1, "entry", "entries") == "1 entry"
  assert count(5, "entry", "entries") == "5 entries"
