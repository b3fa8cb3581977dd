"""The session (ACTIVE): what the model sees, the timeline, and your move.

Left, "What the model sees": the asking agent, its system instruction as sent
and its tools. Right, the timeline of the session. Below, whose move it is
or which tools are running. `t` calls tools, `f` answers; both open the
forms of `adk_simulator.tui.forms` and hand the turn to the engine on a
worker, so the app keeps painting while tools run.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.tui.screens.session import SessionScreen
from adk_simulator.tui.widgets.footer import KeyFooter
from adk_simulator.tui.widgets.model_view import ModelView
from adk_simulator.tui.widgets.state_panel import StatePanel
from adk_simulator.tui.widgets.status import SessionStatus
from adk_simulator.tui.widgets.timeline import Timeline
from adk_simulator.tui.widgets.timeline import TimelineEntry

if TYPE_CHECKING:
  from adk_simulator.engine.record.history import ConfirmationRequest
  from adk_simulator.engine.runtime.turns import EngineEvent
  from adk_simulator.engine.runtime.turns import ModelRequest


class ActiveScreen(SessionScreen):
  """Play the model: call tools, watch them run, then answer."""

  CSS_PATH = "active.tcss"
  HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

  BINDINGS = [
    Binding("t", "call_tool", "Call a tool", id="active.call_tool"),
    Binding("f", "final_response", "Final response", id="active.final_response"),
    Binding("y", "answer_confirmation", "Answer confirmation", id="active.confirm"),
    Binding("d", "deliver_result", "Deliver result", id="active.deliver_result"),
    Binding("escape", "cancel_tools", "Cancel tools", id="active.cancel_tools"),
    Binding(
      "u",
      "undo",
      "Undo",
      tooltip="Undo the last model turn, or the focused entry's (greyed out while tools run)",
      id="active.undo",
    ),
    Binding("m", "toggle_model_view", "Model view", id="active.model_view"),
    Binding("s", "toggle_state", "State and artifacts", id="active.state"),
    # Kept out of the footer (it has room for a few keys at 80 columns);
    # the help screen and the command palette list them.
    Binding("slash", "filter_tools", "Filter tools", show=False, id="active.filter_tools"),
    Binding("b", "leave", "Back to agents", show=False, id="active.leave"),
  ]

  class Rejected(Message):
    """The engine refused a model turn before anything ran."""

    def __init__(
      self, error: TurnValidationError, turn: ToolCallsTurn | FinalTurn, request: ModelRequest
    ) -> None:
      super().__init__()
      self.error = error
      self.turn = turn
      self.request = request

  AUTO_FOCUS = "#timeline"
  """Textual's default, the first focusable widget, is the model view: focusing
  it would stop the timeline from following the newest entry."""

  def __init__(self) -> None:
    super().__init__()
    self._submitting = False
    self._history_stale = True
    self._refresh_scheduled = False
    self._state_stale = True
    self._following = True
    """The focus follows the newest timeline entry (see `on_descendant_focus`)."""
    self._moving_to: Widget | None = None
    self._focus_waiting = False
    """The newest entry is to take the focus once it is mounted."""

  def compose(self) -> ComposeResult:
    yield Header()
    with Horizontal(id="active-body"):
      yield ModelView(id="model-view")
      yield StatePanel(id="state-panel")
      with Vertical(id="timeline-box"):
        with Horizontal(id="timeline-heading"):
          yield Label("Timeline", classes="panel-title")
          yield Label("  (m: what the model sees · s: state and artifacts)", id="model-view-hint")
        yield Static("", id="resume-note")
        yield Timeline(id="timeline")
    yield SessionStatus(id="status")
    yield KeyFooter()

  def on_mount(self) -> None:
    self.refresh_from_engine()
    self.query_one(Timeline).focus_last()

  @property
  def timeline(self) -> Timeline:
    return self.query_one(Timeline)

  def engine_event(self, event: EngineEvent) -> None:
    if event.kind == "run_failed":
      self.notify(event.described, title="The run failed", severity="error")
    if event.kind == "run_paused":
      # The user's move: ask at once, the way a client would prompt its user.
      self.call_later(self.action_answer_confirmation)
    if event.kind in ("history_changed", "phase_changed", "tool_started", "tool_finished"):
      # A call that ends shows its output at once, before ADK stores it.
      self._history_stale = True
      self._state_stale = True
    # A run sends bursts of events; show the state once per burst, because
    # projecting the history costs as much as the session is large.
    if not self._refresh_scheduled:
      self._refresh_scheduled = True
      self.call_later(self.refresh_from_engine)

  def refresh_from_engine(self) -> None:
    """Shows the engine's state as it is now."""
    self._refresh_scheduled = False
    simulation = self.simulation
    agent_name = simulation.agent.name if simulation.agent is not None else ""
    self.query_one(ModelView).show_request(
      simulation.pending, agent_name=agent_name, paused=simulation.paused
    )
    if self._history_stale:
      self._history_stale = False
      self._show_history()
    self.query_one(SessionStatus).show_state(simulation, self.simulator.clock)
    self._show_resume_note()
    self._show_state()
    self.update_bindings()

  def _show_resume_note(self) -> None:
    """Says where a resumed session had stopped, until the person is past that point."""
    stopped = self.simulation.resumed_from
    pending = self.simulation.pending
    note = self.query_one("#resume-note", Static)
    shown = stopped is not None and (pending is None or pending.step <= stopped.next_step)
    note.display = shown
    if shown and stopped is not None:
      note.update(Content.styled("Resumed. ", "bold") + Content(stopped.describe()))

  def _show_state(self) -> None:
    # Read only while the panel is shown: the read touches the store.
    if self._state_stale and self.has_class("-state-shown"):
      self._state_stale = False
      self.query_one(StatePanel).read(self.simulation.state_view)

  def _show_history(self) -> None:
    timeline = self.timeline
    focused = self.focused
    following = self._following or focused is None
    simulation = self.simulation
    timeline.show(
      simulation.live_history,
      shown=self.simulator.clock.shown,
      running={tool.call_id for tool in simulation.running_tools},
    )
    if following and timeline.last_entry not in (None, focused):
      self._focus_newest()

  def _focus_newest(self) -> None:
    timelines = self.query(Timeline)
    if not self.is_current or not timelines:
      return  # the session moved on to another screen before this frame
    last = timelines.first().last_entry
    if last is None or last is self.focused:
      return
    if not last.is_mounted:
      # Entries mount a frame later: `on_timeline_entry_arrived` focuses the
      # newest once it is there.
      self._focus_waiting = True
      return
    self._focus_on(last)

  def on_timeline_entry_arrived(self, message: TimelineEntry.Arrived) -> None:
    # Posted from the entry's mount handler, before Textual marks it mounted:
    # its focus call runs later, once it is.
    message.stop()
    entry = message.entry
    if self._focus_waiting and entry is self.timeline.last_entry and self.is_current:
      self._focus_on(entry)

  def _focus_on(self, entry: TimelineEntry) -> None:
    """Moves the focus to the newest entry, which keeps the timeline following."""
    self._focus_waiting = False
    self._moving_to = entry
    entry.focus()

  def on_descendant_focus(self, event: events.DescendantFocus) -> None:
    # The timeline follows the end while the focus is on its newest entry (or
    # on its way there); focusing anything else, the person stops it.
    timeline = self.timeline
    widget = event.widget
    self._following = widget in (timeline, timeline.last_entry, self._moving_to)
    self._moving_to = None

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action in ("call_tool", "final_response"):
      return self.simulation.pending is not None and not self._submitting
    if action == "cancel_tools":
      return bool(self.simulation.running_tools)
    if action == "answer_confirmation":
      return self.waiting_confirmation() is not None
    if action == "deliver_result":
      return self.waiting_call() is not None
    if action == "undo":
      return self.check_undo() and not self._submitting or None
    return True

  # --- The user's side -------------------------------------------------------------

  def waiting_confirmation(self) -> ConfirmationRequest | None:
    """The oldest confirmation request waiting, once the run has paused for it."""
    simulation = self.simulation
    if not simulation.paused:
      return None
    from adk_simulator.engine.record.history import ConfirmationRequest

    return next((e for e in simulation.awaiting if isinstance(e, ConfirmationRequest)), None)

  def action_answer_confirmation(self) -> None:
    from adk_simulator.tui.forms.confirmation_screen import ConfirmationScreen

    request = self.waiting_confirmation()
    if request is None or not self.is_current:
      return
    self.app.push_screen(ConfirmationScreen(request), self.send_confirmation)

  # --- Model turns --------------------------------------------------------------

  def action_call_tool(self) -> None:
    request = self.simulation.pending
    if request is not None and not self._submitting:
      self._open_tool_form(request)

  def action_final_response(self) -> None:
    request = self.simulation.pending
    if request is not None and not self._submitting:
      self._open_final_form(request)

  def _open_tool_form(
    self,
    request: ModelRequest,
    turn: ToolCallsTurn | None = None,
    errors: TurnValidationError | None = None,
  ) -> None:
    from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen

    screen = ToolCallScreen(request, turn=turn, errors=errors)
    self.app.push_screen(screen, partial(self._turn_chosen, request))

  def _open_final_form(
    self,
    request: ModelRequest,
    turn: FinalTurn | None = None,
    errors: TurnValidationError | None = None,
  ) -> None:
    from adk_simulator.tui.forms.final_response_screen import FinalResponseScreen

    screen = FinalResponseScreen(request, turn=turn, errors=errors)
    self.app.push_screen(screen, partial(self._turn_chosen, request))

  def _turn_chosen(self, request: ModelRequest, turn: ToolCallsTurn | FinalTurn | None) -> None:
    if turn is not None and self.simulation.pending is request:
      self.send_turn(turn)

  def send_turn(self, turn: ToolCallsTurn | FinalTurn) -> None:
    """Hands the person's turn to the engine on a worker.

    A turn the engine refuses is shown, and its form opens again with it.
    """
    request = self.simulation.pending
    if request is None or self._submitting:
      return
    self._submitting = True
    self.update_bindings()
    self.run_engine(self._submit(turn, request), name="send the model turn")

  async def _submit(self, turn: ToolCallsTurn | FinalTurn, request: ModelRequest) -> None:
    try:
      await self.simulation.submit_turn(turn)
    except TurnValidationError as error:
      self.post_message(self.Rejected(error, turn, request))
    finally:
      self._submitting = False
      if self.is_attached:
        self.update_bindings()

  def on_active_screen_rejected(self, message: ActiveScreen.Rejected) -> None:
    self.notify(str(message.error), title="The model turn was refused", severity="error")
    if self.simulation.pending is not message.request:
      return
    if isinstance(message.turn, ToolCallsTurn):
      self._open_tool_form(message.request, message.turn, message.error)
    else:
      self._open_final_form(message.request, message.turn, message.error)

  def action_cancel_tools(self) -> None:
    threads = any(tool.on_thread for tool in self.simulation.running_tools)
    names = self.simulation.cancel_tools()
    if names:
      later = (
        " A synchronous tool's thread cannot be stopped: it may still finish in the background."
        if threads
        else ""
      )
      self.notify(
        f"Cancelled: {', '.join(names)}. The model sees an error for each.{later}",
        title="Tools cancelled",
        severity="warning",
      )

  # --- View ---------------------------------------------------------------------

  def action_toggle_model_view(self) -> None:
    if self.has_class("-state-shown"):
      # The model view comes back where the state panel was.
      self.remove_class("-state-shown")
      self.set_class(not self.has_class("-wide"), "-model-toggled")
      return
    self.toggle_class("-model-toggled")

  def action_toggle_state(self) -> None:
    """Shows the state and artifacts panel in the model view's place, or hides it."""
    self.toggle_class("-state-shown")
    if self.has_class("-state-shown"):
      self._show_state()
      # Enter on it opens the whole view; t, f and the rest still apply.
      self.query_one(StatePanel).focus()
    elif self.focused is self.query_one(StatePanel):
      self.focus_home()

  def action_filter_tools(self) -> None:
    self.remove_class("-state-shown")
    # The catalog must be visible: side by side it is unless hidden, narrow it is when toggled.
    self.set_class(not self.has_class("-wide"), "-model-toggled")
    self.query_one("#catalog-filter").focus()

  def action_leave(self) -> None:
    self.simulator.leave_session()

  def focus_home(self) -> None:
    """Where the focus goes back to when it leaves an input: the newest timeline entry."""
    self.timeline.focus_last()
