"""What every `adk-sim` command shares: exit codes, failing, the config and its options."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NoReturn

import click

if TYPE_CHECKING:
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatorConfig
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.workspace import Workspace

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int) -> NoReturn:
  click.echo(f"adk-sim: {message}", err=True)
  sys.exit(code)


def load_workspace_config(
  config: Path | None, agents_dir: Path | None, session_service_uri: str | None
) -> SimulatorConfig:
  """Finds the config the way every command does; exits 2 with the reason."""
  from adk_simulator.engine.config.files import config_from_agents_dir
  from adk_simulator.engine.config.files import load_config
  from adk_simulator.engine.config.model import ConfigError

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


def open_store(
  config_path: Path | None, session_service_uri: str | None
) -> tuple[Workspace, SessionStore]:
  """The workspace and its session store, with every agent that loads."""
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.store.services import StorageError
  from adk_simulator.engine.store.sessions import SessionStore
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


@contextmanager
def command_loop(workspace: Workspace) -> Iterator[asyncio.Runner]:
  """The one event loop of a command; the workspace closes on it when the command ends.

  Every await of the command goes through `runner.run(...)`: a SQLAlchemy
  store pools connections that belong to the loop that opened them, so a
  second loop (a second `asyncio.run`) could not use them.
  """
  with asyncio.Runner() as runner:
    try:
      yield runner
    finally:
      runner.run(workspace.close())


def when(timestamp: float) -> str:
  return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
