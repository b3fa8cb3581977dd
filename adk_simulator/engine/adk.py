"""Every touch of ADK internals, in one place.

ADK Simulator runs agents on the real ADK runtime and mostly uses its public
API. Where it cannot, the private name it needs is reached from here and only
here, so an ADK upgrade that moves one fails in one place:
`tests/engine/test_adk_contract.py` checks every name below exists with the
shape this module expects.

- The invocation behind a callback or tool context (public since ADK 2.13 as
  `Context.get_invocation_context()`).
- The CLI's agent loader, dotenv loading and session service factory, so
  agents and stores load exactly as `adk web` loads them.
- `events._internal_metadata.public_session`, so an exported session file is
  what `adk run --save_session` writes.
- `cli.agent_test_runner._normalize_ids`, the id normalisation `adk test`
  applies to the events it runs and `adk test --rebuild` to the files it
  writes, so an exported `adk test` file is what the runner compares against.
- `events._rewind_events._apply_rewinds`, ADK's own answer to which events a
  rewound session still holds, so the history, the export and the replay read
  exactly the kept path after an undo (see `runtime/undo.py`).
- Where a stdio MCP server's stderr goes: `McpToolset` takes an `errlog`
  stream, and keeps it on its session manager (`_errlog`); a toolset the
  agent's code built is pointed at a log file from here, so a server's output
  never lands on the terminal the app draws on.
- The tool-call seam: ADK runs every (non-live) tool call through
  `flows.llm_flows.tools._caller._call_tool_async`. The engine wraps it once
  to make calls cancellable, to run synchronous tools on threads it owns, and
  to know which tool call an AgentTool's inner run belongs to. The user's tool
  objects are never touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
  from google.adk.agents.invocation_context import InvocationContext
  from google.adk.events.event import Event
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.sessions.session import Session
  from google.adk.tools.base_tool import BaseTool
  from google.adk.tools.tool_context import ToolContext

ToolCall = Callable[["BaseTool", dict[str, Any], "ToolContext"], Awaitable[Any]]
"""ADK's `_call_tool_async(tool, args, tool_context)`."""
ToolCallWrapper = Callable[[ToolCall, "BaseTool", dict[str, Any], "ToolContext"], Awaitable[Any]]
SyncCallableRunner = Callable[[Callable[..., Any], dict[str, Any]], Awaitable[Any]]


def invocation_context(context: Any) -> InvocationContext:
  """The invocation behind a `CallbackContext` or `ToolContext`."""
  return context.get_invocation_context()


def agent_loader(agents_dir: Path) -> Any:
  """ADK's CLI `AgentLoader` for a folder of agents (as `adk web` uses it)."""
  from google.adk.cli.utils.agent_loader import AgentLoader

  return AgentLoader(str(agents_dir))


def is_single_agent_directory(folder: Path) -> bool:
  from google.adk.cli.utils.agent_loader import is_single_agent_directory as check

  return bool(check(folder))


def load_dotenv_for_agent(agent_name: str, agents_dir: Path) -> None:
  """Loads the agent's `.env` the way `adk web` does, before its code reads the environment."""
  from google.adk.cli.utils.envs import load_dotenv_for_agent as load

  load(agent_name, str(agents_dir))


def session_service_from_uri(uri: str, base_dir: Path) -> BaseSessionService:
  """ADK's CLI service factory: the store `adk web --session_service_uri URI` opens."""
  from google.adk.cli.utils.service_factory import create_session_service_from_options

  return create_session_service_from_options(base_dir=base_dir, session_service_uri=uri)


def public_session(session: Session) -> Session:
  """The session without ADK's internal event metadata, as `adk run --save_session` writes it."""
  from google.adk.events._internal_metadata import public_session as strip

  return strip(session)


def normalize_test_event_ids(events: list[Any]) -> list[Any]:
  """Events with the ids `adk test` gives them: `e-1`..., call ids `fc-1`... in order.

  The runner's own function (it imports pytest, as `adk test` needs it).
  """
  from google.adk.cli.agent_test_runner import _normalize_ids

  return _normalize_ids(events)


def live_events(events: list[Event]) -> list[Event]:
  """`events` without those a rewind undid, and without the rewind events themselves.

  ADK keeps rewound events in the session and marks them undone with a later
  event (`EventActions.rewind_before_invocation_id`); its prompt building reads
  the session through this same function.
  """
  if not any(e.actions and e.actions.rewind_before_invocation_id for e in events):
    return list(events)
  from google.adk.events._rewind_events import _apply_rewinds

  return _apply_rewinds(list(events))


# --- The tool-call seam ------------------------------------------------------------

_SEAM_MARK = "__adk_simulator_seam__"


def install_tool_call_wrapper(wrapper: ToolCallWrapper) -> None:
  """Routes every tool call ADK makes through `wrapper(original, tool, args, tool_context)`.

  Installed once per process; a second call replaces the wrapper, never wraps
  twice. The wrapper decides per call whether to act (the engine acts only on
  calls of its own sessions) and otherwise awaits `original`.
  """
  from google.adk.flows.llm_flows.tools import _caller

  current = _caller._call_tool_async  # noqa: SLF001
  original: ToolCall = getattr(current, _SEAM_MARK, current)

  async def call_tool(tool: BaseTool, args: dict[str, Any], tool_context: ToolContext) -> Any:
    return await wrapper(original, tool, args, tool_context)

  setattr(call_tool, _SEAM_MARK, original)
  _caller._call_tool_async = call_tool  # noqa: SLF001


@contextlib.contextmanager
def sync_callables_run_by(runner: SyncCallableRunner) -> Iterator[None]:
  """Within the block, ADK runs a synchronous tool function with `runner(func, kwargs)`.

  ADK otherwise uses its tool thread pool, whose threads the process waits
  for at exit even when the call was abandoned.
  """
  from google.adk.utils._sync_runner import _use_sync_callable_runner

  with _use_sync_callable_runner(runner):
    yield


def send_server_stderr(toolset: Any, stream: Any) -> bool:
  """Points a stdio MCP toolset's server stderr at `stream` (a file with a descriptor).

  Returns False for a toolset that has no server stderr (not MCP, or ADK moved it).
  Takes effect for servers started after the call.
  """
  manager = getattr(toolset, "_mcp_session_manager", None)
  if manager is None or not hasattr(manager, "_errlog"):
    return False
  manager._errlog = stream  # noqa: SLF001 - see the module docstring
  return True
