"""Toolsets at load time: list their tools once, name a server that fails, close them.

A toolset (an `McpToolset` over a stdio server, an HTTP server, any
`BaseToolset`) gives its tools only when asked, and ADK asks on every model
request. A server that cannot start would show only as a logged traceback and
a request offering no tools. So the loader asks each toolset of every agent
the simulator plays for its tools once, on a private event loop, bounded by
`TOOLSET_LOAD_TIMEOUT_SECONDS`, and a toolset that fails makes the agent fail
to load with the server and the reason. The connections opened to list the
tools are closed on that loop before it ends; the ones a session opens later
(on the loop it plays on) are closed by `close_toolsets`.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import threading
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import TextIO
from typing import TypeVar

if TYPE_CHECKING:
  from google.adk.agents.base_agent import BaseAgent
  from google.adk.tools.base_toolset import BaseToolset

logger = logging.getLogger(__name__)

TOOLSET_LOAD_TIMEOUT_SECONDS = 30.0
"""How long listing one toolset's tools may take before the agent fails to load
(a server that starts but never answers). ADK's own connection timeout
(`StdioConnectionParams.timeout`, 5 s by default) usually ends it sooner."""

TOOLSET_CLOSE_TIMEOUT_SECONDS = 10.0
"""How long closing one toolset (ending its server) may take before it is left."""

_T = TypeVar("_T")


def route_server_stderr(root: BaseAgent, log_path: Path) -> TextIO | None:
  """Sends the stderr of every stdio MCP server under `root` to `log_path` (appended).

  A server's log lines would otherwise land on the terminal the app draws on.
  Returns the open log, or None when no toolset has a server stderr.
  """
  from adk_simulator.engine import adk

  toolsets = [toolset for _, toolset in toolsets_of(root)]
  if not toolsets:
    return None
  log_path.parent.mkdir(parents=True, exist_ok=True)
  log = log_path.open("a", encoding="utf-8", buffering=1)
  routed = [adk.send_server_stderr(toolset, log) for toolset in toolsets]
  if not any(routed):
    log.close()
    return None
  return log


def last_words(log_path: Path, since: int, *, lines: int = 3) -> str:
  """The last distinct non-empty lines written to `log_path` after byte `since`, joined."""
  try:
    with log_path.open("rb") as log:
      log.seek(since)
      text = log.read().decode("utf-8", errors="replace")
  except OSError:
    return ""
  # ADK retries a failed start once: the same words twice are said once.
  said = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
  return " | ".join(said[-lines:])


class ToolsetLoadError(Exception):
  """A toolset could not list its tools; the message names the server and the reason."""


def toolsets_of(root: BaseAgent) -> list[tuple[str, BaseToolset]]:
  """Every toolset of every agent the simulator plays under `root`, with the agent's name."""
  from google.adk.tools.base_toolset import BaseToolset

  from adk_simulator.engine.runtime.seat import played_agents

  found: list[tuple[str, BaseToolset]] = []
  seen: set[int] = set()
  for name, agent in played_agents(root).items():
    for tool in agent.tools:
      if isinstance(tool, BaseToolset) and id(tool) not in seen:
        seen.add(id(tool))
        found.append((name, tool))
  return found


def count_root_tools(root: BaseAgent, *, timeout: float | None = None) -> int:
  """Lists every toolset under `root` once and returns how many tools the root offers.

  Blocking, from any thread (it runs its own event loop on a thread of its
  own, so a caller already inside an event loop may call it too). The
  connections it opens are closed before it returns.

  Args:
    root: The agent loaded.
    timeout: Seconds each toolset may take; `TOOLSET_LOAD_TIMEOUT_SECONDS` by default.

  Raises:
    ToolsetLoadError: A toolset failed to list its tools, or took longer than
      `timeout` seconds.
  """
  from google.adk.agents.llm_agent import LlmAgent
  from google.adk.tools.base_toolset import BaseToolset

  own = list(root.tools) if isinstance(root, LlmAgent) else []
  toolsets = toolsets_of(root)
  if not toolsets:
    return len(own)
  bound = TOOLSET_LOAD_TIMEOUT_SECONDS if timeout is None else timeout
  listed = _run_on_private_loop(lambda: _list_all(root.name, toolsets, bound), timeout=bound)
  return sum(listed[id(tool)] if isinstance(tool, BaseToolset) else 1 for tool in own)


async def close_toolsets(roots: list[BaseAgent]) -> None:
  """Closes every toolset under `roots` (MCP sessions, server processes) on this loop.

  Call it on the loop the sessions played on, when the app or command ends.
  A toolset that takes longer than `TOOLSET_CLOSE_TIMEOUT_SECONDS` is left.
  """
  seen: set[int] = set()
  for root in roots:
    for _, toolset in toolsets_of(root):
      if id(toolset) not in seen:
        seen.add(id(toolset))
        await _close(toolset)


