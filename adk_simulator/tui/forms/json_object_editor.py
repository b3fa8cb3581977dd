"""A text box for a JSON object, with the reason under it when it is not one."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual.widgets import TextArea

from adk_simulator.tui.type_ahead import drop_keys_typed_ahead
from adk_simulator.tui.widgets.json_text import JsonTextArea


class JsonObjectEditor(Vertical):
  """Edits a JSON object as text. `value()` parses it, showing what is wrong if anything.

  Args:
    value: The object to start from; None starts empty.
    required: An empty box is refused (otherwise it means "no object").
  """

  DEFAULT_CSS = """
  JsonObjectEditor { height: auto; }
  JsonObjectEditor TextArea { height: auto; min-height: 4; max-height: 16; }
  JsonObjectEditor .json-error { color: $text-error; display: none; }
  """

  def __init__(self, value: Any = None, *, required: bool = False, id: str | None = None) -> None:
    super().__init__(id=id)
    self._start = "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)
    self.required = required

  def compose(self) -> ComposeResult:
    yield JsonTextArea(self._start, language="json", soft_wrap=True, tab_behavior="indent")
    yield Static("", classes="json-error")

  def value(self) -> tuple[dict[str, Any] | None, bool]:
    """The object (None when empty and not required), and whether it is valid."""
    text = self.query_one(TextArea).text
    if not text.strip():
      if self.required:
        return None, self._refuse("a JSON object is needed here ({...})")
      return None, self._refuse("")
    try:
      parsed = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
      return None, self._refuse(f"not JSON: {error}")
    if not isinstance(parsed, dict):
      return None, self._refuse("this must be a JSON object ({...})")
    return parsed, self._refuse("")

  def _refuse(self, message: str) -> bool:
    box = self.query_one(".json-error", Static)
    box.update(Content(f"⚠ {message}") if message else Content(""))
    box.display = bool(message)
    if message:
      drop_keys_typed_ahead(self)
    return not message


def _no_constant(name: str) -> Any:
  raise ValueError(f"{name} is not a JSON number")
