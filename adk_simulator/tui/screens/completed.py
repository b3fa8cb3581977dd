"""The end of a run (COMPLETED): a summary, the timeline, and what next.

`e` exports the session as an ADK EvalCase into the agent's eval set, `c`
continues the conversation with another user turn, `n` starts a new session
with the same agent, escape goes back to the agent picker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import format_seconds
from adk_simulator.tui.preview import preview
from adk_simulator.tui.screens.session import SessionScreen
from adk_simulator.tui.widgets.footer import KeyFooter
from adk_simulator.tui.widgets.state_panel import StatePanel
from adk_simulator.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
  from adk_simulator.engine.export.evalset_file import ExportResult
  from adk_simulator.engine.runtime.turns import EngineEvent


class CompletedScreen(SessionScreen):
  """The run is over: export it, continue it, or start again."""

  CSS_PATH = "completed.tcss"

  BINDINGS = [
    Binding("e", "export", "Export to eval set", id="completed.export"),
    Binding("c", "continue", "Continue conversation", id="completed.continue"),
    Binding("n", "new_session", "New session", id="completed.new_session"),
    Binding("d", "deliver_result", "Deliver result", id="completed.deliver_result"),
    Binding(
      "u",
      "undo",
      "Undo",
      tooltip="Undo the final answer, or the focused entry's turn",
      id="completed.undo",
    ),
    Binding("x", "run_traceback", "Run traceback", id="completed.run_traceback"),
    # Out of the footer, which is full at 120 columns; the summary names it.
    Binding("s", "toggle_state", "State and artifacts", show=False, id="completed.state"),
    Binding("escape", "leave", "Back to agents", id="completed.leave"),
  ]

  class Exported(Message):
    def __init__(self, result: ExportResult) -> None:
      super().__init__()
      self.result = result

  class ExportFailed(Message):
    def __init__(self, error: Exception) -> None:
      super().__init__()
      self.error = error

  class AlreadyExported(Message):
    """The session has a case in the eval set already: ask whether to replace it."""

    def __init__(self, eval_id: str) -> None:
      super().__init__()
      self.eval_id = eval_id

  def __init__(self) -> None:
    super().__init__()
    self._exporting = False
    self.export_stages: list[str] = []
    """What the last export said it was doing, in order."""

  def compose(self) -> ComposeResult:
    yield Header()
    with Horizontal(id="completed-body"):
      with VerticalScroll(id="summary"):
        yield Label("Session complete", classes="panel-title")
        yield Static(self._summary(), id="summary-facts")
        yield Static("", id="run-error", classes="error-text")
        yield Label("Final response", classes="panel-title", id="final-title")
        yield Static("", id="final-text")
        yield Static("", id="export-result")
      yield StatePanel(id="state-panel")
      with Vertical(id="completed-timeline-box"):
        yield Label("Timeline", classes="panel-title")
        yield Timeline(id="timeline")
    yield KeyFooter()

  def on_mount(self) -> None:
    self.refresh_from_engine()
    self.query_one(Timeline).focus_last()

  def engine_event(self, event: EngineEvent) -> None:
    self.refresh_from_engine()

  def refresh_from_engine(self) -> None:
    simulation = self.simulation
    history = simulation.history
    self.query_one("#summary-facts", Static).update(self._summary())
    error = simulation.run_error
    run_error = self.query_one("#run-error", Static)
    run_error.display = error is not None
    if error is not None:
      run_error.update(
        Content(f"The run failed: {error.described}\n")
        + Content.styled("x: show the traceback", "$text-muted")
      )
    finals = [e for e in history.entries if e.kind == "final_response"]
    final_text = self.query_one("#final-text", Static)
    if finals:
      last = finals[-1]
      shown = preview(last.payload if last.payload is not None else last.text, max_lines=12)
      final_text.update(Content(shown.text))
    else:
      final_text.update(Content.styled("(the run ended without a final response)", "$text-muted"))
    self.query_one(Timeline).show(history, shown=self.simulator.clock.shown)
    if self.has_class("-state-shown"):
      self.query_one(StatePanel).read(simulation.state_view)
    self.update_bindings()

  def _summary(self) -> Content:
    simulation = self.simulation
    history = simulation.history
    agent = simulation.agent
    lines = [
      Content.from_markup("Agent: [bold]$name[/]", name=agent.name if agent else "?"),
      Content(
        f"{count(history.turns, 'turn')} · {count(history.tool_calls, 'tool call')}"
        f" · {count(history.errors, 'error')}"
      ),
      # Played time: the time the app was not running (before a resume) is left out.
      Content(f"Time: {format_seconds(self.simulator.clock.shown(simulation.played_seconds))}"),
    ]
    if agent is not None:
      lines.append(
        Content.styled(f"Eval set: {self._shown_path(agent.eval_set_path)}", "$text-muted")
      )
    lines.append(Content.styled("s: the session state and artifacts", "$text-muted"))
    pending = [e for e in history.awaiting if e.kind == "tool_call"]
    if pending:
      names = ", ".join(e.tool_name for e in pending)
      lines.append(
        Content.styled(f"Result pending: {names} (long-running) · d delivers it", "$text-warning")
      )
    return Content("\n").join(lines)

  def _shown_path(self, path: Path) -> str:
    from adk_simulator.tui.screens.agent_picker import shown_path

    return shown_path(path, self.simulator.workspace.base_dir)

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "export":
      return self.simulation.has_unexported_work and not self._exporting
    if action == "run_traceback":
      return self.simulation.run_error is not None
    if action == "deliver_result":
      return self.waiting_call() is not None
    if action == "undo":
      return self.check_undo() and not self._exporting or None
    return True

  # --- Export -------------------------------------------------------------------

  def action_export(self) -> None:
    if self._exporting or not self.simulation.has_unexported_work:
      return
    self._exporting = True
    self.export_stages = []
    self.update_bindings()
    self.query_one("#export-result", Static).update(Content.styled("Exporting…", "$text-muted"))
    self.app.run_worker(self._export(), name="export", group="export", exit_on_error=False)

  class ExportStage(Message):
    def __init__(self, stage: str) -> None:
      super().__init__()
      self.stage = stage

  async def _export(self, as_new: bool | None = None) -> None:
    """Exports; with `as_new` None, first asks when the session has a case already."""
    try:
      if as_new is None:
        previous = await self.simulation.exported_case()
        if previous is not None:
          self.post_message(self.AlreadyExported(previous))
          return
      result = await self.simulation.export(
        as_new=bool(as_new), on_stage=lambda stage: self.post_message(self.ExportStage(stage))
      )
    except Exception as error:  # shown to the person; the session stays stored
      self.post_message(self.ExportFailed(error))
    else:
      self.post_message(self.Exported(result))

  def on_completed_screen_already_exported(self, message: CompletedScreen.AlreadyExported) -> None:
    from adk_simulator.tui.screens.export_choice import ExportChoiceScreen

    agent = self.simulation.agent
    shown = self._shown_path(agent.eval_set_path) if agent is not None else "the eval set"

    def chosen(choice: str | None) -> None:
      if choice is None:
        self._exporting = False
        self.query_one("#export-result", Static).update(
          Content.styled("Not exported: the eval set is as it was.", "$text-muted")
        )
        self.update_bindings()
        return
      self.app.run_worker(
        self._export(as_new=choice == "new"), name="export", group="export", exit_on_error=False
      )

    self.app.push_screen(ExportChoiceScreen(message.eval_id, shown), chosen)

  def on_completed_screen_export_stage(self, message: CompletedScreen.ExportStage) -> None:
    if self._exporting:
      self.export_stages.append(message.stage)
      self.query_one("#export-result", Static).update(
        Content.styled(f"Exporting: {message.stage}…", "$text-muted")
      )

  def on_completed_screen_exported(self, message: CompletedScreen.Exported) -> None:
    self._exporting = False
    result = message.result
    lines = [
      Content.styled("Exported", "bold $text-success")
      + Content(" (replaced its earlier case)" if result.replaced else ""),
      Content(
        f"File: {self._shown_path(result.path)}" + ("  (new file)" if result.created else "")
      ),
      Content(f"eval_id: {result.eval_id}"),
      Content(f"The eval set now holds {count(result.case_count, 'case')}."),
    ]
    if result.warnings:
      lines.append(
        Content.styled(f"{count(len(result.warnings), 'warning')}:", "bold $text-warning")
      )
      lines.extend(Content(f"• {warning}") for warning in result.warnings)
    self.query_one("#export-result", Static).update(Content("\n").join(lines))
    self.notify(
      f"{'Replaced' if result.replaced else 'Saved as'} {result.eval_id}", title="Exported"
    )
    self.update_bindings()

  def on_completed_screen_export_failed(self, message: CompletedScreen.ExportFailed) -> None:
    self._exporting = False
    text = f"{type(message.error).__name__}: {message.error}"
    self.query_one("#export-result", Static).update(
      Content.styled("Export failed\n", "bold $text-error") + Content(text)
    )
    self.notify(text, title="Export failed", severity="error")
    self.update_bindings()

  # --- What next ----------------------------------------------------------------

  def action_continue(self) -> None:
    self.simulation.continue_conversation()

  def action_new_session(self) -> None:
    self.simulator.new_session()

  def action_leave(self) -> None:
    self.simulator.leave_session()

  def action_toggle_state(self) -> None:
    """Shows the state and artifacts panel in the summary's place, or hides it."""
    self.toggle_class("-state-shown")
    panel = self.query_one(StatePanel)
    if self.has_class("-state-shown"):
      panel.read(self.simulation.state_view)
      panel.focus()
    elif self.focused is panel:
      self.query_one(Timeline).focus_last()

  def action_run_traceback(self) -> None:
    from adk_simulator.tui.screens.dialogs import TextScreen

    error = self.simulation.run_error
    if error is not None:
      self.app.push_screen(TextScreen(f"Why the run failed: {error.error_type}", error.traceback))
