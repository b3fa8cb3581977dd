"""`adk-sim play` and `adk-sim validate`: scripted sessions and eval set checks, headless."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from adk_simulator.cli.common import EXIT_BAD_INPUT
from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import Interruption
from adk_simulator.cli.common import config_option
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import load_workspace_config
from adk_simulator.cli.common import session_uri_option
from adk_simulator.cli.common import tool_timeout_option
from adk_simulator.cli.common import with_tool_timeout


@click.command("play")
@click.argument("script_path", metavar="SCRIPT", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@click.option("--agent", "agent_name", help="The agent to play (default: the script's 'agent').")
@click.option(
  "--eval-set",
  "eval_set",
  type=click.Path(path_type=Path, dir_okay=False),
  help="Export to this eval set file instead of the agent's.",
)
@click.option("--no-export", is_flag=True, help="Play the script without exporting.")
@tool_timeout_option
@session_uri_option
def play(
  script_path: Path,
  config_path: Path | None,
  agent_name: str | None,
  eval_set: Path | None,
  no_export: bool,
  tool_timeout: float | None,
  session_service_uri: str | None,
) -> None:
  """Play a scripted session (JSON or YAML) and export it as a golden trace."""
  from adk_simulator.engine.moves.script import ScriptError
  from adk_simulator.engine.moves.script import load_script

  try:
    script = load_script(script_path)
  except ScriptError as error:
    fail(str(error), EXIT_BAD_INPUT)
  config = with_tool_timeout(
    load_workspace_config(config_path, None, session_service_uri), tool_timeout
  )
  from adk_simulator.engine.config.model import ConfigError

  wanted = agent_name or script.agent
  if wanted is None:
    if len(config.agents) != 1:
      names = ", ".join(repr(a.name) for a in config.agents)
      fail(
        f"{script_path}: say which agent to play with 'agent' in the script or --agent"
        f" (configured: {names})",
        EXIT_BAD_INPUT,
      )
    agent_config = config.agents[0]
  else:
    try:
      agent_config = config.find_agent(wanted)
    except ConfigError as error:
      fail(str(error), EXIT_BAD_INPUT)
  code = asyncio.run(_play(config, agent_config, script, eval_set, no_export))
  sys.exit(code)


async def _play(
  config: Any, agent_config: Any, script: Any, eval_set: Path | None, no_export: bool
) -> int:
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.threads import on_daemon_thread
  from adk_simulator.engine.workspace import Workspace

  workspace = Workspace(config)
  interruption = Interruption()
  with interruption.watching():
    try:
      # Off the loop, so a signal during a long import or server start is heard.
      loaded = await on_daemon_thread(lambda: workspace.load_agent(agent_config))
    except asyncio.CancelledError:
      click.echo(f"adk-sim: stopped by {interruption.name} while loading the agent", err=True)
      return interruption.exit_code
    if isinstance(loaded, AgentLoadFailure):
      click.echo(f"adk-sim: agent {agent_config.name!r} failed to load: {loaded.error}", err=True)
      return EXIT_FAILED
    try:
      return await _play_loaded(workspace, loaded, script, eval_set, no_export, interruption)
    finally:
      await workspace.close()


async def _play_loaded(
  workspace: Any,
  loaded: Any,
  script: Any,
  eval_set: Path | None,
  no_export: bool,
  interruption: Interruption,
) -> int:
  from adk_simulator.engine.export.evalset_file import EvalSetFileError
  from adk_simulator.engine.moves.script import ScriptError
  from adk_simulator.engine.moves.script import ScriptPlayer
  from adk_simulator.engine.store.services import StorageError
  from adk_simulator.engine.store.services import is_store_error

  try:
    simulation = workspace.new_simulation()
  except StorageError as error:
    click.echo(f"adk-sim: {error}", err=True)
    return EXIT_BAD_INPUT
  await simulation.select_agent(loaded)
  uri = workspace.config.session_service_uri
  try:
    await ScriptPlayer(simulation, script, echo=click.echo).play()
  except ScriptError as error:
    failure = simulation.run_error
    if failure is not None and failure.store:
      return await _store_failed(simulation, uri, f"{failure.error_type}: {failure.message}")
    click.echo(f"adk-sim: {error}", err=True)
    await simulation.abandon()
    kept = ""
    if simulation.session_id:
      try:
        await simulation.mark_failed(str(error))
        kept = f"; the session is kept as {simulation.session_id}, marked failed"
      except Exception as marking:  # the store broke meanwhile: the session stays as it was
        if not is_store_error(marking):
          raise
        kept = f"; the session is kept as {simulation.session_id}"
    click.echo(f"adk-sim: nothing was exported{kept}", err=True)
    return EXIT_FAILED
  except asyncio.CancelledError:
    if interruption.signal is None:
      raise
    await simulation.abandon()
    step = simulation.history.last_step
    kept = (
      f"session {simulation.session_id} is kept up to model call {step}"
      if simulation.session_id
      else "no session was started"
    )
    click.echo(f"adk-sim: stopped by {interruption.name}: {kept}; nothing was exported", err=True)
    return interruption.exit_code
  except Exception as error:
    if not is_store_error(error):
      raise
    return await _store_failed(simulation, uri, f"{type(error).__name__}: {error}")
  if no_export:
    click.echo(f"session {simulation.session_id} (not exported: --no-export)")
    return 0
  try:
    result = await simulation.export(eval_set_path=eval_set)
  except EvalSetFileError as error:
    click.echo(f"adk-sim: {error}", err=True)
    if uri.startswith("memory://"):
      kept = f"session {simulation.session_id} was in memory only (memory://) and ends here"
    else:
      kept = f"the session is kept in the store as {simulation.session_id}"
    click.echo(f"adk-sim: {kept}", err=True)
    return EXIT_FAILED
  for warning in result.warnings:
    click.echo(f"warning: {warning}", err=True)
  click.echo(f"eval set: {result.path} ({result.case_count} cases)")
  click.echo(f"eval_id: {result.eval_id}")
  return 0


@click.command("validate")
@click.argument("eval_set_path", metavar="EVALSET", type=click.Path(path_type=Path, dir_okay=False))
def validate(eval_set_path: Path) -> None:
  """Check an eval set file with ADK's EvalSet model."""
  from adk_simulator.engine.export.evalset_file import EvalSetFileError
  from adk_simulator.engine.export.evalset_file import validate_eval_set

  try:
    summary = validate_eval_set(eval_set_path)
  except EvalSetFileError as error:
    fail(str(error), EXIT_FAILED)
  click.echo(
    f"{eval_set_path}: valid EvalSet {summary.eval_set_id!r} with {summary.case_count} cases"
  )


async def _store_failed(simulation: Any, uri: str, reason: str) -> int:
  """Says the session store failed mid-session, and what it holds, if that can be known."""
  await simulation.abandon()
  click.echo(f"adk-sim: the session store {uri} failed: {reason}", err=True)
  kept = "it cannot be read back now, so what it holds of this session is unknown"
  if simulation.session_id is not None:
    try:
      stored = await simulation.stored_session()
    except Exception:  # the store is down: say no more than is known
      pass
    else:
      from adk_simulator.engine.record.reader import read_events

      step = read_events(stored.events).last_step
      kept = f"session {simulation.session_id} is kept up to model call {step}"
  click.echo(f"adk-sim: {kept}; nothing was exported", err=True)
  return EXIT_FAILED
