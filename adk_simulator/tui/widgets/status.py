"""The status line of a session: whose move it is, and what is running."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from adk_simulator.tui.preview import format_seconds

if TYPE_CHECKING:
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.tui.clock import Clock

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK_SECONDS = 0.1


class SessionStatus(Static):
  """One line under the session: a spinner and elapsed times while tools run.

  The line refreshes on a timer only while something runs; `ticks` counts
  the refreshes (a test can watch it move while a blocking tool sleeps).
  """

  def __init__(self, *, id: str | None = None) -> None:
    super().__init__("", id=id)
    self.ticks = 0
    self._simulation: Simulation | None = None
    self._clock: Clock | None = None

  def on_mount(self) -> None:
    self._timer = self.set_interval(TICK_SECONDS, self._tick, pause=True)

  def show_state(self, simulation: Simulation, clock: Clock) -> None:
    """Shows `simulation`'s state now, and keeps it fresh while tools run."""
    self._simulation = simulation
    self._clock = clock
    self._render_status()
    if simulation.running_tools:
      self._timer.resume()
    else:
      self._timer.pause()

  def _tick(self) -> None:
    self.ticks += 1
    self._render_status()

  def _render_status(self) -> None:
    simulation, clock = self._simulation, self._clock
    if simulation is None or clock is None:
      return
    running = simulation.running_tools
    self.set_class(bool(running), "-running")
    if running:
      frame = SPINNER[int(clock.monotonic() / TICK_SECONDS) % len(SPINNER)]
      calls = ", ".join(
        f"{tool.tool_name} {format_seconds(clock.elapsed_since(tool.started_at))}"
        for tool in running
      )
      self.update(
        Content.styled(f"{frame} ", "bold $text-warning")
        + Content(f"Running {calls}")
        + Content.styled("  ·  escape cancels", "$text-muted")
      )
      return
    if simulation.run_error is not None:
      error = simulation.run_error
      self.update(Content.styled(f"The run failed: {error.described}", "$text-error"))
      return
    if simulation.paused:
      self.update(_user_side_line(simulation))
      return
    request = simulation.pending
    if request is not None:
      self.update(
        Content.from_markup(
          "Your move ([bold]$agent[/], model call $step): "
          "[bold]t[/] call a tool · [bold]f[/] final response",
          agent=request.agent_name,
          step=str(request.step),
        )
      )
      return
    self.update(Content.styled("The runtime is working…", "$text-muted"))


def _user_side_line(simulation: Simulation) -> Content:
  from adk_simulator.engine.record.history import ConfirmationRequest
  from adk_simulator.engine.record.lines import call_text

  waiting = simulation.awaiting
  asks = [e for e in waiting if isinstance(e, ConfirmationRequest)]
  line = Content.styled("The user's move: ", "bold $text-warning")
  if asks:
    line += Content.from_markup(
      "[bold]y[/] approve or reject $call", call=call_text(asks[0].tool_name, asks[0].args)
    )
  else:
    line += Content.from_markup(
      "[bold]d[/] deliver the result of $call",
      call=call_text(waiting[0].tool_name, waiting[0].args),
    )
  more = len(waiting) - 1
  if more:
    line += Content.styled(f"  (and {more} more waiting)", "$text-muted")
  return line
