"""`adk-sim sessions ...` and `adk-sim replay ...`: saved sessions, headless."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from adk_simulator.cli import EXIT_BAD_INPUT
from adk_simulator.cli import EXIT_FAILED
from adk_simulator.cli import config_option
from adk_simulator.cli import fail
from adk_simulator.cli import load_workspace_config
from adk_simulator.cli import main
from adk_simulator.cli import session_uri_option

if TYPE_CHECKING:
  from adk_simulator.engine.loader import LoadedAgent
  from adk_simulator.engine.replay import ReplayReport
  from adk_simulator.engine.replay import ReplayStep
  from adk_simulator.engine.session_store import SessionStore
  from adk_simulator.engine.workspace import Workspace


def _open(
  config_path: Path | None, session_service_uri: str | None
) -> tuple[Workspace, SessionStore]:
  """The workspace and its session store, with every agent that loads."""
  from adk_simulator.engine.loader import AgentLoadFailure
  from adk_simulator.engine.session_store import SessionStore
  from adk_simulator.engine.storage import StorageError
  from adk_simulator.engine.workspace import Workspace

  workspace = Workspace(load_workspace_config(config_path, None, session_service_uri))
  agents: list[LoadedAgent] = []
  for agent in workspace.agents:
    loaded = workspace.load_agent(agent)
    if isinstance(loaded, AgentLoadFailure):
      click.echo(f"warning: {loaded.error}", err=True)
    else:
      agents.append(loaded)
  try:
    service = workspace.session_service
  except StorageError as error:
    fail(str(error), EXIT_BAD_INPUT)
  return workspace, SessionStore(service, agents)


def _when(timestamp: float) -> str:
  return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


@main.group("sessions")
def sessions() -> None:
  """Saved sessions: list, export to ADK JSON, import, delete."""


@sessions.command("list")
@click.option("--agent", "agent_name", help="Only this agent's sessions.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
@config_option
@session_uri_option
def list_sessions(
  agent_name: str | None, as_json: bool, config_path: Path | None, session_service_uri: str | None
) -> None:
  """List saved sessions, newest first."""
  _, store = _open(config_path, session_service_uri)
  rows = asyncio.run(store.list(agent=agent_name))
  if as_json:
    click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
    return
  if not rows:
    click.echo("no saved sessions")
    return
  click.echo(f"{'ID':<36}  {'AGENT':<12} {'STARTED':<16}  {'STATUS':<11} TURNS CALLS  FIRST QUERY")
  for row in rows:
    query = (row.first_query or "").replace("\n", " ")
    query = query if len(query) <= 40 else query[:39] + "…"
    click.echo(
      f"{row.id:<36}  {row.agent[:12]:<12} {_when(row.started):<16}  {row.status:<11}"
      f" {row.turns:>5} {row.tool_calls:>5}  {query}"
    )


@sessions.command("export")
@click.argument("session_id")
@click.option(
  "-o",
  "--output",
  "output",
  required=True,
  type=click.Path(path_type=Path, dir_okay=False),
  help="The file to write (ADK's saved-session JSON, e.g. NAME.session.json).",
)
@config_option
@session_uri_option
def export_session(
  session_id: str, output: Path, config_path: Path | None, session_service_uri: str | None
) -> None:
  """Write a session as ADK saved-session JSON (what `adk run --save_session` writes)."""
  from adk_simulator.engine.session_store import SessionFileError
  from adk_simulator.engine.session_store import SessionNotFoundError

  _, store = _open(config_path, session_service_uri)
  try:
    path = asyncio.run(store.write_json(session_id, output))
  except (SessionNotFoundError, SessionFileError) as error:
    fail(str(error), EXIT_FAILED)
  click.echo(f"wrote {path}")


@sessions.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
  "--agent", "agent_name", help="The configured agent it belongs to (default: by app name)."
)
@config_option
@session_uri_option
def import_session(
  file: Path, agent_name: str | None, config_path: Path | None, session_service_uri: str | None
) -> None:
  """Bring an ADK saved-session JSON file (adk run --save_session, adk web) into the store."""
  from adk_simulator.engine.session_store import SessionFileError

  _, store = _open(config_path, session_service_uri)
  try:
    stored = asyncio.run(store.import_json(file, agent=agent_name))
  except SessionFileError as error:
    fail(str(error), EXIT_BAD_INPUT)
  summary = stored.summary
  click.echo(
    f"imported {file} as session {summary.id} ({summary.agent}, {summary.status},"
    f" {summary.turns} turns, {summary.tool_calls} tool calls)"
  )


@sessions.command("delete")
@click.argument("session_id")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@config_option
@session_uri_option
def delete_session(
  session_id: str, yes: bool, config_path: Path | None, session_service_uri: str | None
) -> None:
  """Delete a saved session (asks first)."""
  from adk_simulator.engine.session_store import SessionNotFoundError

  _, store = _open(config_path, session_service_uri)
  try:
    stored = asyncio.run(store.find(session_id))
  except SessionNotFoundError as error:
    fail(str(error), EXIT_FAILED)
  summary = stored.summary
  if not yes and not click.confirm(
    f"delete session {summary.id} ({summary.agent}, {summary.first_query!r})?", default=False
  ):
    click.echo("kept")
    return
  asyncio.run(store.delete(summary.id))
  click.echo(f"deleted {summary.id}")


# --- replay ---------------------------------------------------------------------------

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


@main.command("replay")
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
  config_path: Path | None,
  session_service_uri: str | None,
) -> None:
  """Replay recorded model turns against the live tools and compare every result.

  Replays run in a throwaway in-memory session, so checking never adds
  sessions to the store; --export writes the replayed trace to the eval set.
  """
  if replay_all == (target is not None):
    fail("give a SESSION_ID or FILE to replay, or --all", EXIT_BAD_INPUT)
  workspace, store = _open(config_path, session_service_uri)
  code = asyncio.run(
    _replay(workspace, store, target, agent_name, check, export, concurrency, ignore)
  )
  sys.exit(code)


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

  from adk_simulator.engine.replay import replay_many
  from adk_simulator.engine.session_store import SessionFileError
  from adk_simulator.engine.session_store import SessionNotFoundError

  scratch = InMemorySessionService()
  jobs: list[tuple[Any, Any]] = []
  if target is None:
    every = await store.stored(agent=agent_name)
    skipped = [s for s in every if s.summary.status == "in_progress"]
    jobs = [(s.agent, s.session) for s in every if s.summary.status != "in_progress"]
    if skipped:
      click.echo(f"skipping {len(skipped)} unfinished session(s): resume them first", err=True)
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
  reports = await replay_many(
    jobs,
    workspace.scratch_simulation,
    concurrency=concurrency,
    export=export,
    on_report=lambda r: _print_report(r, steps=single),
    ignore=ignore,
  )
  identical = sum(r.outcome == "identical" for r in reports)
  differ = sum(r.outcome == "differs" for r in reports)
  failed = sum(r.outcome == "failed" for r in reports)
  click.echo(
    f"replayed {len(reports)} sessions: {identical} identical, {differ} differ, {failed} failed"
  )
  return EXIT_FAILED if check and (differ or failed) else 0
