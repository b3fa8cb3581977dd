"""One stored session, read-only: what it was, its timeline, and what can be done with it.

The timeline is the live view's `Timeline` over the same projection of the
stored events, so a session looks here exactly as it looked when played.
`r` opens it in the app (an unfinished one resumes where it stopped, its
tools live; a finished one opens complete, ready to continue), `e` exports a
finished one to its agent's eval set, `p` replays it against the live tools
and `d` deletes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.words import count
from adk_simulator.tui.screens.sessions_browser import SHORT_ID
from adk_simulator.tui.screens.sessions_browser import local_time
from adk_simulator.tui.screens.sessions_browser import status_label
from adk_simulator.tui.services import AppServices
from adk_simulator.tui.services import services
from adk_simulator.tui.widgets.state_panel import StatePanel
from adk_simulator.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
  from adk_simulator.engine.export.evalset_file import ExportResult
  from adk_simulator.engine.record.history import History
  from adk_simulator.engine.record.state import StateView
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.store.sessions import StoredSession


def stored_history(stored: StoredSession) -> History:
  """The session's history, projected as the live simulation projects it."""
  return read_events(
    stored.session.events,
    structured_input=stored.agent.input_schema is not None,
    structured_output=stored.agent.output_schema is not None,
  )


class SessionViewScreen(Screen[None]):
  """A stored session: its facts and timeline; resume, export, replay or delete it."""

  CSS_PATH = "session_view.tcss"
  SUB_TITLE = "Saved session"

  BINDINGS = [
    Binding("r", "resume", "Resume", id="session_view.resume"),
    Binding("r", "reopen", "Reopen", id="session_view.reopen"),
    Binding("e", "export", "Export to eval set", id="session_view.export"),
    Binding("p", "replay", "Replay", id="session_view.replay"),
    Binding("d", "delete", "Delete", id="session_view.delete"),
    # Out of the footer, which is full at 120 columns; the facts name it.
    Binding("s", "toggle_state", "State and artifacts", show=False, id="session_view.state"),
    Binding("escape", "back", "Back", id="session_view.back"),
  ]

  class Exported(Message):
    def __init__(self, result: ExportResult, stored: StoredSession) -> None:
      super().__init__()
      self.result = result
      self.stored = stored

  class Deleted(Message):
    pass

  class AlreadyExported(Message):
    """The session has a case in the eval set already: ask whether to replace it."""

    def __init__(self, eval_id: str) -> None:
      super().__init__()
      self.eval_id = eval_id

  class ExportStage(Message):
    def __init__(self, stage: str) -> None:
      super().__init__()
      self.stage = stage

  class Failed(Message):
    def __init__(self, doing: str, error: Exception) -> None:
      super().__init__()
      self.doing = doing
      self.error = error

  def __init__(self, stored: StoredSession, *, store: SessionStore | None = None) -> None:
    """Shows `stored`.

    Args:
      stored: The session and the loaded agent that plays it.
      store: The store it came from, to delete it and read it again after an
        export; by default one over the app's workspace and this agent.
    """
    super().__init__()
    self.stored = stored
    self._store = store
    self._busy: str | None = None
    """What is under way ("export", "delete"), if anything."""

  @property
  def simulator(self) -> AppServices:
    return services(self)

  @property
  def store(self) -> SessionStore:
    if self._store is None:
      self._store = self.simulator.workspace.session_store([self.stored.agent])
    return self._store

  @property
  def finished(self) -> bool:
    return self.stored.summary.status in ("completed", "exported")

  def compose(self) -> ComposeResult:
    yield Header()
    yield Static(self._facts(), id="session-facts")
    yield Static("", id="export-result")
    with Vertical(id="session-timeline-box"):
      yield Label("Timeline", classes="panel-title")
      yield Timeline(id="timeline")
    yield StatePanel(id="state-panel")
    yield Footer()

  def on_mount(self) -> None:
    self.query_one("#export-result").display = False
    timeline = self.query_one(Timeline)
    timeline.show(stored_history(self.stored), shown=self.simulator.clock.shown)
    timeline.focus_last()

  def _facts(self) -> Content:
    summary = self.stored.summary
    muted = "$text-muted"
    lines = [
      Content.from_markup("[bold]$agent[/]", agent=summary.agent)
      + Content("  ·  ")
      + status_label(summary.status)
      + Content.styled(f"  ·  session {summary.id}", muted),
      Content(
        f"Started {local_time(summary.started)} · last change {local_time(summary.updated)}"
        f"{self._played()} · {count(summary.turns, 'turn')}"
        f" · {count(summary.tool_calls, 'tool call')} · {count(summary.errors, 'error')}"
      ),
    ]
    if summary.exports:
      last = summary.exports[-1]
      times = f" ({len(summary.exports)} exports)" if len(summary.exports) > 1 else ""
      lines.append(
        Content.styled(f"Exported as {last.eval_id} to {self._shown(last.eval_set)}{times}", muted)
      )
    unfinished = " p replays the calls made so far; e exports it once it has finished."
    if summary.status == "in_progress":
      from adk_simulator.engine.record.resume import interruption

      stopped = interruption(stored_history(self.stored))
      hint = (
        f"{stopped.describe()}\nr resumes it where it stopped, its tools live."
        if stopped is not None
        else "It stopped before the agent answered: r resumes it where it stopped, its tools live."
      )
      hint += "\n" + unfinished.strip()
    elif summary.status == "failed":
      hint = "A scripted run failed here: r resumes it where it stopped, its tools live."
      hint += unfinished
    elif summary.status == "waiting":
      hint = (
        "It waits for the user's side (a confirmation or a long-running result):"
        " r opens it to give it."
      ) + unfinished
    elif summary.status == "exported":
      hint = (
        "r reopens it to continue the conversation · p replays it against the live tools"
        " · e exports it again (replace its case, or add a new one)."
      )
    else:
      hint = (
        "r reopens it to continue the conversation · p replays it against the live tools"
        " · e exports it to the eval set."
      )
    lines.append(Content.styled(hint, muted))
    lines.append(Content.styled("s shows its state and artifacts, as stored.", muted))
    return Content("\n").join(lines)

  def _played(self) -> str:
    """ " · played 12.3 s": the time the app ran it (not the time it sat stopped)."""
    from adk_simulator.engine.record.resume import played_seconds
    from adk_simulator.tui.preview import format_seconds

    seconds = self.simulator.clock.shown(played_seconds(self.stored.session.events))
    return f" · played {format_seconds(seconds)}" if seconds is not None else ""

  def _shown(self, path: str) -> str:
    from pathlib import Path

    from adk_simulator.tui.screens.agent_picker import shown_path

    return shown_path(Path(path), self.simulator.workspace.base_dir)

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    # None shows the key greyed out: it applies to this session, not now (the
    # hint under the facts says why); False hides the other `r`.
    match action:
      case "resume":
        return not self.finished and self._busy is None
      case "reopen":
        return self.finished and self._busy is None
      case "export":
        return True if self.finished and self._busy is None else None
      case "replay" | "delete":
        return True if self._busy is None else None
    return True

  def _set_busy(self, busy: str | None) -> None:
    self._busy = busy
    self.refresh_bindings()

  # --- Open it in the app -----------------------------------------------------------

  def action_resume(self) -> None:
    self._open_in_app()

  def action_reopen(self) -> None:
    self._open_in_app()

  def _open_in_app(self) -> None:
    app = self.app
    stored = self.stored

    def go() -> None:
      # On the app, not this screen: the phase change replaces this screen.
      app.run_worker(
        services(self).open_stored_session(stored),
        name="open the session",
        group="engine",
        exclusive=True,
        exit_on_error=False,
      )

    services(self).confirm_unexported("Leave the session you are playing?", "Leave", go)

  # --- Export -----------------------------------------------------------------------

  def action_export(self) -> None:
    if not self.check_action("export", ()):
      return
    self._start_export()

  def _start_export(self) -> None:
    if self.check_action("export", ()):
      self._set_busy("export")
      shown = self.query_one("#export-result", Static)
      shown.update(Content.styled("Exporting…", "$text-muted"))
      shown.display = True
      self.export_session()

  @work(exclusive=True, group="session-export", exit_on_error=False)
  async def export_session(self, as_new: bool | None = None) -> None:
    """Exports; with `as_new` None, first asks when the session has a case already."""
    stored = self.stored
    # A simulation of its own, so whatever the app is playing is left alone.
    simulation = self.simulator.workspace.new_simulation()
    try:
      await simulation.open_session(stored.agent, stored.session)
      if as_new is None:
        previous = await simulation.exported_case()
        if previous is not None:
          self.post_message(self.AlreadyExported(previous))
          return
      result = await simulation.export(
        as_new=bool(as_new), on_stage=lambda stage: self.post_message(self.ExportStage(stage))
      )
      refreshed = await self.store.find(stored.session.id)
    except Exception as error:  # shown; the session stays stored as it was
      self.post_message(self.Failed("export the session", error))
    else:
      self.post_message(self.Exported(result, refreshed))
    finally:
      await simulation.abandon()

  def on_session_view_screen_already_exported(
    self, message: SessionViewScreen.AlreadyExported
  ) -> None:
    from adk_simulator.tui.screens.export_choice import ExportChoiceScreen

    def chosen(choice: str | None) -> None:
      if choice is None:
        self.query_one("#export-result").display = False
        self._set_busy(None)
        return
      self.export_session(as_new=choice == "new")

    shown = self._shown(str(self.stored.agent.eval_set_path))
    self.app.push_screen(ExportChoiceScreen(message.eval_id, shown), chosen)

  def on_session_view_screen_export_stage(self, message: SessionViewScreen.ExportStage) -> None:
    if self._busy == "export":
      self.query_one("#export-result", Static).update(
        Content.styled(f"Exporting: {message.stage}…", "$text-muted")
      )

  def on_session_view_screen_exported(self, message: SessionViewScreen.Exported) -> None:
    result = message.result
    self.stored = message.stored
    self.query_one("#session-facts", Static).update(self._facts())
    self._set_busy(None)
    lines = [
      Content.styled("Exported", "bold $text-success")
      + Content(" (replaced its earlier case)" if result.replaced else ""),
      Content(
        f"File: {self._shown(str(result.path))}" + ("  (new file)" if result.created else "")
      ),
      Content(f"eval_id: {result.eval_id}"),
      Content(f"The eval set now holds {count(result.case_count, 'case')}."),
    ]
    if result.warnings:
      lines.append(
        Content.styled(f"{count(len(result.warnings), 'warning')}:", "bold $text-warning")
      )
      lines.extend(Content(f"• {warning}") for warning in result.warnings)
    shown = self.query_one("#export-result", Static)
    shown.update(Content("\n").join(lines))
    shown.display = True
    self.notify(
      f"{'Replaced' if result.replaced else 'Saved as'} {result.eval_id}"
      + (f" ({count(len(result.warnings), 'warning')})" if result.warnings else ""),
      title="Exported",
      severity="warning" if result.warnings else "information",
      markup=False,
    )

  def on_session_view_screen_failed(self, message: SessionViewScreen.Failed) -> None:
    if self._busy == "export":
      self.query_one("#export-result").display = False
    self._set_busy(None)
    self.notify(
      f"{type(message.error).__name__}: {message.error}",
      title=f"Could not {message.doing}",
      severity="error",
      markup=False,
    )

  # --- State and artifacts ---------------------------------------------------------

  def action_toggle_state(self) -> None:
    """Shows the stored state, the last step's changes and the artifacts, or the timeline."""
    self.toggle_class("-state-shown")
    panel = self.query_one(StatePanel)
    if self.has_class("-state-shown"):
      panel.read(self._state_view)
      panel.focus()
    else:
      self.query_one(Timeline).focus_last()

  async def _state_view(self) -> StateView:
    from adk_simulator.engine.record.state import record_view
    from adk_simulator.engine.record.summary import recovered_initial_state

    session = self.stored.session
    return record_view(session.events, session.state, recovered_initial_state(session))

  # --- Replay and delete ------------------------------------------------------------

  def action_replay(self) -> None:
    from adk_simulator.tui.screens.replay_view import ReplayViewScreen

    self.app.push_screen(ReplayViewScreen(self.stored))

  def action_delete(self) -> None:
    from adk_simulator.tui.screens.dialogs import ConfirmScreen

    summary = self.stored.summary

    def answered(confirmed: bool | None) -> None:
      if confirmed:
        self._set_busy("delete")
        self.delete_session()

    self.app.push_screen(
      ConfirmScreen(
        "Delete this session?",
        f"{summary.agent}, started {local_time(summary.started)}."
        " It is removed from the session store for good. Eval cases exported from it stay.",
        yes="Delete",
        no="Keep",
      ),
      answered,
    )

  @work(exclusive=True, group="session-delete", exit_on_error=False)
  async def delete_session(self) -> None:
    try:
      await self.store.delete(self.stored.session.id)
    except Exception as error:  # shown; nothing was deleted
      self.post_message(self.Failed("delete the session", error))
    else:
      self.post_message(self.Deleted())

  def on_session_view_screen_deleted(self) -> None:
    summary = self.stored.summary
    self.notify(f"{summary.agent} session {summary.id[:SHORT_ID]}", title="Deleted")
    self.dismiss(None)

  def action_back(self) -> None:
    self.dismiss(None)