async def _list_all(
  root_name: str, toolsets: list[tuple[str, BaseToolset]], timeout: float
) -> dict[int, int]:
  counts: dict[int, int] = {}
  try:
    for agent_name, toolset in toolsets:
      try:
        tools = await asyncio.wait_for(toolset.get_tools(), timeout=timeout)
      except Exception as error:  # a TimeoutError too
        whose = "" if agent_name == root_name else f" (of the agent {agent_name})"
        raise ToolsetLoadError(_failure(whose, toolset, error, timeout)) from error
      counts[id(toolset)] = len(tools)
  finally:
    for _, toolset in toolsets:
      await _close(toolset)
  return counts


async def _close(toolset: BaseToolset) -> None:
  try:
    await asyncio.wait_for(toolset.close(), timeout=TOOLSET_CLOSE_TIMEOUT_SECONDS)
  except Exception:  # closing must not stop the others, nor the exit (a TimeoutError too)
    logger.warning("could not close %s", _server(toolset), exc_info=True)


def _run_on_private_loop(make: Callable[[], Awaitable[_T]], *, timeout: float) -> _T:
  """Runs `make()` with `asyncio.run` on a daemon thread; waits a bounded time."""
  outcome: list[Any] = []

  def run() -> None:
    async def main() -> _T:
      return await make()

    try:
      outcome.append(("ok", asyncio.run(main())))
    except BaseException as error:  # carried to the caller's thread
      outcome.append(("error", error))

  thread = threading.Thread(target=run, name="adk-simulator-toolsets", daemon=True)
  thread.start()
  # Each toolset is bounded by `timeout` already; this bounds a toolset that
  # ignores cancellation, and its closing.
  thread.join(timeout + TOOLSET_CLOSE_TIMEOUT_SECONDS + 5)
  if not outcome:
    raise ToolsetLoadError(
      f"listing the toolsets' tools did not finish within {timeout:g} s (a server that"
      " hangs and ignores cancellation)"
    )
  kind, value = outcome[0]
  if kind == "error":
    raise value
  return value


def _server(toolset: BaseToolset) -> str:
  """What a toolset connects to, as a person would type or read it."""
  params = getattr(toolset, "connection_params", None)
  server = getattr(params, "server_params", params)  # StdioConnectionParams wraps them
  command = getattr(server, "command", None)
  if isinstance(command, str):
    args = [str(arg) for arg in getattr(server, "args", None) or []]
    return f"MCP server `{shlex.join([command, *args])}`"
  url = getattr(params, "url", None)
  if isinstance(url, str):
    return f"MCP server at {url}"
  return f"toolset {type(toolset).__name__}"


def _failure(whose: str, toolset: BaseToolset, error: BaseException, timeout: float) -> str:
  if isinstance(error, TimeoutError):
    reason = f"no tools listed within {timeout:g} s (the server started but does not answer)"
  else:
    reason = _reason(error)
  return f"{_server(toolset)}{whose} failed to start: {reason}"


def _reason(error: BaseException) -> str:
  """The innermost cause of a toolset failure, in words.

  ADK wraps the real cause in `ConnectionError`s ("Failed to create MCP
  session: ...") and the MCP client in exception groups.
  """
  innermost = _innermost(error)
  if isinstance(innermost, FileNotFoundError):
    missing = innermost.filename or "the command"
    return f"command not found: {missing}"
  text = str(innermost).strip() or type(innermost).__name__
  # How a server that is gone shows depends on when the client notices: a
  # closed stream, a broken pipe while writing to it, a reset.
  gone = ("BrokenResourceError", "ClosedResourceError", "EndOfStream")
  if (
    text == "Connection closed"
    or isinstance(innermost, BrokenPipeError | ConnectionResetError)
    or type(innermost).__name__ in gone
  ):
    return "the server exited or closed its output before answering"
  if isinstance(innermost, (TimeoutError, asyncio.CancelledError)):
    return _last_words(error)
  return text.splitlines()[0]


def _innermost(error: BaseException) -> BaseException:
  """The root cause: through causes, contexts and every branch of exception groups.

  Of several leaves, the first that is not a cancellation or a timeout (those
  follow from the real failure), else the first.
  """
  leaves: list[BaseException] = []
  pending: list[tuple[BaseException, int]] = [(error, 0)]
  while pending and len(leaves) < 32:  # a cycle in a chain must not hang the load
    current, depth = pending.pop(0)
    if depth > 32:
      leaves.append(current)
    elif isinstance(current, BaseExceptionGroup) and current.exceptions:
      pending[0:0] = [(inner, depth + 1) for inner in current.exceptions]
    elif current.__cause__ is not None:
      pending.insert(0, (current.__cause__, depth + 1))
    elif current.__context__ is not None and not current.__suppress_context__:
      pending.insert(0, (current.__context__, depth + 1))
    else:
      leaves.append(current)
  real = [e for e in leaves if not isinstance(e, TimeoutError | asyncio.CancelledError)]
  return (real or leaves or [error])[0]


def _last_words(error: BaseException) -> str:
  """The message of the deepest error in the chain that has one ("timed out after 5s ...")."""
  text = ""
  current: BaseException | None = error
  for _ in range(32):
    if current is None:
      break
    own = str(current).strip()
    if own:
      text = own
    current = current.__cause__
  prefix = "Failed to create MCP session: "
  while text.startswith(prefix):
    text = text[len(prefix) :]
  return text.splitlines()[0] if text else "timed out"
