"""`adk-sim sessions ...`: saved sessions, headless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from adk_simulator.cli.common import EXIT_BAD_INPUT
from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import command_loop
from adk_simulator.cli.common import config_option
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import find_session
from adk_simulator.cli.common import open_store
from adk_simulator.cli.common import session_uri_option
from adk_simulator.cli.common import when

if TYPE_CHECKING:
  from adk_simulator.engine.store.sessions import StoredSession


@click.group("sessions")
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
  workspace, store = open_store(config_path, session_service_uri)
  with command_loop(workspace) as loop:
    rows = loop.run(store.list(agent=agent_name))
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
      f"{row.id:<36}  {row.agent[:12]:<12} {when(row.started):<16}  {row.status:<11}"
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
@click.option(
  "--adk-test",
  "adk_test",
  is_flag=True,
  help="Write the file `adk test` replays (put it at AGENT_FOLDER/tests/NAME.json).",
)
@config_option
@session_uri_option
def export_session(
  session_id: str,
  output: Path,
  adk_test: bool,
  config_path: Path | None,
  session_service_uri: str | None,
) -> None:
  """Write a session as ADK saved-session JSON (what `adk run --save_session` writes).

  With --adk-test, write what `adk test --rebuild` would write for it instead:
  a replay test of the agent that needs no model and no simulator. A session
  the test runner could not replay is refused, with every reason.
  """
  from adk_simulator.engine.store.sessions import SessionFileError
  from adk_simulator.engine.store.sessions import SessionNotFoundError

  workspace, store = open_store(config_path, session_service_uri)
  with command_loop(workspace) as loop:
    try:
      if adk_test:
        _write_adk_test(loop.run(store.find(session_id)), output)
        return
      path = loop.run(store.write_json(session_id, output))
    except (SessionNotFoundError, SessionFileError) as error:
      fail(str(error), EXIT_FAILED)
  click.echo(f"wrote {path}")


def _write_adk_test(stored: StoredSession, output: Path) -> None:
  from adk_simulator.engine.export.adk_test import AdkTestRefusal
  from adk_simulator.engine.export.adk_test import adk_test_file
  from adk_simulator.engine.store.sessions import write_new_file

  try:
    text, warnings = adk_test_file(stored.session, stored.agent)
  except AdkTestRefusal as refusal:
    fail(str(refusal), EXIT_FAILED)
  except ImportError as error:
    fail(
      f"ADK's test runner cannot be imported ({error}); it needs pytest, as `adk test` does:"
      " `pip install pytest`. Nothing was written",
      EXIT_FAILED,
    )
  write_new_file(output, text)
  for warning in warnings:
    click.echo(f"warning: {warning}", err=True)
  click.echo(f"wrote {output}")
  folder = output.resolve().parent
  if folder.name != "tests" or not any(
    (folder.parent / marker).exists() for marker in ("agent.py", "__init__.py", "root_agent.yaml")
  ):
    click.echo(
      "note: `adk test AGENTS_DIR` finds test files at AGENTS_DIR/<agent>/tests/*.json;"
      " move it there to run it",
      err=True,
    )


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
  """Bring an ADK saved-session JSON file (adk run --save_session, adk web) into the store.

  A file whose session is in the store already is not imported again: the
  command says which session holds it (exit 0).
  """
  from adk_simulator.engine.store.sessions import AlreadyImportedError
  from adk_simulator.engine.store.sessions import SessionFileError

  workspace, store = open_store(config_path, session_service_uri)
  with command_loop(workspace) as loop:
    try:
      stored = loop.run(store.import_json(file, agent=agent_name))
    except AlreadyImportedError as error:
      click.echo(f"already imported: {error}")
      return
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
  workspace, store = open_store(config_path, session_service_uri)
  # Find, ask, then delete on the same loop: the store's connections belong to it.
  with command_loop(workspace) as loop:
    summary = find_session(loop, store, session_id).summary
    if not yes and not click.confirm(
      f"delete session {summary.id} ({summary.agent}, {summary.first_query!r})?", default=False
    ):
      click.echo("kept")
      return
    loop.run(store.delete(summary.id))
  click.echo(f"deleted {summary.id}")


# --- replay ---------------------------------------------------------------------------
