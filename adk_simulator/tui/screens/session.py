"""What the screens of a session share: the app's simulation, engine news, the
user's side of paused calls (a long-running result to deliver), and undo."""

from __future__ import annotations

import contextlib
from collections.abc import Coroutine
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker

from adk_simulator.tui.services import AppServices
from adk_simulator.tui.services import services

if TYPE_CHECKING:
  from adk_simulator.engine.moves.play import Confirm
  from adk_simulator.engine.moves.play import DeliverResult
  from adk_simulator.engine.record.history import ToolCall
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.runtime.turns import EngineEvent
  from adk_simulator.engine.runtime.undo import UndoPlan


class SessionScreen(Screen[None]):
  """A screen showing one phase of the app's simulation."""

  _binding_state: tuple[bool | None, ...] | None = None
  _undoing = False

  @property
  def simulator(self) -> AppServices:
    return services(self)

  @property
  def simulation(self) -> Simulation:
    simulation = self.simulator.simulation
    if simulation is None:
      raise RuntimeError("no simulation: a session screen opened before an agent was picked")
    return simulation

  def engine_event(self, event: EngineEvent) -> None:
    """Called by the app for every engine event while this screen is shown."""

  def update_bindings(self) -> None:
    """Refreshes the footer, but only when one of this screen's actions turned on or off.

    Engine events come often (every event of a run); rebuilding the footer
    for each would cost more than everything else they trigger.
    """
    state = tuple(
      self.check_action(binding.action, ())
      for binding in self.BINDINGS
      if isinstance(binding, Binding)
    )
    if state != self._binding_state:
      self._binding_state = state
      self.refresh_bindings()

  def run_engine(self, work: Coroutine[Any, Any, Any], *, name: str) -> Worker[Any]:
    """Runs engine work on the app, so a screen change does not cancel it.

    One engine worker at a time: a new one cancels the previous one's wait
    (the engine's run itself goes on; only the waiting stops).
    """
    return self.app.run_worker(work, name=name, group="engine", exclusive=True, exit_on_error=False)

  # --- The user's side of paused calls ---------------------------------------------

  def waiting_call(self) -> ToolCall | None:
    """The long-running call `d` delivers a result for: the focused one, else the oldest.

    None while the run goes on: a result is delivered when it has paused or ended.
    """
    from adk_simulator.engine.record.history import ToolCall
    from adk_simulator.engine.runtime.phase import Phase

    simulation = self.simulation
    if not (simulation.paused or simulation.phase is Phase.COMPLETED):
      return None
    calls = [e for e in simulation.awaiting if isinstance(e, ToolCall)]
    focused = getattr(self.focused, "entry", None)
    if isinstance(focused, ToolCall) and focused in calls:
      return focused
    return calls[0] if calls else None

  def action_deliver_result(self) -> None:
    from adk_simulator.engine.record.history import ToolOutput
    from adk_simulator.tui.forms.tool_result_screen import ToolResultScreen

    call = self.waiting_call()
    if call is None:
      return
    outputs = [
      e.output
      for e in self.simulation.history.entries
      if isinstance(e, ToolOutput) and e.call_id == call.call_id
    ]
    screen = ToolResultScreen(call, outputs[-1] if outputs else None)
    self.app.push_screen(screen, self._result_chosen)

  def _result_chosen(self, move: DeliverResult | None) -> None:
    if move is not None and move.call_id is not None:
      work = self.simulation.deliver_result(move.call_id, move.response)
      self.run_engine(self._user_side(work), name="deliver a tool result")

  def send_confirmation(self, move: Confirm | None) -> None:
    """Hands the user's answer to a confirmation request to the engine."""
    if move is not None and move.call_id is not None:
      work = self.simulation.answer_confirmation(
        move.call_id, confirmed=move.confirmed, payload=move.payload
      )
      self.run_engine(self._user_side(work), name="answer a confirmation")

  async def _user_side(self, work: Coroutine[Any, Any, None]) -> None:
    from adk_simulator.engine.runtime.turns import TurnValidationError

    try:
      await work
    except TurnValidationError as error:
      self.app.notify(str(error), title="Not sent", severity="error")

  # --- Undo ------------------------------------------------------------------------

  def undo_refusal(self) -> str | None:
    """Why `u` cannot undo now (the run is busy, nothing to undo), or None."""
    from adk_simulator.engine.record.history import UserQuery

    if self._undoing:
      return "an undo is under way"
    simulation = self.simulation
    busy = simulation.undo_busy
    if busy is not None:
      return busy
    if not any(isinstance(e, UserQuery) for e in simulation.history.entries):
      return "nothing to undo yet"
    return None

  def check_undo(self) -> bool | None:
    """For `check_action`: True when `u` undoes, None (shown disabled) when it cannot."""
    return True if self.undo_refusal() is None else None

  def action_undo(self) -> None:
    """Asks, then takes the session back to just before the focused entry's turn
    (an entry above the last one), or else the person's last model turn."""
    from adk_simulator.engine.runtime.undo import UndoError
    from adk_simulator.tui.screens.dialogs import ConfirmScreen
    from adk_simulator.tui.widgets.timeline import Timeline
    from adk_simulator.tui.widgets.timeline import TimelineEntry

    refusal = self.undo_refusal()
    if refusal is not None:
      self.notify(refusal, title="Nothing undone", severity="warning")
      return
    focused = self.focused
    entry = None
    if isinstance(focused, TimelineEntry) and focused is not self.query_one(Timeline).last_entry:
      entry = focused.entry
    try:
      plan = self.simulation.undo_plan(entry)
    except UndoError as error:
      plan = None
      if entry is None and isinstance(focused, TimelineEntry):
        # No model turn of the person's yet: the user's message is what there is to undo.
        with contextlib.suppress(UndoError):
          plan = self.simulation.undo_plan(focused.entry)
      if plan is None:
        self.notify(str(error), title="Nothing undone", severity="warning")
        return
    question, detail = undo_question(plan)
    screen = ConfirmScreen(question, detail, yes="Undo", no="Keep")
    self.app.push_screen(screen, partial(self._undo_answered, plan))

  def _undo_answered(self, plan: UndoPlan, confirmed: bool | None) -> None:
    if not confirmed:
      return
    self._undoing = True
    self.update_bindings()
    self.run_engine(self._undo(plan), name="undo")

  async def _undo(self, plan: UndoPlan) -> None:
    from adk_simulator.engine.runtime.undo import UndoError

    try:
      await self.simulation.undo(plan)
    except UndoError as error:
      self.app.notify(str(error), title="Nothing undone", severity="error")
    except Exception as error:  # the store failed: say so, keep the app up
      self.app.notify(f"{type(error).__name__}: {error}", title="Undo failed", severity="error")
    else:
      self.app.notify(undo_done(plan), title="Undone")
    finally:
      self._undoing = False
      if self.is_attached:
        self.update_bindings()


