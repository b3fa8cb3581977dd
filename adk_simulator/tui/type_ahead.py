"""Type-ahead: every key reaches the widget that has the focus once it is there.

How Textual delivers a key: the app takes it from the terminal, runs any
priority binding, then *posts* it to the focused widget; the widget handles it
and it bubbles up, queue by queue, to the app, which runs the other bindings
(tab, enter on a button, `t`...). Everything after the first post is
asynchronous, so a fast typist (or a paste through the terminal) loses keys
or puts them in the wrong place:

- "7", tab, "12" typed at once: the tab is still on its way up when "1" and
  "2" are posted to the first field, which the tab has not left yet.
- keys typed while a screen or a modal is being built go to a screen with no
  focused widget, and are dropped;
- keys typed after "+ add item" go to the button, not to the new row's field;
- keys typed after enter on the agent picker go to the picker while the
  engine starts the session (and `s` there opens the saved sessions).

`TypeAhead` sits in front of the app's own delivery and lets one key through
at a time. After a key is delivered it sends a *mark* (a bubbling message) to
the focused widget: the mark follows the key and everything the key caused
through the same queues, so when it reaches the app the key is done. It goes
round at least twice (a button posts `Pressed` while the key is handled,
which the second mark waits behind) and again while the focus moved in the
last round (a new row focuses its field with `call_later`). Keys that arrive
meanwhile wait in order, and are replayed the same way.

Keys also wait:

- while the current screen is not mounted yet, and until a first round on a
  new screen found its focus settled (the screen's `on_mount` focuses the
  field where the next keystroke belongs);
- while work started by a key runs and will change what has the focus: a
  worker held with `hold_keys_for` (the engine's, which ends when the engine
  waits for the person again or changes the phase, or opening a stored
  session). While the engine runs tools the session screen shows them, and a
  key it takes now goes at once (escape cancels them, `m` toggles the model
  view); a key for later (`f` while no model call waits) waits for the engine.

A send that is refused (a form with a field in error, an empty message)
drops the keys typed after it, with a notice: they were meant for what the
send would have opened, and typed into the field in error instead they would
put wrong data in the trace.

Nothing waits forever: a round whose widget was removed starts again from
the focus, a new screen ends a round, and a round that takes longer than
`GIVE_UP_AFTER` seconds lets the keys go (they are delivered as Textual would).
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from textual import events
from textual.message import Message

from adk_simulator.tui.textual_internals import is_busy

if TYPE_CHECKING:
  from textual.app import App
  from textual.dom import DOMNode
  from textual.screen import Screen
  from textual.timer import Timer
  from textual.worker import Worker

GIVE_UP_AFTER = 5.0
"""Seconds a round may take before the waiting keys go anyway (a safety net only)."""

MIN_ROUNDS = 2
MAX_ROUNDS = 8
POLL_SECONDS = 0.02
"""How often the gate looks again at what it waits for (a screen mounting, a worker)."""


class TypeAheadMark(Message):
  """Follows a key through the queues it went through; at the app, the key is done."""

  def __init__(self, round_id: int) -> None:
    super().__init__()
    self.round_id = round_id


class _Round:
  def __init__(self, round_id: int, screen: Screen[Any], target: DOMNode, number: int) -> None:
    self.round_id = round_id
    self.screen = screen
    self.target = target
    self.focused = screen.focused
    self.number = number
    self.started = time.monotonic()


class TypeAhead:
  """Holds keys and pastes until the widget that should get them has the focus.

  Args:
    app: The app whose keys go through here.
    deliver: Delivers one event the way Textual does (the app's own `on_event`).
  """

  def __init__(self, app: App[Any], deliver: Callable[[events.Event], Awaitable[None]]) -> None:
    self._app = app
    self._deliver = deliver
    self._waiting: deque[events.Key | events.Paste] = deque()
    self._round: _Round | None = None
    self._round_ids = 0
    self._first_started = 0.0
    self._settled: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
    """Screens whose first round has found the focus."""
    self._workers: list[tuple[Worker[Any], Callable[[], bool] | None]] = []
    self._timer: Timer | None = None
    self._pumping = False

  # --- What the app calls ------------------------------------------------------------

  @staticmethod
  def takes(event: events.Event) -> bool:
    """Whether `event` is a key or paste from the terminal (not one being forwarded)."""
    return isinstance(event, events.Key | events.Paste) and not event.is_forwarded

  async def feed(self, event: events.Key | events.Paste) -> None:
    """A key or paste from the terminal: delivered now if nothing is pending, else later.

    While the screen shows work in progress, a key it takes now (escape
    cancels the tools) goes at once even past keys waiting for that work to
    end: a tool that hangs never holds back the key that cancels it.
    """
    if self._waiting and self._round is None and self._takes_past_the_work(event):
      await self._deliver(event)
      self._start_round(1)
      return
    self._waiting.append(event)
    await self.pump()

  def hold_for(self, worker: Worker[Any], *, shown: Callable[[], bool] | None = None) -> None:
    """Keys wait until `worker` ends and the focus has settled after it.

    Args:
      worker: The work whose outcome the next keys are meant for.
      shown: True once the screen shows the work in progress (tools running):
        from then on a key the screen takes now (an enabled binding: escape
        cancels, `m` toggles) goes at once; the others still wait.
    """
    if not worker.is_finished:
      self._workers.append((worker, shown))
      self._ensure_polling()

  def mark_arrived(self, mark: TypeAheadMark) -> None:
    """A mark reached the app: the round is over, or another one starts."""
    current = self._round
    if current is None or mark.round_id != current.round_id:
      return
    screen = self._app.screen
    if screen is not current.screen:
      self._round = None
    elif current.number < MIN_ROUNDS or (
      current.number < MAX_ROUNDS
      and (screen.focused is not current.focused or _busy(screen.focused or screen))
    ):
      self._start_round(current.number + 1)
      return
    else:
      self._round = None
      self._settled.add(screen)
    self._app.call_later(self.pump)

  def discard(self) -> int:
    """Drops the keys waiting; returns how many there were."""
    dropped = len(self._waiting)
    self._waiting.clear()
    return dropped

  @property
  def idle(self) -> bool:
    """Nothing waits and nothing is in flight."""
    return not self._waiting and self._round is None and not self._working

  # --- Inside ------------------------------------------------------------------------

  def _blocked(self, event: events.Key | events.Paste) -> bool:
    """Whether `event` must wait now; starts what it waits for."""
    if self._round is not None:
      return True
    self._workers = [(w, shown) for w, shown in self._workers if not w.is_finished]
    for _, shown in self._workers:
      if shown is None or not shown() or not self._taken_now(event):
        return True
    screen = self._app.screen
    if not screen.is_mounted:
      self._ensure_polling()
      return True
    if screen not in self._settled:
      self._start_round(1)
      return True
    return False

  async def pump(self) -> None:
    """Delivers waiting keys, one at a time, as long as nothing holds them."""
    if self._pumping:
      return
    self._pumping = True
    try:
      while self._waiting and not self._blocked(self._waiting[0]):
        event = self._waiting.popleft()
        await self._deliver(event)
        self._start_round(1)
    finally:
      self._pumping = False

  @property
  def _working(self) -> bool:
    """Some work the keys wait for has not ended."""
    return any(not worker.is_finished for worker, _ in self._workers)

  def _takes_past_the_work(self, event: events.Key | events.Paste) -> bool:
    """Whether only shown work holds keys now, and the screen takes `event` at once."""
    return self._working and not self._blocked(event)

  def _taken_now(self, event: events.Key | events.Paste) -> bool:
    """Whether the current screen has an enabled binding for `event`."""
    if not isinstance(event, events.Key):
      return False
    active = self._app.screen.active_bindings.get(event.key)
    return active is not None and bool(active.enabled)

  def _start_round(self, number: int) -> None:
    app = self._app
    screen = app.screen
    self._round_ids += 1
    target: DOMNode = screen.focused or screen
    if number == 1:
      self._first_started = time.monotonic()
    self._round = _Round(self._round_ids, screen, target, number)
    target.post_message(TypeAheadMark(self._round_ids))
    self._ensure_polling()

  def _ensure_polling(self) -> None:
    if self._timer is None:
      self._timer = self._app.set_interval(POLL_SECONDS, self._poll, name="type-ahead")
    else:
      self._timer.resume()

  def _poll(self) -> None:
    current = self._round
    if current is not None:
      target = current.target
      gone = not target.is_attached if _is_widget(target) else not target.is_running
      if self._app.screen is not current.screen:
        self._round = None  # a new screen: its own first round settles it
      elif gone:
        self._start_round(current.number)  # the mark was lost with its widget
      elif time.monotonic() - self._first_started > GIVE_UP_AFTER:
        self._round = None
        self._settled.add(current.screen)
    if self.idle and self._timer is not None:
      self._timer.pause()
      return
    self._app.call_later(self.pump)


def _busy(node: DOMNode) -> bool:
  """Whether `node` or one of its ancestors (below the app) has messages waiting or running."""
  for pump in node.ancestors_with_self:
    if pump is node.app:
      break
    if is_busy(pump):
      return True
  return False


def _is_widget(node: DOMNode) -> bool:
  from textual.screen import Screen
  from textual.widget import Widget

  return isinstance(node, Widget) and not isinstance(node, Screen)


def hold_keys_for(node: DOMNode, worker: Worker[Any]) -> Worker[Any]:
  """Keys typed from now on wait until `worker` ends and the focus settles after it.

  For work started by a key that will change what has the focus (open a
  screen, start a session). Returns `worker`. A no-op outside the simulator app.
  """
  type_ahead: TypeAhead | None = getattr(node.app, "type_ahead", None)
  if type_ahead is not None:
    type_ahead.hold_for(worker)
  return worker


def drop_keys_typed_ahead(node: DOMNode) -> None:
  """A send was refused: the keys typed after it are dropped, and the person told.

  They were typed for the screen the send would have opened; delivered to the
  form that refused, they would land in its fields. A no-op outside the app.
  """
  type_ahead: TypeAhead | None = getattr(node.app, "type_ahead", None)
  if type_ahead is None:
    return
  dropped = type_ahead.discard()
  if dropped:
    keys = "1 key" if dropped == 1 else f"{dropped} keys"
    node.app.notify(
      f"{keys} typed after it went nowhere, so none landed in the wrong field.",
      title="Not sent: fix what is marked",
      severity="warning",
    )
