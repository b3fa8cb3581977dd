"""What every `adk-sim` command shares: exit codes, failing, the config and its options."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
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
  from adk_simulator.engine.store.sessions import StoredSession
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
    store = workspace.session_store(agents)
  except StorageError as error:
    fail(str(error), EXIT_BAD_INPUT)
  return workspace, store


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


def find_session(loop: asyncio.Runner, store: SessionStore, session_id: str) -> StoredSession:
  """The stored session `session_id`, read on the command's loop; exit 1 if there is none."""
  from adk_simulator.engine.store.sessions import SessionNotFoundError

  try:
    return loop.run(store.find(session_id))
  except SessionNotFoundError as error:
    fail(str(error), EXIT_FAILED)


def when(timestamp: float) -> str:
  return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


tool_timeout_option = click.option(
  "--tool-timeout",
  "tool_timeout",
  type=click.FloatRange(min=0, min_open=True),
  metavar="SECONDS",
  help="Cancel a tool call that runs longer, as an error the model sees; the session goes on"
  " (overrides the config's tool_timeout).",
)


def with_tool_timeout(config: SimulatorConfig, seconds: float | None) -> SimulatorConfig:
  return config.model_copy(update={"tool_timeout": seconds}) if seconds else config


class Interruption:
  """SIGINT or SIGTERM during a headless command: the running task is cancelled.

  The command catches the `CancelledError`, keeps what is stored, says so in
  one line and exits `128 + signal` (130, 143). A second signal exits at once.
  """

  def __init__(self) -> None:
    self.signal: signal.Signals | None = None

  @property
  def exit_code(self) -> int:
    return 128 + int(self.signal or signal.SIGINT)

  @property
  def name(self) -> str:
    return (self.signal or signal.SIGINT).name

  @contextlib.contextmanager
  def watching(self) -> Iterator[None]:
    """Within a running task: a signal cancels that task."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def received(which: signal.Signals) -> None:
      if self.signal is not None:
        os._exit(128 + int(which))  # a second signal: stop now
      self.signal = which
      task.cancel()

    watched = []
    for which in (signal.SIGINT, signal.SIGTERM):
      try:
        loop.add_signal_handler(which, received, which)
        watched.append(which)
      except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        pass
    try:
      yield
    finally:
      for which in watched:
        loop.remove_signal_handler(which)


def exit_without_waiting(code: int | str | None) -> None:
  """Ends the process with `code`, without waiting for threads a tool left running.

  The interpreter joins non-daemon threads at exit, so a tool's leftover
  thread would hold the command open. Output is flushed first. For the
  console script only: in-process callers (tests) get the `SystemExit`.
  """
  leftover = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
  if not leftover:
    sys.exit(code)
  if isinstance(code, str):
    click.echo(code, err=True)
    code = 1
  sys.stdout.flush()
  sys.stderr.flush()
  os._exit(code or 0)
