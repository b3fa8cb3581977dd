"""Counted nouns in messages: "1 session", "2 sessions", never "1 sessions"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
  """`number` and `noun`, the noun in the plural unless the number is 1.

  Args:
    number: How many; thousands are separated ("3,000 sessions").
    noun: The singular.
    plural: The plural when it is not the singular plus "s".
  """
  return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
