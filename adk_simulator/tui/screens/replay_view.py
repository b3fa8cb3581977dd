"""Replay: a stored session's model turns played again against the live tools.

Every recorded call runs again with its exact arguments, in a throwaway
session (nothing is stored), and each result is compared with the recording
as it arrives: ✓ identical, ≠ differs (with where), ✗ fails differently or
could not run. A drift check for tools and the data behind them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets import Header
from textual.widgets import Static

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.screens.sessions_browser import SHORT_ID
from adk_simulator.tui.screens.sessions_browser import local_time
from adk_simulator.tui.services import services

if TYPE_CHECKING:
  from adk_simulator.engine.replay.replayer import ReplayProgress
  from adk_simulator.engine.replay.replayer import ReplayReport
  from adk_simulator.engine.replay.replayer import ReplayStep
  from adk_simulator.engine.store.sessions import StoredSession

MARKS = {
  "identical": ("✓", "identical", "$text-success"),
  "differs": ("≠", "differs", "$text-warning"),
  "fails_differently": ("✗", "fails differently", "$text-error"),
  "not_run": ("✗", "not run", "$text-error"),
}
"""Per step outcome: the mark, the words, the colour."""


class ReplayStepLine(Static):
  """One replayed call: mark, number, turn, tool, arguments, outcome, and any diff."""

  def __init__(self, step: ReplayStep) -> None:
    mark, words, colour = MARKS[step.outcome]
    line = (
      Content.styled(f"{mark} ", f"bold {colour}")
      + Content(f"{step.number:>3}  turn {step.turn}  ")
      + Content.styled(step.tool_name, "bold")
      + Content(f"  {one_line(step.args, limit=60)}  ")
      + Content.styled(words, colour)
    )
    diff = [Content.styled(f"      {text}", "$text-muted") for text in step.diff]
    super().__init__(
      Content("\n").join([line, *diff]), classes=f"-{step.outcome.replace('_', '-')}"
    )
    self.step = step


class ReplayViewScreen(Screen[None]):
  """Replays a stored session and shows, step by step, what changed."""

  CSS_PATH = "replay_view.tcss"
  SUB_TITLE = "Replay"

  BINDINGS = [
    Binding("r", "replay", "Replay again", id="replay.again"),
    Binding("escape", "back", "Back", id="replay.back"),
  ]

  class StepReplayed(Message):
    def __init__(self, step: ReplayStep) -> None:
      super().__init__()
      self.step = step

  class Progressed(Message):
    def __init__(self, progress: ReplayProgress) -> None:
      super().__init__()
      self.progress = progress

  class Finished(Message):
    def __init__(self, report: ReplayReport) -> None:
      super().__init__()
      self.report = report

  class Crashed(Message):
    """The replay itself raised (not a step that differs: that is a report)."""

    def __init__(self, error: Exception) -> None:
      super().__init__()
      self.error = error

  def __init__(self, stored: StoredSession) -> None:
    super().__init__()
    self.stored = stored
    self.report: ReplayReport | None = None
    self.steps: list[ReplayStep] = []
    self.progress: ReplayProgress | None = None
    """How far the replay under way has got."""
    self._replaying = False

  def compose(self) -> ComposeResult:
    summary = self.stored.summary
    yield Header()
    yield Static(
      Content.from_markup(
        "Replaying [bold]$agent[/] session $id (started $started): every recorded call runs"
        " again against the live tools, in a throwaway session; nothing is stored.",
        agent=summary.agent,
        id=summary.id[:SHORT_ID],
        started=local_time(summary.started),
      ),
      id="replay-intro",
    )
    yield VerticalScroll(id="replay-steps")
    yield Static("", id="replay-outcome")
    yield Footer()

  def on_mount(self) -> None:
    self.query_one("#replay-steps").focus()
    self.action_replay()

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "replay":
      return not self._replaying
    return True

  def action_replay(self) -> None:
    if self._replaying:
      return
    self._replaying = True
    self.report = None
    self.steps = []
    self.progress = None
    self.query_one("#replay-steps").remove_children()
    self._show_progress()
    self.refresh_bindings()
    self.run_replay()

  @work(exclusive=True, group="replay", exit_on_error=False)
  async def run_replay(self) -> None:
    from adk_simulator.engine.replay.replayer import replay_session

    stored = self.stored
    simulation = services(self).workspace.scratch_simulation()

    def on_step(step: ReplayStep) -> None:
      self.post_message(self.StepReplayed(step))

    def on_progress(progress: ReplayProgress) -> None:
      self.post_message(self.Progressed(progress))

    try:
      report = await replay_session(
        simulation, stored.agent, stored.session, on_step=on_step, on_progress=on_progress
      )
    except asyncio.CancelledError:
      # Left mid-replay: stop the run rather than leave it waiting for a turn.
      await simulation.abandon()
      raise
    except Exception as error:  # shown in place of the outcome
      await simulation.abandon()
      self.post_message(self.Crashed(error))
    else:
      self.post_message(self.Finished(report))

  def on_replay_view_screen_step_replayed(self, message: ReplayViewScreen.StepReplayed) -> None:
    self.steps.append(message.step)
    steps = self.query_one("#replay-steps", VerticalScroll)
    steps.mount(ReplayStepLine(message.step))
    steps.scroll_end(animate=False)
    self._show_progress()

  def on_replay_view_screen_progressed(self, message: ReplayViewScreen.Progressed) -> None:
    if self._replaying:
      self.progress = message.progress
      self._show_progress()

  def _show_progress(self) -> None:
    progress = self.progress
    if progress is not None:
      text = f"Replaying {progress.describe()}…"
    else:
      so_far = f" {count(len(self.steps), 'step')} so far" if self.steps else ""
      text = f"Replaying…{so_far}"
    self.query_one("#replay-outcome", Static).update(Content.styled(text, "$text-muted italic"))

  def on_replay_view_screen_finished(self, message: ReplayViewScreen.Finished) -> None:
    self.report = report = message.report
    self._replaying = False
    total = len(report.steps)
    differing = len(report.differing)
    if report.outcome == "identical":
      line = Content.styled("✓ Identical: ", "bold $text-success") + Content(
        f"every tool returned what was recorded ({count(total, 'step')})."
        if total
        else "the session made no tool calls; the replay ran to the same end."
      )
    elif report.outcome == "differs":
      line = Content.styled("≠ Differs: ", "bold $text-warning") + Content(
        f"{differing} of {count(total, 'step')} differ from the recording."
      )
    elif self._stopped_where_recorded(report):
      # An unfinished session: its recording ends where it stopped, not in failure.
      same = total - differing
      line = Content.styled("■ Up to where the session stopped: ", "bold $text-primary") + Content(
        f"{count(total, 'step')} compared, {same} identical, {differing} differ."
        " The session is not finished, so the replay stops there too."
      )
    else:
      line = Content.styled("✗ Failed: ", "bold $text-error") + Content(
        f"{report.error} ({count(total, 'step')} compared before it stopped)"
      )
    self.query_one("#replay-outcome", Static).update(line)
    self.refresh_bindings()

  def _stopped_where_recorded(self, report: ReplayReport) -> bool:
    unfinished = self.stored.summary.status not in ("completed", "exported")
    ended_early = report.error == "the recording ends before the live run does"
    return unfinished and ended_early and all(s.outcome != "not_run" for s in report.steps)

  def on_replay_view_screen_crashed(self, message: ReplayViewScreen.Crashed) -> None:
    self._replaying = False
    self.query_one("#replay-outcome", Static).update(
      Content.styled("✗ The replay could not run: ", "bold $text-error")
      + Content(f"{type(message.error).__name__}: {message.error}")
    )
    self.refresh_bindings()

  def action_back(self) -> None:
    self.dismiss(None)
