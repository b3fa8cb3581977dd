"""The plugin that seats a person in the model's chair on the real ADK runner.

`before_model_callback` returning an `LlmResponse` short-circuits the model
call, so no model is built and no API key is needed: the callback awaits the
human's decision and returns it. The tool callbacks time each call, turn
exceptions into the error response the model sees, and make a running call
cancellable.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

import pydantic_core
from google.adk.plugins.base_plugin import BasePlugin

from adk_simulator.engine.turns import ToolCancelledError
from adk_simulator.engine.turns import ToolResultError

if TYPE_CHECKING:
  from google.adk.agents.callback_context import CallbackContext
  from google.adk.agents.invocation_context import InvocationContext
  from google.adk.events.event import Event
  from google.adk.models.llm_request import LlmRequest
  from google.adk.models.llm_response import LlmResponse
  from google.adk.runners import Runner
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.tools.base_tool import BaseTool
  from google.adk.tools.tool_context import ToolContext

  from adk_simulator.engine.loader import LoadedAgent

PLUGIN_NAME = "adk_simulator_human_model"


class HumanSeat(Protocol):
  """What the plugin needs from the engine."""

  async def ask_human(
    self, callback_context: CallbackContext, llm_request: LlmRequest
  ) -> LlmResponse: ...

  def tool_started(
    self, call_id: str, tool_name: str, args: dict[str, Any], agent: str
  ) -> None: ...

  def tool_finished(self, call_id: str, *, error: BaseException | None) -> dict[str, Any]:
    """Records the end of a call and returns its notes (duration, error details)."""
    ...

  def cancel_signal(self, call_id: str) -> asyncio.Future[None] | None: ...

  def call_notes(self, call_id: str) -> dict[str, Any] | None: ...


def error_response(error: BaseException) -> dict[str, Any]:
  """The function response the model sees for a failed call."""
  return {"error": {"type": type(error).__name__, "message": str(error)}}


class HumanModelPlugin(BasePlugin):
  """Routes every model call to a person through a `HumanSeat`."""

  def __init__(self, seat: HumanSeat) -> None:
    super().__init__(name=PLUGIN_NAME)
    self.seat = seat

  async def before_model_callback(
    self, *, callback_context: CallbackContext, llm_request: LlmRequest
  ) -> LlmResponse | None:
    return await self.seat.ask_human(callback_context, llm_request)

  async def before_tool_callback(
    self, *, tool: BaseTool, tool_args: dict[str, Any], tool_context: ToolContext
  ) -> dict | None:
    call_id = tool_context.function_call_id or ""
    _make_cancellable(tool)
    self.seat.tool_started(call_id, tool.name, dict(tool_args), tool_context.agent_name)
    return None

  async def after_tool_callback(
    self,
    *,
    tool: BaseTool,
    tool_args: dict[str, Any],
    tool_context: ToolContext,
    result: dict,
  ) -> dict | None:
    call_id = tool_context.function_call_id or ""
    try:
      pydantic_core.to_json(result)
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError) as problem:
      # The runtime would fail to store this result (and a real model could
      # not read it): show the person why, as an error, and go on.
      error = ToolResultError(
        f"{tool.name} returned a value that cannot be sent to the model as JSON ({problem});"
        " return JSON-serialisable data (dicts, lists, str, numbers, bool, None)"
      )
      self.seat.tool_finished(call_id, error=error)
      return error_response(error)
    self.seat.tool_finished(call_id, error=None)
    return None

  async def on_tool_error_callback(
    self,
    *,
    tool: BaseTool,
    tool_args: dict[str, Any],
    tool_context: ToolContext,
    error: Exception,
  ) -> dict | None:
    call_id = tool_context.function_call_id or ""
    self.seat.tool_finished(call_id, error=error)
    if isinstance(error, asyncio.CancelledError):
      # The whole invocation is being cancelled (the session was abandoned);
      # ADK never recovers such a call, so there is nothing to answer.
      return None
    # The agent's own error callbacks come after plugins in ADK's order, and
    # a plugin answer would skip them: run them here so the model sees what
    # the agent's author decided it should.
    agent = tool_context._invocation_context.agent  # noqa: SLF001
    for callback in getattr(agent, "canonical_on_tool_error_callbacks", None) or []:
      handled = callback(tool=tool, args=tool_args, tool_context=tool_context, error=error)
      if asyncio.iscoroutine(handled):
        handled = await handled
      if handled is not None:
        return handled
    return error_response(error)

  async def on_event_callback(
    self, *, invocation_context: InvocationContext, event: Event
  ) -> Event | None:
    """Stores call timings and error details with the function-response event.

    The ADK session is the record, so what the history shows about a call
    (its duration, its traceback, whether it was cancelled) travels with the
    event into storage.
    """
    if not event.content or not event.content.parts:
      return None
    notes: dict[str, Any] = {}
    for part in event.content.parts:
      response = part.function_response
      if response is None or not response.id:
        continue
      note = self.seat.call_notes(response.id)
      if note:
        notes[response.id] = note
    if not notes:
      return None
    from adk_simulator.engine.history import METADATA_KEY

    metadata = dict(event.custom_metadata or {})
    ours = dict(metadata.get(METADATA_KEY) or {})
    ours["calls"] = {**ours.get("calls", {}), **notes}
    metadata[METADATA_KEY] = ours
    event.custom_metadata = metadata
    return event


# --- Cancellation -------------------------------------------------------------
#
# ADK treats a cancelled tool call as the end of the invocation: the
# CancelledError propagates even if a callback answers it. The product needs
# more: the human stops a stuck call and the session goes on, with the model
# seeing an error. So the call itself must end with an ordinary exception.
# Right before a tool runs, `_make_cancellable` gives the tool object a
# subclass of its own class whose `run_async` races the real call against the
# engine's cancel signal. Name, declaration, callbacks and `isinstance` checks
# are unchanged. A synchronous tool's worker thread cannot be stopped: it is
# abandoned, finishes in the background, and its result is dropped.

_CANCELLABLE: dict[type, type] = {}


def _make_cancellable(tool: Any) -> bool:
  cls = type(tool)
  if getattr(cls, "_adk_simulator_cancellable", False):
    return True
  sub = _CANCELLABLE.get(cls)
  if sub is None:
    sub = _cancellable_subclass(cls)
    _CANCELLABLE[cls] = sub
  try:
    tool.__class__ = sub
  except TypeError:
    return False
  return True


def _cancellable_subclass(cls: type) -> type:
  original = cls.run_async

  async def run_async(self: Any, *, args: dict[str, Any], tool_context: ToolContext) -> Any:
    plugin = tool_context._invocation_context.plugin_manager.get_plugin(PLUGIN_NAME)  # noqa: SLF001
    signal = None
    if isinstance(plugin, HumanModelPlugin):
      signal = plugin.seat.cancel_signal(tool_context.function_call_id or "")
    if signal is None:
      return await original(self, args=args, tool_context=tool_context)
    started = time.monotonic()
    call = asyncio.ensure_future(original(self, args=args, tool_context=tool_context))
    try:
      await asyncio.wait({call, signal}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
      call.cancel()
      raise
    if call.done():
      return call.result()
    call.cancel()
    call.add_done_callback(_drop_outcome)
    raise ToolCancelledError(
      f"cancelled by the user after {time.monotonic() - started:.1f} s;"
      " a synchronous tool's thread cannot be stopped and may still finish"
      " in the background, its result ignored"
    )

  return type(
    cls.__name__,
    (cls,),
    {
      "run_async": run_async,
      "_adk_simulator_cancellable": True,
      "__module__": cls.__module__,
      "__qualname__": cls.__qualname__,
    },
  )


def _drop_outcome(task: asyncio.Future[Any]) -> None:
  if not task.cancelled():
    task.exception()


def seat_human(
  agent: LoadedAgent,
  seat: HumanSeat,
  session_service: BaseSessionService,
  *,
  resumable: bool = False,
) -> Runner:
  """A real ADK `Runner` for `agent`, with the person in the model's seat.

  Args:
    agent: The loaded agent; when its code defines an `App`, that App is used
      with its plugins kept and ours added last.
    seat: Where model calls and tool events go (the engine).
    session_service: Where the session is stored.
    resumable: Turn on ADK's resumability (when the App does not set it), to
      pick up an interrupted invocation.
  """
  from google.adk.apps import App
  from google.adk.artifacts.in_memory_artifact_service import InMemoryArtifactService
  from google.adk.memory.in_memory_memory_service import InMemoryMemoryService
  from google.adk.runners import Runner

  plugin = HumanModelPlugin(seat)
  if agent.app is not None:
    app = agent.app.model_copy(update={"plugins": [*agent.app.plugins, plugin]})
  else:
    app = App(name=agent.app_name, root_agent=agent.root_agent, plugins=[plugin])
  if resumable and app.resumability_config is None:
    from google.adk.apps import ResumabilityConfig

    # ADK flags the config as experimental, which is no news to the person
    # resuming their own session.
    with warnings.catch_warnings():
      warnings.simplefilter("ignore")
      config = ResumabilityConfig(is_resumable=True)
    app = app.model_copy(update={"resumability_config": config})
  return Runner(
    app=app,
    session_service=session_service,
    artifact_service=InMemoryArtifactService(),
    memory_service=InMemoryMemoryService(),
  )
