"""`adk-sim replay ...`: recorded model turns against the live tools."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from adk_simulator.cli.common import EXIT_BAD_INPUT
from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import Interruption
from adk_simulator.cli.common import command_loop
from adk_simulator.cli.common import config_option
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import open_store
from adk_simulator.cli.common import session_uri_option
from adk_simulator.cli.common import tool_timeout_option
from adk_simulator.engine.words import count

if TYPE_CHECKING:
  from adk_simulator.engine.replay.replayer import ReplayProgress
  from adk_simulator.engine.replay.replayer import ReplayReport
  from adk_simulator.engine.replay.replayer import ReplayStep
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.workspace import Workspace


class _Progress:
  """How far a replay has got, on stderr; stdout keeps only the reports.

  A batch says "k of N replayed" as each session ends. On a terminal, one
  line that rewrites itself also shows the move the latest replay is at.
  """

  def __init__(self, total: int, *, batch: bool) -> None:
    self.total = total
    self.batch = batch
    self.done = 0
    self.live = sys.stderr.isatty()
    self._shown = False

  def _clear(self) -> None:
    if self._shown:
      click.echo("\r\x1b[K", nl=False, err=True)
      self._shown = False

  def moved(self, progress: ReplayProgress) -> None:
    if not self.live:
      return
    where = f"{self.done} of {self.total} replayed · " if self.batch else ""
    line = f"adk-sim: {where}{progress.session_id[:8]}: {progress.describe()}"
    width = shutil.get_terminal_size().columns - 1
    click.echo(f"\r\x1b[K{line[:width]}", nl=False, err=True)
    self._shown = True

  def report(self, report: ReplayReport, *, steps: bool) -> None:
    self._clear()
    _print_report(report, steps=steps)
    self.done += 1
    if self.batch:
      click.echo(f"adk-sim: {self.done} of {count(self.total, 'session')} replayed", err=True)

  def end(self) -> None:
    self._clear()


_MARKS = {"identical": "✓", "differs": "≠", "fails_differently": "✗", "not_run": "✗"}


def _print_step(step: ReplayStep) -> None:
  label = step.outcome.replace("_", " ")
  click.echo(
    f"  {_MARKS[step.outcome]} step {step.number} (turn {step.turn}) {step.tool_name}: {label}"
  )
  for line in step.diff:
    click.echo(f"      {line}")


def _print_report(report: ReplayReport, *, steps: bool) -> None:
  click.echo(f"session {report.session_id} ({report.agent}): {report.outcome}")
  if steps:
    for step in report.steps:
      _print_step(step)
  else:
    for step in report.differing:
      _print_step(step)
  if report.error:
    click.echo(f"  replay stopped: {report.error}")
  if report.eval_id:
    click.echo(f"  exported to {report.eval_set} as {report.eval_id}")


@click.command("replay")
@click.argument("target", required=False, metavar="SESSION_ID|FILE")
@click.option("--all", "replay_all", is_flag=True, help="Replay every finished saved session.")
@click.option(
  "--agent", "agent_name", help="With --all: only this agent's sessions. With FILE: its agent."
)
@click.option("--check", is_flag=True, help="Exit 1 when any step differs or fails differently.")
@click.option("--export", "export", is_flag=True, help="Export each replay as a new golden trace.")
@click.option(
  "--ignore",
  "ignore",
  multiple=True,
  metavar="PATH",
  help="An output path not to compare, e.g. '$.created_at' or '$.items[*].id' (repeatable).",
)
@click.option(
  "--concurrency",
  default=4,
  show_default=True,
  type=click.IntRange(1, 64),
  help="With --all: how many sessions replay at once.",
)
@tool_timeout_option
@config_option
@session_uri_option
def replay(
  target: str | None,
  replay_all: bool,
  agent_name: str | None,
  check: bool,
  export: bool,
  concurrency: int,
  ignore: tuple[str, ...],
  tool_timeout: float | None,
  config_path: Path | None,
  session_service_uri: str | None,
) -> None:
  """Replay recorded model turns against the live tools and compare every result.

  Replays run in a throwaway in-memory session, so checking never adds
  sessions to the store; --export writes the replayed trace to the eval set.
  """
  if replay_all == (target is not None):
    fail("give a SESSION_ID or FILE to replay, or --all", EXIT_BAD_INPUT)
  workspace, store = open_store(config_path, session_service_uri)
  if tool_timeout:
    workspace.config.tool_timeout = tool_timeout
  # The replays, the agents' toolsets (MCP servers) and the store share one loop.
  with command_loop(workspace) as loop:
    code = loop.run(
      _interruptible(workspace, store, target, agent_name, check, export, concurrency, ignore)
    )
  sys.exit(code)


async def _interruptible(workspace: Workspace, *args: Any) -> int:
  """Replays; SIGINT or SIGTERM stops the replays in progress and exits 130 or 143.

  Replays run in throwaway sessions: the recorded ones are never touched.
  """
  interruption = Interruption()
  try:
    with interruption.watching():
      return await _replay(workspace, *args)
  except asyncio.CancelledError:
    if interruption.signal is None:
      raise
    click.echo(
      f"adk-sim: stopped by {interruption.name}: the replays in progress were dropped;"
      " the recorded sessions are untouched",
      err=True,
    )
    return interruption.exit_code


async def _replay(
  workspace: Workspace,
  store: SessionStore,
  target: str | None,
  agent_name: str | None,
  check: bool,
  export: bool,
  concurrency: int,
  ignore: tuple[str, ...] = (),
) -> int:
  from google.adk.sessions.in_memory_session_service import InMemorySessionService

  from adk_simulator.engine.replay.replayer import replay_many
  from adk_simulator.engine.store.sessions import SessionFileError
  from adk_simulator.engine.store.sessions import SessionNotFoundError

  scratch = InMemorySessionService()
  jobs: list[tuple[Any, Any]] = []
  if target is None:
    every = await store.stored(agent=agent_name)
    finished = ("completed", "exported")
    skipped = [s for s in every if s.summary.status not in finished]
    jobs = [(s.agent, s.session) for s in every if s.summary.status in finished]
    if skipped:
      click.echo(
        f"skipping {count(len(skipped), 'unfinished session')}: resume them first", err=True
      )
  elif Path(target).is_file():
    scratch_store = type(store)(scratch, store.agents)
    try:
      stored = await scratch_store.import_json(Path(target), agent=agent_name)
    except SessionFileError as error:
      click.echo(f"adk-sim: {error}", err=True)
      return EXIT_BAD_INPUT
    jobs.append((stored.agent, stored.session))
  else:
    try:
      stored = await store.find(target)
    except SessionNotFoundError as error:
      click.echo(f"adk-sim: {error}", err=True)
      return EXIT_BAD_INPUT
    jobs.append((stored.agent, stored.session))
  single = len(jobs) == 1 and target is not None
  progress = _Progress(len(jobs), batch=target is None)
  if target is None and jobs:
    click.echo(
      f"adk-sim: replaying {count(len(jobs), 'session')}, {min(concurrency, len(jobs))} at a time",
      err=True,
    )
  try:
    reports = await replay_many(
      jobs,
      workspace.scratch_simulation,
      concurrency=concurrency,
      export=export,
      on_report=lambda r: progress.report(r, steps=single),
      ignore=ignore,
      on_progress=progress.moved,
    )
  finally:
    progress.end()
  identical = sum(r.outcome == "identical" for r in reports)
  differ = sum(r.outcome == "differs" for r in reports)
  failed = sum(r.outcome == "failed" for r in reports)
  click.echo(
    f"replayed {count(len(reports), 'session')}: {identical} identical, {differ} differ,"
    f" {failed} failed"
  )
  return EXIT_FAILED if check and (differ or failed) else 0
