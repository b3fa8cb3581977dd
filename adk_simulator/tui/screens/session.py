"""What the screens of a session share: the app's simulation and engine news."""

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