def undo_question(plan: UndoPlan) -> tuple[str, str]:
  """The confirmation's question, and what it says goes, comes back and stays."""
  from adk_simulator.engine.record.history import ConfirmationAnswer
  from adk_simulator.engine.record.history import FinalResponse
  from adk_simulator.engine.record.history import ToolCall
  from adk_simulator.engine.record.history import ToolError
  from adk_simulator.engine.record.history import ToolOutput
  from adk_simulator.engine.record.history import UserQuery
  from adk_simulator.engine.runtime.turns import SET_MODEL_RESPONSE
  from adk_simulator.engine.words import count

  first = plan.first
  if plan.step is not None:
    names = [
      e.tool_name for e in plan.entries if isinstance(e, ToolCall) and e.event_id == first.event_id
    ]
    # A structured answer is a `set_model_response` call: it reads as the answer.
    names = [name for name in names if name != SET_MODEL_RESPONSE]
    what = f"calling {', '.join(names)}" if names else "the answer"
    question = f"Undo step {plan.step} ({what}) and everything after it?"
    then = f"You are asked for step {plan.step} again."
  elif isinstance(first, UserQuery):
    question = "Undo the user's message and everything after it?"
    then = "The session waits for a new user message."
  else:
    answer = "answer" if isinstance(first, ConfirmationAnswer) else "delivered result"
    question = f"Undo the user's {answer} and everything after it?"
    then = f"The session waits for the user's {answer} again."
  kinds = [
    (sum(isinstance(e, ToolCall) for e in plan.entries), "tool call"),
    (sum(isinstance(e, ToolOutput | ToolError) for e in plan.entries), "tool result"),
    (sum(isinstance(e, FinalResponse) for e in plan.entries), "final answer"),
    (sum(isinstance(e, UserQuery) for e in plan.entries), "user message"),
  ]
  goes = ", ".join(count(n, noun) for n, noun in kinds if n)
  lines = [
    f"Goes: {goes or count(len(plan.entries), 'entry', 'entries')}.",
    f"The session's state and artifacts go back to what they were before it. {then}",
  ]
  if plan.ran:
    lines.append(
      f"Not undone: whatever {', '.join(plan.ran)} did outside the session (files, databases,"
      " messages sent) stays done."
    )
  else:
    lines.append("No tool ran in what goes: nothing outside the session changed.")
  return question, "\n".join(lines)


def undo_done(plan: UndoPlan) -> str:
  if plan.step is not None:
    return f"Back before step {plan.step}: the kept turns are what the export and replay hold."
  return "Back before the user's side: the kept turns are what the export and replay hold."
