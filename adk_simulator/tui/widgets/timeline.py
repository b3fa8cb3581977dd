"""The timeline: the session's history, one entry per user query, call, output, error, answer.

Each entry is one widget rendering a bounded preview (see `preview.py`), so a
ten megabyte output costs a few hundred visited values, and three hundred
entries are three hundred small widgets. The whole value, or an error's
traceback, is one key away on the focused entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

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
    timeline = self.parent
    if isinstance(timeline, Timeline):
      timeline.focus_neighbour(self, step)


class EarlierEntries(Static, can_focus=True):
  """Stands for the entries not mounted yet, above the ones shown."""

  BINDINGS = [
    Binding("enter", "show_earlier", "Show earlier entries", id="timeline.earlier"),
    Binding("down,j", "step(1)", "Next entry", show=False, id="timeline.earlier.next"),
  ]

  def action_show_earlier(self) -> None:
    timeline = self.parent
    if isinstance(timeline, Timeline):
      timeline.show_earlier()

  def action_step(self, step: int) -> None:
    timeline = self.parent
    if isinstance(timeline, Timeline) and timeline.entries:
      timeline.entries[0].focus()


class Timeline(VerticalScroll):
  """The session's history, newest last; follows the end unless scrolled up.

  At most `WINDOW` entries are mounted while the timeline follows the end
  (layout costs grow with every widget); older ones sit behind an "earlier
  entries" line that mounts them `CHUNK` at a time.
  """

  WINDOW = 100
  CHUNK = 50

  def __init__(self, *, id: str | None = None) -> None:
    super().__init__(id=id)
    self._history: list[HistoryEntry] = []
    self._keys: list[tuple[str, str, float]] = []
    # The mounted entries, in order: querying the DOM for hundreds of children is slow.
    self._entries: list[TimelineEntry] = []
    self._first = 0
    """Index in the history of the first mounted entry."""
    self._shown: Callable[[float | None], float | None] | None = None
    self._earlier = EarlierEntries("", id="timeline-earlier")

  @property
  def entries(self) -> list[TimelineEntry]:
    """The mounted entries, oldest first."""
    return list(self._entries)

  @property
  def last_entry(self) -> TimelineEntry | None:
    return self._entries[-1] if self._entries else None

  @property
  def hidden_count(self) -> int:
    """How many earlier entries are not mounted."""
    return self._first

  def _make(self, entry: HistoryEntry) -> TimelineEntry:
    duration = getattr(entry, "duration_s", None)
    if self._shown is not None:
      duration = self._shown(duration)
    return TimelineEntry(entry, shown_duration=duration)

  def sync(
    self,
    history: list[HistoryEntry],
    *,
    shown: Callable[[float | None], float | None] | None = None,
  ) -> None:
    """Shows `history`, mounting only the entries not shown yet.

    Args:
      history: The session's entries, in order.
      shown: Turns a measured duration into the one displayed (the app's
        clock), or None to show durations as measured.
    """
    self._shown = shown
    keys = [entry_key(entry) for entry in history]
    if keys[: len(self._keys)] != self._keys:
      self.remove_children(TimelineEntry)
      self._keys, self._entries, self._first = [], [], 0
    known = len(self._keys)
    if len(keys) == known:
      return
    follow = self.is_vertical_scroll_end or not self._entries
    self._history, self._keys = list(history), keys
    if not self._entries:
      self._first = max(0, len(history) - self.WINDOW)
      known = self._first
    widgets = [self._make(entry) for entry in history[known:]]
    self._entries.extend(widgets)
    self.mount_all(widgets)
    if follow and len(self._entries) > self.WINDOW + self.CHUNK:
      dropped = len(self._entries) - self.WINDOW
      for widget in self._entries[:dropped]:
        widget.remove()
      del self._entries[:dropped]
      self._first += dropped
    self._show_earlier_line()
    if follow:
      self.call_after_refresh(self.scroll_end, animate=False)

  def _show_earlier_line(self) -> None:
    if self._first == 0:
      if self._earlier.is_attached:
        self._earlier.remove()
      return
    more = min(self.CHUNK, self._first)
    self._earlier.update(
      Content.styled(
        f"▲ {self._first:,} earlier entries (enter shows {more} more)", "$text-muted italic"
      )
    )
    if not self._earlier.is_attached:
      self.mount(self._earlier, before=0)

  def show_earlier(self) -> None:
    """Mounts the previous `CHUNK` entries above the ones shown."""
    if self._first == 0:
      return
    start = max(0, self._first - self.CHUNK)
    widgets = [self._make(entry) for entry in self._history[start : self._first]]
    self.mount_all(widgets, after=self._earlier)
    self._entries[0:0] = widgets
    self._first = start
    self._show_earlier_line()
    if self._first == 0:
      widgets[-1].focus()

  def focus_neighbour(self, entry: TimelineEntry, step: int) -> None:
    """Focuses the entry `step` places after `entry` (before it when negative)."""
    try:
      index = self._entries.index(entry) + step
    except ValueError:
      return
    if 0 <= index < len(self._entries):
      self._entries[index].focus()
    elif index < 0 and self._earlier.is_attached:
      self._earlier.focus()

  def focus_last(self) -> None:
    last = self.last_entry
    if last is not None:
      last.focus()
    else:
      self.focus()
