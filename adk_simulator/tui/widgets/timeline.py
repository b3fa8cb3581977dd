"""The timeline: the session's history, one entry per user query, call, output, error, answer.

Each entry is one widget rendering a bounded preview (see `preview.py`), so a
ten megabyte output costs a few hundred visited values, and three hundred
entries are three hundred small widgets. The whole value, or an error's
traceback, is one key away on the focused entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget

from adk_simulator.tui.preview import format_seconds
from adk_simulator.tui.preview import preview

if TYPE_CHECKING:
  from adk_simulator.engine.history import HistoryEntry

PREVIEW_LINES = 8
"""Lines of a value shown before it is folded."""
COMPACT_WIDTH = 72
"""A value whose compact JSON fits in this many characters is shown on one line."""

_LABELS = {
  "user_query": ("USER", "$secondary"),
  "tool_call": ("CALL", "$accent"),
  "tool_output": ("OUTPUT", "$success"),
  "tool_error": ("ERROR", "$error"),
  "final_response": ("ANSWER", "$primary"),
}


def entry_value(entry: HistoryEntry) -> Any:
  """The value `enter` shows in full for an entry."""
  match entry.kind:
    case "user_query" | "final_response":
      return entry.payload if entry.payload is not None else entry.text
    case "tool_call":
      return entry.args
    case "tool_output":
      return entry.output
    case "tool_error":
      return {"type": entry.error_type, "message": entry.message}
  return None


def _body(value: Any) -> tuple[str, bool]:
  """A short value on one line, a longer one pretty and folded after a few lines."""
  if not isinstance(value, str):
    compact = preview(value, max_lines=1, node_budget=24, string_limit=80, indent=None)
    if not compact.folded and len(compact.text) <= COMPACT_WIDTH:
      return compact.text, False
  shown = preview(value, max_lines=PREVIEW_LINES)
  return shown.text, shown.folded


def entry_key(entry: HistoryEntry) -> tuple[str, str, float]:
  """What identifies an entry when the history is projected again."""
  return (entry.kind, getattr(entry, "call_id", ""), entry.timestamp)


class TimelineEntry(Widget, can_focus=True):
  """One history entry: a coloured label line and a folded preview."""

  BINDINGS = [
    Binding("enter", "open_value", "View value", id="timeline.open"),
    Binding("x", "traceback", "Traceback", id="timeline.traceback"),
    Binding("down,j", "step(1)", "Next entry", show=False, id="timeline.next"),
    Binding("up,k", "step(-1)", "Previous entry", show=False, id="timeline.previous"),
  ]

  def __init__(self, entry: HistoryEntry, *, shown_duration: float | None = None) -> None:
    super().__init__(classes=f"-{entry.kind.replace('_', '-')}")
    self.entry = entry
    self.folded = False
    self._shown_duration = shown_duration
    self._content = self._build()

  def _build(self) -> Content:
    entry = self.entry
    label, colour = _LABELS[entry.kind]
    header = Content.from_markup(f"[bold {colour}]$label[/]", label=label)
    details: list[str] = []
    body = ""
    match entry.kind:
      case "user_query" | "final_response":
        body, self.folded = _body(entry_value(entry))
        if entry.kind == "final_response":
          details.append(entry.author)
      case "tool_call":
        details.append(entry.tool_name)
        body, self.folded = _body(entry.args)
      case "tool_output":
        details.append(entry.tool_name)
        body, self.folded = _body(entry.output)
      case "tool_error":
        details.append(entry.tool_name)
        details.append("cancelled" if entry.cancelled else entry.error_type)
        body, self.folded = _body(entry.message)
    if self._shown_duration is not None:
      details.append(format_seconds(self._shown_duration))
    if details:
      header += Content("  ") + Content.styled(" · ".join(details), "bold")
    hints = []
    if self.folded:
      hints.append("enter: view all")
    if entry.kind == "tool_error" and entry.traceback:
      hints.append("x: traceback")
    if hints:
      header += Content("  ") + Content.styled(f"({', '.join(hints)})", "$text-muted")
    return Content("\n").join([header, Content(body)])

  def render(self) -> Content:
    return self._content

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "traceback":
      return self.entry.kind == "tool_error" and bool(self.entry.traceback)
    return True

  def action_open_value(self) -> None:
    from adk_simulator.tui.screens.value_viewer import ValueScreen

    entry = self.entry
    title = {
      "user_query": "User message",
      "tool_call": f"Arguments of {getattr(entry, 'tool_name', '')}",
      "tool_output": f"Output of {getattr(entry, 'tool_name', '')}",
      "tool_error": f"Error of {getattr(entry, 'tool_name', '')}",
      "final_response": "Final response",
    }[entry.kind]
    self.app.push_screen(ValueScreen(title, entry_value(entry)))

  def action_traceback(self) -> None:
    from adk_simulator.tui.screens.dialogs import TextScreen

    entry = self.entry
    if entry.kind == "tool_error" and entry.traceback:
      self.app.push_screen(TextScreen(f"Traceback of {entry.tool_name}", entry.traceback))

  def action_step(self, step: int) -> None:
    siblings = list(self.parent.query_children(TimelineEntry)) if self.parent else []
    index = siblings.index(self) + step if self in siblings else -1
    if 0 <= index < len(siblings):
      siblings[index].focus()


class Timeline(VerticalScroll):
  """The session's history, newest last; follows the end unless scrolled up."""

  def __init__(self, *, id: str | None = None) -> None:
    super().__init__(id=id)
    self._keys: list[tuple[str, str, float]] = []

  @property
  def entries(self) -> list[TimelineEntry]:
    return list(self.query_children(TimelineEntry))

  def sync(self, history: list[HistoryEntry], *, shown: Any = None) -> None:
    """Shows `history`, mounting only the entries not shown yet.

    Args:
      history: The session's entries, in order.
      shown: A function turning a measured duration into the one displayed
        (the app's clock), or None to show durations as measured.
    """
    keys = [entry_key(entry) for entry in history]
    if keys[: len(self._keys)] != self._keys:
      self.remove_children(TimelineEntry)
      self._keys = []
    new = history[len(self._keys) :]
    if not new:
      return
    follow = self.is_vertical_scroll_end or not self._keys
    self._keys = keys
    widgets = []
    for entry in new:
      duration = getattr(entry, "duration_s", None)
      if shown is not None:
        duration = shown(duration)
      widgets.append(TimelineEntry(entry, shown_duration=duration))
    self.mount_all(widgets)
    if follow:
      self.call_after_refresh(self.scroll_end, animate=False)

  def focus_last(self) -> None:
    entries = self.entries
    if entries:
      entries[-1].focus()
    else:
      self.focus()
