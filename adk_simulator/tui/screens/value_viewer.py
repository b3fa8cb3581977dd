"""The whole of a value (a tool's output, a call's arguments) in a modal.

Two views: a JSON tree whose branches are built only when opened, so a ten
megabyte output opens at once, and the pretty text, which is formatted on a
worker thread so the app keeps painting while it is produced.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher
from textual.widgets import Label
from textual.widgets import Static
from textual.widgets import TextArea
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.preview import preview

BRANCH_PAGE = 500
"""Children shown when a branch opens; the text view has the rest."""
TEXT_LINES = 2_000
"""Lines the text view shows. A text area holding a whole ten megabyte value
would take many seconds to lay out; the tree holds all of it."""


def text_view(value: Any) -> str:
  """The first `TEXT_LINES` lines of `value` as pretty JSON (or text), and a note if cut."""
  if isinstance(value, str):
    lines = value[: TEXT_LINES * 400].splitlines()
    cut = len(lines) > TEXT_LINES or len(value) > TEXT_LINES * 400
    text = "\n".join(lines[:TEXT_LINES])
  else:
    shown = preview(value, max_lines=TEXT_LINES, node_budget=TEXT_LINES * 4, string_limit=20_000)
    text, cut = shown.text, shown.folded
  if cut:
    text += f"\n\n[The text view stops at {TEXT_LINES:,} lines; the tree view (r) has everything.]"
  return text


def _branch_summary(value: Any) -> str:
  if isinstance(value, dict):
    return f"{{…}} {count(len(value), 'key')}"
  return f"[…] {count(len(value), 'item')}"


SMALL = 2_000
"""Values of up to this many scalars and characters open as wrapped text."""


def _is_small(value: Any) -> bool:
  """Whether `value` has at most `SMALL` leaves and characters (stops counting past it)."""
  budget = SMALL
  stack = [value]
  while stack:
    item = stack.pop()
    if isinstance(item, dict):
      budget -= len(item)
      stack.extend(item.values())
    elif isinstance(item, list | tuple):
      budget -= len(item)
      stack.extend(item)
    else:
      budget -= len(item) if isinstance(item, str) else 1
    if budget < 0:
      return False
  return True


def _is_branch(value: Any) -> bool:
  return isinstance(value, dict | list | tuple) and len(value) > 0


class ValueTree(Tree[Any]):
  """A JSON tree that adds a branch's children when the branch first opens."""

  def __init__(self, value: Any, *, id: str | None = None) -> None:
    label = _branch_summary(value) if _is_branch(value) else one_line(value, limit=200)
    super().__init__(label, data=value, id=id)
    self._filled: set[int] = set()

  def on_mount(self) -> None:
    if _is_branch(self.root.data):
      self._fill(self.root)
      self.root.expand()

  def _fill(self, node: TreeNode[Any]) -> None:
    if node.id in self._filled:
      return
    self._filled.add(node.id)
    value = node.data
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value or ()))
    for key, item in items[:BRANCH_PAGE]:
      name = (str(key) if isinstance(value, dict) else f"[{key}]", "bold")
      if _is_branch(item):
        node.add(Text.assemble(name, f": {_branch_summary(item)}"), data=item)
      else:
        node.add_leaf(Text.assemble(name, f": {one_line(item, limit=200)}"), data=item)
    if len(items) > BRANCH_PAGE:
      more = len(items) - BRANCH_PAGE
      node.add_leaf(Text(f"… {more:,} more (press r for the text view)", style="italic"))

  @on(Tree.NodeExpanded)
  def _expanded(self, event: Tree.NodeExpanded[Any]) -> None:
    if _is_branch(event.node.data):
      self._fill(event.node)


class ValueScreen(ModalScreen[None]):
  """A value in full: a lazy JSON tree, or its pretty text (`r` switches)."""

  CSS_PATH = "value_viewer.tcss"

  BINDINGS = [
    Binding("escape", "close", "Close", id="value.close"),
    Binding("r", "switch_view", "Tree/text view", id="value.switch"),
  ]

  class TextReady(Message):
    def __init__(self, text: str) -> None:
      super().__init__()
      self.text = text

  def __init__(self, title: str, value: Any) -> None:
    super().__init__(classes="dialog-screen")
    self._title = title
    self._value = value
    self._text_started = False

  def compose(self) -> ComposeResult:
    starts_as_text = self._starts_as_text
    with Vertical(classes="dialog -wide"):
      yield Label(self._title, classes="dialog-title")
      with ContentSwitcher(initial="value-text" if starts_as_text else "value-tree"):
        yield ValueTree(self._value, id="value-tree")
        # Wrapped: a long string is read whole, not cut at the edge.
        yield TextArea("formatting…", read_only=True, soft_wrap=True, id="value-text")
      yield Static(
        "r switches tree/text (the text wraps: long values are read whole) · escape closes",
        classes="dialog-hint",
      )

  @property
  def _starts_as_text(self) -> bool:
    # A small value reads best whole, wrapped; a big one opens as the lazy tree.
    return not _is_branch(self._value) or _is_small(self._value)

  def on_mount(self) -> None:
    if not self._starts_as_text:
      self.query_one(ValueTree).focus()
    else:
      self._show_text()

  def _show_text(self) -> None:
    self.query_one(ContentSwitcher).current = "value-text"
    text_area = self.query_one("#value-text", TextArea)
    text_area.focus()
    if not self._text_started:
      self._text_started = True
      self._format_text()

  @work(thread=True, exclusive=True, exit_on_error=False)
  def _format_text(self) -> None:
    self.post_message(self.TextReady(text_view(self._value)))

  def on_value_screen_text_ready(self, message: ValueScreen.TextReady) -> None:
    self.query_one("#value-text", TextArea).load_text(message.text)

  def action_switch_view(self) -> None:
    switcher = self.query_one(ContentSwitcher)
    if switcher.current == "value-text" and _is_branch(self._value):
      switcher.current = "value-tree"
      self.query_one(ValueTree).focus()
    else:
      self._show_text()

  def action_close(self) -> None:
    self.dismiss(None)
