"""The `adk-sim` command line: the group, and every command registered explicitly.

`adk-sim` (or `adk-sim AGENTS_DIR`) opens the app; the subcommands script and
check sessions without it. Exit codes: 0 success, 1 a failure while running
(an invalid call, a failed run, an invalid eval set), 2 bad input (config,
script, arguments).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from adk_simulator.cli.common import EXIT_BAD_INPUT
from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import config_option
from adk_simulator.cli.common import exit_without_waiting
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import load_workspace_config
from adk_simulator.cli.common import session_uri_option
from adk_simulator.cli.evalset import evalset
from adk_simulator.cli.export import export
from adk_simulator.cli.play import play
from adk_simulator.cli.play import validate
from adk_simulator.cli.replay import replay
from adk_simulator.cli.sessions import sessions


class _DefaultToOpen(click.Group):
  """`adk-sim` and `adk-sim AGENTS_DIR` mean `adk-sim open ...`."""

  def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
    flags = 0
    while flags < len(args) and args[flags] == "--verbose":
      flags += 1
    rest = args[flags:]
    if not rest or (rest[0] not in self.commands and rest[0] not in ("--help", "-h", "--version")):
      args = [*args[:flags], "open", *rest]
    return super().parse_args(ctx, args)


@click.group(cls=_DefaultToOpen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="adk-simulator")
@click.option(
  "--verbose", is_flag=True, help="Also print the log of ADK and the simulator (to stderr)."
)
def main(verbose: bool) -> None:
  """ADK Simulator: play the model of a Google ADK agent, export golden traces.

  With no command, opens the app on the agents of the config in the current
  folder, or on every agent folder inside AGENTS_DIR.
  """
  quiet_unless(verbose)


def quiet_unless(verbose: bool) -> None:
  """Only the commands' own lines reach stderr, unless `verbose`.

  ADK logs warnings on every model call of a stand-in model ("Skipping missing
  token usage metadata") and after a cancelled run; its experimental features
  warn on use. Each command says what matters in its own words.
  """
  import logging
  import warnings

  if verbose:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return
  logging.getLogger().addHandler(logging.NullHandler())  # no last-resort printing
  warnings.simplefilter("ignore")


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
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.agents.loader import load_agents

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


for command in (play, validate, sessions, replay, export, evalset):
  main.add_command(command)


def run() -> None:
  """The `adk-sim` console script: the command line, then an exit no leftover thread holds up."""
  try:
    main()
  except SystemExit as exit_:
    exit_without_waiting(exit_.code)
