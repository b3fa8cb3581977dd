"""What the screens of a session share: the app's simulation, engine news, and the
user's side of paused calls (a long-running result to deliver)."""

from __future__ import annotations

from collections.abc import Coroutine
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


class SessionScreen(Screen[None]):
  """A screen showing one phase of the app's simulation."""

  _binding_state: tuple[bool | None, ...] | None = None

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
