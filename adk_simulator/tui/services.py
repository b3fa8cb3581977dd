"""What a screen may ask of the app: the one seam between screens and `SimulatorApp`.

Screens never import the app module. They reach it through `services(node)`,
typed by this protocol, so the app can change how it keeps its state without
touching a screen, and a screen cannot reach anything the protocol does not
offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Protocol
from typing import cast

from textual.binding import Binding

if TYPE_CHECKING:
  from textual.dom import DOMNode

  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.store.sessions import StoredSession
  from adk_simulator.engine.workspace import Workspace
  from adk_simulator.tui.clock import Clock


APP_BINDINGS = [
  Binding("question_mark,f1", "help", "Help", id="app.help"),
  Binding("q", "quit", "Quit", id="app.quit"),
]
"""The app's own keys, everywhere (the help lists them first)."""


class AppServices(Protocol):
  workspace: Workspace
  """The controller: configured agents, their registry, the store."""
  clock: Clock
  simulation: Simulation | None
  """The session being played, if any."""

  def start_session(self, agent: LoadedAgent) -> None:
    """A new session with `agent` (leaving any current one)."""
    ...

  async def open_stored_session(self, stored: StoredSession) -> None:
    """Resume or reopen a stored session in a new simulation."""
    ...

  def show_saved_sessions(self) -> None: ...

  def new_session(self) -> None:
    """A fresh session with the same agent, asking first when this one is not exported."""
    ...

  def leave_session(self) -> None:
    """Back to the agent picker, asking first when the session is not exported."""
    ...

  def confirm_unexported(self, question: str, yes: str, then: Callable[[], object]) -> None: ...


def services(node: DOMNode) -> AppServices:
  """The app behind `node`, as the services a screen may use."""
  return cast("AppServices", node.app)
