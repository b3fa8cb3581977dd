"""The `adk-sim` command line.

`adk-sim` (or `adk-sim AGENTS_DIR`) opens the app; the subcommands script and
check sessions without it. Exit codes: 0 success, 1 a failure while running
(an invalid call, a failed run, an invalid eval set), 2 bad input (config,
script, arguments).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import NoReturn

import click

if TYPE_CHECKING:
  from adk_simulator.engine.config import SimulatorConfig

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int) -> NoReturn:
  click.echo(f"adk-sim: {message}", err=True)
  sys.exit(code)


def load_workspace_config(
  config: Path | None, agents_dir: Path | None, session_service_uri: str | None
) -> SimulatorConfig:
  """Finds the config the way every command does; exits 2 with the reason."""
  from adk_simulator.engine.config import ConfigError
  from adk_simulator.engine.config_file import config_from_agents_dir
  from adk_simulator.engine.config_file import load_config

  try:
    if agents_dir is not None:
      resolved = config_from_agents_dir(agents_dir)
    else:
      resolved = load_config(config)
  except ConfigError as error:
    fail(str(error), EXIT_BAD_INPUT)
  if session_service_uri:
    resolved = resolved.model_copy(update={"session_service_uri": session_service_uri})
  return resolved


config_option = click.option(
  "--config",
  "config_path",
  type=click.Path(path_type=Path, dir_okay=False),
  help="Config file: a pyproject.toml with [tool.adk-simulator], or an adk-simulator.toml.",
)
session_uri_option = click.option(
  "--session-service-uri",
  help="Where sessions are stored (an ADK session service URI); overrides the config.",
)


class _DefaultToOpen(click.Group):
  """`adk-sim` and `adk-sim AGENTS_DIR` mean `adk-sim open ...`."""

  def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
    if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
      args = ["open", *args]
    return super().parse_args(ctx, args)


@click.group(cls=_DefaultToOpen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="adk-simulator")
def main() -> None:
  """ADK Simulator: play the model of a Google ADK agent, export golden traces.

  With no command, opens the app on the agents of the config in the current
  folder, or on every agent folder inside AGENTS_DIR.
  """


@main.command("open")
@click.argument("agents_dir", required=False, type=click.Path(path_type=Path, file_okay=False))
@config_option
@session_uri_option
def open_app(
  agents_dir: Path | None, config_path: Path | None, session_service_uri: str | None
) -> None:
  """Open the app (the default command)."""
  if agents_dir is not None and not agents_dir.is_dir():
    fail(f"{agents_dir} is not a folder of ADK agents", EXIT_BAD_INPUT)
  config = load_workspace_config(config_path, agents_dir, session_service_uri)
  from adk_simulator.engine.workspace import Workspace
  from adk_simulator.tui.app import run_app

  run_app(Workspace(config))


@main.command("agents")
@config_option
@click.argument("agents_dir", required=False, type=click.Path(path_type=Path, file_okay=False))
def list_agents(config_path: Path | None, agents_dir: Path | None) -> None:
  """List the configured agents and whether they load."""
  config = load_workspace_config(config_path, agents_dir, None)
  from adk_simulator.engine.loader import AgentLoadFailure
  from adk_simulator.engine.loader import load_agents

  failed = False
  for outcome in load_agents(config.agents):
    if isinstance(outcome, AgentLoadFailure):
      failed = True
      click.echo(f"✗ {outcome.config.name}: {outcome.error}")
    else:
      tools = f"{outcome.tool_count} tool" + ("" if outcome.tool_count == 1 else "s")
      click.echo(f"✓ {outcome.config.name}: {tools} → {outcome.config.eval_set_path}")
  if failed:
    sys.exit(EXIT_FAILED)


@main.command("play")
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
@session_uri_option
def play(
  script_path: Path,
  config_path: Path | None,
  agent_name: str | None,
  eval_set: Path | None,
  no_export: bool,
  session_service_uri: str | None,
) -> None:
  """Play a scripted session (JSON or YAML) and export it as a golden trace."""
  from adk_simulator.engine.script import ScriptError
  from adk_simulator.engine.script import load_script

  try:
    script = load_script(script_path)
  except ScriptError as error:
    fail(str(error), EXIT_BAD_INPUT)
  config = load_workspace_config(config_path, None, session_service_uri)
  from adk_simulator.engine.config import ConfigError

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
  from adk_simulator.engine.evalset_file import EvalSetFileError
  from adk_simulator.engine.loader import AgentLoadFailure
  from adk_simulator.engine.script import ScriptError
  from adk_simulator.engine.script import ScriptPlayer
  from adk_simulator.engine.workspace import Workspace

  workspace = Workspace(config)
  loaded = workspace.load_agent(agent_config)
  if isinstance(loaded, AgentLoadFailure):
    click.echo(f"adk-sim: agent {agent_config.name!r} failed to load: {loaded.error}", err=True)
    return EXIT_FAILED
  from adk_simulator.engine.storage import StorageError

  try:
    simulation = workspace.new_simulation()
  except StorageError as error:
    click.echo(f"adk-sim: {error}", err=True)
    return EXIT_BAD_INPUT
  await simulation.select_agent(loaded)
  try:
    await ScriptPlayer(simulation, script, echo=click.echo).play()
  except ScriptError as error:
    click.echo(f"adk-sim: {error}", err=True)
    click.echo("adk-sim: nothing was exported", err=True)
    await simulation.abandon()
    return EXIT_FAILED
  if no_export:
    click.echo(f"session {simulation.session_id} (not exported: --no-export)")
    return 0
  try:
    result = await simulation.export(eval_set_path=eval_set)
  except EvalSetFileError as error:
    click.echo(f"adk-sim: {error}", err=True)
    click.echo(f"adk-sim: the session is kept in the store as {simulation.session_id}", err=True)
    return EXIT_FAILED
  for warning in result.warnings:
    click.echo(f"warning: {warning}", err=True)
  click.echo(f"eval set: {result.path} ({result.case_count} cases)")
  click.echo(f"eval_id: {result.eval_id}")
  return 0


@main.command("validate")
@click.argument("eval_set_path", metavar="EVALSET", type=click.Path(path_type=Path, dir_okay=False))
def validate(eval_set_path: Path) -> None:
  """Check an eval set file with ADK's EvalSet model."""
  from adk_simulator.engine.evalset_file import EvalSetFileError
  from adk_simulator.engine.evalset_file import validate_eval_set

  try:
    summary = validate_eval_set(eval_set_path)
  except EvalSetFileError as error:
    fail(str(error), EXIT_FAILED)
  click.echo(
    f"{eval_set_path}: valid EvalSet {summary.eval_set_id!r} with {summary.case_count} cases"
  )


def _register_subcommands() -> None:
  # The sessions and replay commands live in their own module; importing it
  # attaches them to `main`.
  from adk_simulator import cli_sessions  # noqa: F401


_register_subcommands()
