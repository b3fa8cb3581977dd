"""The ADK Simulator app: a person plays the model of a Google ADK agent.

The app holds one engine `Simulation` and shows the screen of its phase: the
agent picker (SELECTING_AGENT, the base screen), the user message
(AWAITING_QUERY), the session (ACTIVE) and the summary (COMPLETED). The engine
reports through a listener; its events arrive here as messages, a phase
change swaps the screen, and every event is handed down to the session screen.

Start-up stays fast: nothing here imports `google.adk`. The agent picker
paints first; agents (and with them ADK) load on a worker thread afterwards.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from textual import events
from textual.app import App
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.content import Content
from textual.worker import Worker
from textual.worker import WorkerState
from textual.worker import WorkType

from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.tui.clock import Clock
from adk_simulator.tui.messages import EngineEventPosted
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.screens.session import SessionScreen
from adk_simulator.tui.services import APP_BINDINGS
from adk_simulator.tui.theme import legible
from adk_simulator.tui.type_ahead import TypeAhead
from adk_simulator.tui.type_ahead import TypeAheadMark

if TYPE_CHECKING:
  from textual.dom import DOMNode
  from textual.screen import Screen

  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.runtime.turns import EngineEvent
  from adk_simulator.engine.store.sessions import StoredSession
  from adk_simulator.engine.workspace import Workspace


class SimulatorApp(App[None]):
  """Pick an agent, type the user's message, play its model turn by turn, export."""

  TITLE = "ADK Simulator"
  CSS_PATH = [
    "app.tcss",
    "widgets/timeline.tcss",
    "widgets/model_view.tcss",
    "widgets/status.tcss",
    "focus.tcss",
    "widgets/state_panel.tcss",
  ]
  BINDINGS: ClassVar[list[BindingType]] = [*APP_BINDINGS]

  def __init__(self, workspace: Workspace, *, clock: Clock | None = None) -> None:
    super().__init__()
    self.workspace = workspace
    self.clock = clock or Clock()
    self.simulation: Simulation | None = None
    self.type_ahead = TypeAhead(self, super().on_event)
    """Holds keys typed ahead until the widget they belong to has the focus."""

  def get_css_variables(self) -> dict[str, str]:
    """The theme's variables, with text colours moved until they read (see `theme`)."""
    variables = legible(super().get_css_variables())
    self.theme_variables = variables
    return variables

  def format_title(self, title: str, sub_title: str) -> Content:
    """The header's title; the sub-title muted in a colour that reads ("dim" does not)."""
    if not sub_title:
      return Content(title)
    return Content.assemble(Content(title), (" — ", "$text-muted"), (sub_title, "$text-muted"))

  def get_default_screen(self) -> Screen:
    return AgentPickerScreen()

  async def on_unmount(self) -> None:
    # However the app ends: the agents' MCP sessions and servers live on this loop.
    await self.workspace.close()

  # --- Keys typed ahead (see `type_ahead`) --------------------------------------

  async def on_event(self, event: events.Event) -> None:
    if TypeAhead.takes(event):
      await self.type_ahead.feed(event)  # pyright: ignore[reportArgumentType]
      return
    await super().on_event(event)

  def on_type_ahead_mark(self, mark: TypeAheadMark) -> None:
    self.type_ahead.mark_arrived(mark)

  def run_worker(self, work: WorkType[Any], *args: Any, **kwargs: Any) -> Worker[Any]:
    """As Textual's; keys typed while the engine works wait for what it shows next."""
    worker = super().run_worker(work, *args, **kwargs)
    if kwargs.get("group") == "engine":
      self.type_ahead.hold_for(worker, shown=self._tools_running)
    return worker

  def _tools_running(self) -> bool:
    return self.simulation is not None and bool(self.simulation.running_tools)

  # --- The engine ---------------------------------------------------------------

  async def fresh_simulation(self) -> Simulation:
    """A new simulation for the next session; the one before is left (it stays stored).

    One simulation per session: nothing of the last session carries over. A
    left simulation's late events are not heard.
    """
    old, self.simulation = self.simulation, None
    if old is not None:
      await old.abandon()
    # Opening the store imports ADK's session service and may touch disk. Only
    # that happens on the thread: the store connects on its first await, on
    # this loop, and `on_unmount` closes it here too.
    await asyncio.to_thread(lambda: self.workspace.session_service)
    simulation: Simulation | None = None

    def hear(event: EngineEvent) -> None:
      if simulation is not None and simulation is self.simulation:
        self._hear(event)

    simulation = self.workspace.new_simulation(listener=hear)
    self.simulation = simulation
    return simulation

  async def open_stored_session(self, stored: StoredSession) -> None:
    """Opens `stored` in a new simulation; the phase change shows its screen.

    An unfinished session resumes where it stopped (ACTIVE, tools live); a
    finished one opens COMPLETED, where `c` continues and `e` exports.
    """
    simulation = await self.fresh_simulation()
    await simulation.open_session(stored.agent, stored.session)

  def _hear(self, event: EngineEvent) -> None:
    self.post_message(EngineEventPosted(event))

  async def on_engine_event_posted(self, message: EngineEventPosted) -> None:
    event = message.event
    if event.kind == "phase_changed":
      await self._show_phase(event.phase)
    screen = self.session_screen
    if screen is not None:
      screen.engine_event(event)

  @property
  def session_screen(self) -> SessionScreen | None:
    """The screen of the session's phase (under any modal), if one is shown."""
    stack = self.screen_stack
    if len(stack) > 1 and isinstance(stack[1], SessionScreen):
      return stack[1]
    return None

  async def _show_phase(self, phase: Phase) -> None:
    # The stack is [agent picker, phase screen, modals...]: drop what sits on
    # top of the picker, then show the new phase's screen.
    floor = 1 if phase is Phase.SELECTING_AGENT else 2
    while len(self.screen_stack) > floor:
      await self.pop_screen()
    if phase is Phase.SELECTING_AGENT:
      return
    screen = _screen_for(phase)
    if len(self.screen_stack) == 2:
      await self.switch_screen(screen)
    else:
      await self.push_screen(screen)

  def start_session(self, agent: LoadedAgent) -> None:
    """Starts a new session with `agent` (leaving any current one)."""
    self.run_worker(
      self._start_session(agent),
      name="start session",
      group="engine",
      exclusive=True,
      exit_on_error=False,
    )

  async def _start_session(self, agent: LoadedAgent) -> None:
    simulation = await self.fresh_simulation()
    await simulation.select_agent(agent)

  def show_saved_sessions(self) -> None:
    """The sessions browser over the agents the picker loaded (it waits for them)."""
    from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
    from adk_simulator.tui.screens.sessions_browser import workspace_store

    self.push_screen(SessionsBrowserScreen(workspace_store(self)))

  def new_session(self) -> None:
    """A fresh session with the same agent, asking first when this one is not exported."""
    simulation = self.simulation
    if simulation is None or simulation.agent is None:
      return
    agent = simulation.agent
    self.confirm_unexported("Start a new session?", "Start", lambda: self.start_session(agent))

  def back_to_agents(self) -> None:
    """Leaves the session (it stays stored) and shows the agent picker."""
    simulation = self.simulation
    if simulation is None:
      return
    self.run_worker(
      simulation.back_to_agents(),
      name="back to agents",
      group="engine",
      exclusive=True,
      exit_on_error=False,
    )

  def leave_session(self) -> None:
    """Back to the agent picker, asking first when the session is not exported."""
    self.confirm_unexported("Leave this session?", "Leave", self.back_to_agents)

  def confirm_unexported(self, question: str, yes: str, then: Callable[[], object]) -> None:
    """Runs `then`, after asking first when the session has turns not exported."""
    if not self.has_unexported_work:
      then()
      return
    from adk_simulator.tui.screens.dialogs import ConfirmScreen

    def answered(confirmed: bool | None) -> None:
      if confirmed:
        then()

    self.push_screen(
      ConfirmScreen(
        question,
        "This session has turns that are not in the eval set yet (e exports them)."
        " The session itself stays in the session store.",
        yes=yes,
        no="Stay",
      ),
      answered,
    )

  @property
  def has_unexported_work(self) -> bool:
    """The session has turns that were not exported to the eval set."""
    return self.simulation is not None and self.simulation.has_unexported_work

  def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
    worker = event.worker
    if worker.state is WorkerState.ERROR and worker.group == "engine":
      error = worker.error
      self.notify(
        f"{type(error).__name__}: {error}", title=f"Could not {worker.name}", severity="error"
      )

  # --- Actions ------------------------------------------------------------------

  def action_help(self) -> None:
    from adk_simulator.tui.screens.help import HelpScreen

    if not isinstance(self.screen, HelpScreen):
      self.push_screen(HelpScreen())

  def action_quit(self) -> None:
    self.confirm_unexported("Quit without exporting?", "Quit", self._quit)

  def _quit(self) -> None:
    self.run_worker(self._shut_down(), name="quit", exit_on_error=False)

  async def _shut_down(self) -> None:
    if self.simulation is not None:
      await self.simulation.abandon()
    self.exit()

  def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
    """Every action that applies on `screen`, by name, then Textual's own."""
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
      binding = active.binding
      if not active.enabled or not binding.description or binding.description in seen:
        continue
      seen.add(binding.description)
      keys = self.get_key_display(binding)
      yield SystemCommand(
        binding.description,
        f"Key: {keys}" if keys else key,
        partial(self._run_bound_action, active.node, binding.action),
      )
    for command in super().get_system_commands(screen):
      if command.title not in seen:
        yield command

  async def _run_bound_action(self, node: DOMNode, action: str) -> None:
    await self.run_action(action, node)


def _screen_for(phase: Phase) -> SessionScreen:
  # Imported here: these screens pull in the engine's turn and form models,
  # which import google.genai; by now the agents (and ADK) have loaded.
  if phase is Phase.AWAITING_QUERY:
    from adk_simulator.tui.screens.query import QueryScreen

    return QueryScreen()
  if phase is Phase.ACTIVE:
    from adk_simulator.tui.screens.active import ActiveScreen

    return ActiveScreen()
  from adk_simulator.tui.screens.completed import CompletedScreen

  return CompletedScreen()


def run_app(workspace: Workspace, *, clock: Clock | None = None) -> None:
  """Runs the app full screen until the person quits."""
  SimulatorApp(workspace, clock=clock).run()
  abandoned = [
    t for t in threading.enumerate() if t.name.startswith("adk_tool_executor") and t.is_alive()
  ]
  if abandoned:
    # A cancelled synchronous tool's thread cannot be stopped, and Python
    # would wait for it at exit. Everything is stored already: leave now.
    print(f"adk-sim: leaving {len(abandoned)} cancelled tool thread(s) behind", file=sys.stderr)
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(0)
