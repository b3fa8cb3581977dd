"""The timeline: the session's history, one entry per user query, call, output, error, answer.

Each entry is one widget rendering a bounded preview (see `preview.py`), so a
ten megabyte output costs a few hundred visited values, and three hundred
entries are three hundred small widgets. The whole value, or an error's
traceback, is one key away on the focused entry.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Collection
from typing import Any
from typing import assert_never

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.history import walk
from adk_simulator.tui.preview import format_seconds
from adk_simulator.tui.preview import preview

PREVIEW_LINES = 8
"""Lines of a value shown before it is folded."""
COMPACT_WIDTH = 72
"""A value whose compact JSON fits in this many characters is shown on one line."""

_LABELS = {
  "user_query": ("USER", "$text-secondary"),
  "tool_call": ("CALL", "$text-accent"),
  "model_text": ("SAYS", "$text-primary"),
  "tool_output": ("OUTPUT", "$text-success"),
  "tool_error": ("ERROR", "$text-error"),
  "final_response": ("ANSWER", "$text-primary"),
  "inner_run": ("INNER RUN", "$text-accent"),
  "confirmation_request": ("CONFIRM?", "$text-warning"),
  "confirmation_answer": ("USER", "$text-secondary"),
  "delivered_result": ("RESULT", "$text-success"),
}


def entry_value(entry: HistoryEntry) -> Any:
  """The value `enter` shows in full for an entry."""
  match entry:
    case UserQuery() | FinalResponse():
      return entry.payload if entry.payload is not None else entry.text
    case ToolCall():
      return entry.args
    case ModelText():
      return entry.text
    case ToolOutput():
      return entry.output
    case ToolError():
      return {"type": entry.error_type, "message": entry.message}
    case InnerRun():
      return [e.model_dump(mode="json", exclude={"content"}) for e in entry.entries]
    case ConfirmationRequest():
      return {
        "tool": entry.tool_name,
        "args": entry.args,
        "hint": entry.hint,
        "payload": entry.payload,
      }
    case ConfirmationAnswer():
      return {"confirmed": entry.confirmed, "payload": entry.payload}
    case DeliveredResult():
      return entry.output
    case _:
      assert_never(entry)


def _asked_by(entry: ToolCall | ModelText | FinalResponse) -> str:
  return f"{entry.author} (a callback answered)" if entry.by == "callback" else entry.author


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


def _common_prefix(a: list[Any], b: list[Any]) -> int:
  for index, (x, y) in enumerate(zip(a, b, strict=False)):
    if x != y:
      return index
  return min(len(a), len(b))


class TimelineEntry(Widget, can_focus=True):
  """One history entry: a coloured label line and a folded preview."""

  BINDINGS = [
    Binding("enter", "open_value", "View value", id="timeline.open"),
    Binding("x", "traceback", "Traceback", id="timeline.traceback"),
    Binding("down,j", "step(1)", "Next entry", show=False, id="timeline.next"),
    Binding("up,k", "step(-1)", "Previous entry", show=False, id="timeline.previous"),
  ]

  class Arrived(Message):
    """Posted once the entry is mounted: the session screen moves the focus to
    the newest entry on it, instead of polling for the mount."""

    def __init__(self, entry: TimelineEntry) -> None:
      super().__init__()
      self.entry = entry

  def __init__(
    self,
    entry: HistoryEntry,
    *,
    shown_duration: float | None = None,
    depth: int = 0,
    waiting: bool = False,
    running: bool = False,
  ) -> None:
    classes = f"-{entry.kind.replace('_', '-')}" + (" -inner" if depth else "")
    super().__init__(classes=classes)
    if depth:
      self.styles.margin = (0, 0, 0, 3 * depth)
    self.entry = entry
    self.waiting = waiting
    """A confirmation request or long-running call that waits for the user's side."""
    self.running = running
    """A call still running (its output not in yet)."""
    self.folded = False
    self._shown_duration = shown_duration
    self._content = self._build()

  def on_mount(self) -> None:
    self.post_message(self.Arrived(self))

  def _build(self) -> Content:
    entry = self.entry
    label, colour = _LABELS[entry.kind]
    header = Content.from_markup(f"[bold {colour}]$label[/]", label=label)
    details: list[str] = []
    body = ""
    match entry:
      case UserQuery():
        body, self.folded = _body(entry_value(entry))
      case FinalResponse():
        body, self.folded = _body(entry_value(entry))
        details.append(_asked_by(entry))
      case ToolCall():
        details.append(entry.tool_name)
        details.append(_asked_by(entry))
        if self.running:
          details.append("running")
        if entry.long_running:
          details.append(
            "long-running, result pending (d delivers it)" if self.waiting else "long-running"
          )
        body, self.folded = _body(entry.args)
      case ModelText():
        details.append(_asked_by(entry))
        body, self.folded = _body(entry.text)
      case ToolOutput():
        details.append(entry.tool_name)
        if entry.awaiting_confirmation:
          details.append("waits for the user's confirmation")
        if entry.non_finite:
          details.append(f"NaN/Infinity at {', '.join(entry.non_finite)}: stored as null")
        body, self.folded = _body(entry.output)
      case ToolError():
        details.append(entry.tool_name)
        # The type the model saw and the export holds (`ToolCancelledError` for
        # a call you cancelled); the message says in words what happened.
        details.append(entry.error_type)
        body, self.folded = _body(entry.message)
      case InnerRun():
        details.append(f"{entry.tool_name} ran agent {entry.agent}")
        if entry.running:
          details.append("running")
        calls = sum(isinstance(e, ToolCall) for e in entry.entries)
        body = f"{calls} call{'' if calls == 1 else 's'} inside, shown below"
      case ConfirmationRequest():
        details.append(f"{entry.tool_name} needs the user's approval")
        if self.waiting:
          details.append("waiting (y answers)")
        body, self.folded = _body(
          {"args": entry.args, "hint": entry.hint}
          | ({"payload": entry.payload} if entry.payload is not None else {})
        )
      case ConfirmationAnswer():
        details.append("confirmation")
        body = "approved" if entry.confirmed else "rejected"
        if entry.payload is not None:
          body += ", payload " + _body(entry.payload)[0]
      case DeliveredResult():
        details.append(f"{entry.tool_name}, delivered by the user")
        body, self.folded = _body(entry.output)
      case _:
        assert_never(entry)
    if self._shown_duration is not None:
      details.append(format_seconds(self._shown_duration))
    details = [d for d in details if d]  # an eval case's calls name no agent
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
    if self.has_focus:
      # On the focus highlight the kinds' colours would not read: the row's own colour.
      plain = self._content.plain
      return Content(plain).stylize("bold", 0, len(plain.split("\n", 1)[0]))
    return self._content

  def set_marks(self, *, waiting: bool, running: bool) -> None:
    """Marks the entry as waiting for the user's side, or as a call still running."""
    if (waiting, running) != (self.waiting, self.running):
      self.waiting, self.running = waiting, running
      self._content = self._build()
      self.set_class(running, "-running")
      self.refresh(layout=True)

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
      "model_text": "What the model said",
      "inner_run": f"Inner run of {getattr(entry, 'tool_name', '')}",
      "confirmation_request": f"Confirmation asked for {getattr(entry, 'tool_name', '')}",
      "confirmation_answer": "The user's confirmation",
      "delivered_result": f"Result of {getattr(entry, 'tool_name', '')}",
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
    self._history: list[tuple[int, HistoryEntry]] = []
    self._keys: list[tuple[int, str, str, float]] = []
    # The mounted entries, in order: querying the DOM for hundreds of children is slow.
    self._entries: list[TimelineEntry] = []
    self._following = False
    self._first = 0
    """Index in the history of the first mounted entry."""
    self._shown: Callable[[float | None], float | None] | None = None
    self._waiting: set[str] = set()
    self._running: set[str] = set()
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

  def _make(self, depth: int, entry: HistoryEntry) -> TimelineEntry:
    duration = getattr(entry, "duration_s", None)
    if self._shown is not None:
      duration = self._shown(duration)
    call_id = getattr(entry, "call_id", None)
    widget = TimelineEntry(
      entry,
      shown_duration=duration,
      depth=depth,
      waiting=call_id in self._waiting,
      running=entry.kind == "tool_call" and call_id in self._running,
    )
    widget.set_class(widget.running, "-running")
    return widget

  def show(
    self,
    history: History,
    *,
    shown: Callable[[float | None], float | None] | None = None,
    running: Collection[str] = (),
  ) -> None:
    """Shows a session's history, marking what waits for the user's side and the
    calls still running (`running`: their ids)."""
    self.sync(
      history.entries,
      shown=shown,
      waiting={e.call_id for e in history.awaiting},
      running=running,
    )

  def sync(
    self,
    history: list[HistoryEntry],
    *,
    shown: Callable[[float | None], float | None] | None = None,
    waiting: Collection[str] = (),
    running: Collection[str] = (),
  ) -> None:
    """Shows `history`, mounting only the entries not shown yet.

    Args:
      history: The session's entries, in order; inner runs' entries show
        indented under their run.
      shown: Turns a measured duration into the one displayed (the app's
        clock), or None to show durations as measured.
      waiting: The ids of the confirmation requests and long-running calls
        that wait for the user's side.
      running: The ids of the calls still running.
    """
    self._shown = shown
    changed = set(waiting) != self._waiting or set(running) != self._running
    self._waiting, self._running = set(waiting), set(running)
    if changed:
      for widget in self._entries:
        call_id = getattr(widget.entry, "call_id", None)
        widget.set_marks(
          waiting=call_id in self._waiting,
          running=widget.entry.kind == "tool_call" and call_id in self._running,
        )
    flat = list(walk(history))
    keys = [(depth, *entry_key(entry)) for depth, entry in flat]
    if keys[: len(self._keys)] != self._keys:
      self._drop_from(_common_prefix(keys, self._keys))
    known = len(self._keys)
    if len(keys) == known:
      return
    # Between mounting and the next layout the new entries push the end away:
    # a sync that asked to follow still follows until it has scrolled there.
    follow = self.is_vertical_scroll_end or not self._entries or self._following
    self._history, self._keys = flat, keys
    if not self._entries:
      self._first = max(0, len(history) - self.WINDOW)
      known = self._first
    widgets = [self._make(depth, entry) for depth, entry in flat[known:]]
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
      self._following = True
      self.call_after_refresh(self._scroll_to_end)

  def _drop_from(self, index: int) -> None:
    """Unmounts the entries from history index `index` on (a live tail that the
    record replaced, such as the outputs of a parallel turn once ADK stored them)."""
    if index <= self._first:
      self.remove_children(TimelineEntry)
      self._keys, self._entries, self._first = [], [], 0
      return
    mounted = index - self._first
    dropped = self._entries[mounted:]
    if self.screen.focused in dropped:
      # Hold the focus here, not on an entry Textual would pick once the
      # focused one is gone: whoever follows the end moves it to the newest.
      self.focus(scroll_visible=False)
    for widget in dropped:
      widget.remove()
    del self._entries[mounted:]
    del self._keys[index:]

  def _scroll_to_end(self) -> None:
    self.scroll_end(animate=False)
    self.call_after_refresh(self._landed)

  def _landed(self) -> None:
    # On a busy machine the layout of new entries can land after the scroll:
    # keep following until the end is really reached.
    if self.is_vertical_scroll_end:
      self._following = False
    else:
      self._scroll_to_end()

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
    widgets = [self._make(depth, entry) for depth, entry in self._history[start : self._first]]
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
