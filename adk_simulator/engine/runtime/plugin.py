"""The plugin that watches a simulated session on the real ADK runner.

The person answers model calls through the `HumanModel` stand-in (see
`seat`), so the agent's own model callbacks run around them. The plugin
observes the rest: it times each tool call, turns an exception into the error
response the model sees, stores its notes with the function-response event,
and collects the events of AgentTool inner runs, which ADK keeps in a child
session of their own, so they reach the record with the call they belong to.
"""

from __future__ import annotations

import asyncio
import inspect
import warnings
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

import pydantic_core
from google.adk.plugins.base_plugin import BasePlugin

from adk_simulator.engine import adk
from adk_simulator.engine.record.notes import CallNote
from adk_simulator.engine.record.notes import InnerRun
from adk_simulator.engine.record.notes import TurnNote
from adk_simulator.engine.record.notes import notes_of
from adk_simulator.engine.record.notes import write_notes
from adk_simulator.engine.runtime.responses import non_finite_paths
from adk_simulator.engine.runtime.seat import enclosing_calls
from adk_simulator.engine.runtime.turns import ToolResultError
from adk_simulator.engine.runtime.turns import error_type

if TYPE_CHECKING:
  from google.adk.agents.invocation_context import InvocationContext
  from google.adk.artifacts.base_artifact_service import BaseArtifactService
  from google.adk.events.event import Event
  from google.adk.runners import Runner
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.tools.base_tool import BaseTool
  from google.adk.tools.tool_context import ToolContext

  from adk_simulator.engine.agents.loader import LoadedAgent

PLUGIN_NAME = "adk_simulator_human_model"


class HumanSeat(Protocol):
  """What the plugin needs from the engine."""

  def tool_started(
    self, call_id: str, tool_name: str, args: dict[str, Any], agent: str, *, on_thread: bool
  ) -> None: ...

  def tool_finished(
    self, call_id: str, *, error: BaseException | None, result: Any = None
  ) -> CallNote:
    """Records the end of a call (its result, or its error) and returns its notes."""
    ...

  def call_notes(self, call_id: str) -> CallNote | None: ...

  def answered_step(self, agent_name: str, within_call: str | None) -> int | None:
    """The step the person answered for this agent's model call, once."""
    ...

  def inner_event(self, call_id: str, event: Event) -> None:
    """An event of the inner run of tool call `call_id` (an AgentTool's child session)."""
    ...

  def inner_run(self, call_id: str) -> InnerRun | None:
    """The inner run of `call_id`, once, when its function response is stored."""
    ...


def error_response(error: BaseException) -> dict[str, Any]:
  """The function response the model sees for a failed call."""
  return {"error": {"type": error_type(error), "message": str(error)}}


class HumanModelPlugin(BasePlugin):
  """Reports tool calls and events to a `HumanSeat`."""

  def __init__(self, seat: HumanSeat) -> None:
    super().__init__(name=PLUGIN_NAME)
    self.seat = seat

  async def before_tool_callback(
    self, *, tool: BaseTool, tool_args: dict[str, Any], tool_context: ToolContext
  ) -> dict | None:
    call_id = tool_context.function_call_id or ""
    func = getattr(tool, "func", None)
    on_thread = callable(func) and not (
      inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)
    )
    self.seat.tool_started(
      call_id, tool.name, dict(tool_args), tool_context.agent_name, on_thread=on_thread
    )
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
    note = self.seat.tool_finished(call_id, error=None, result=result)
    note.non_finite = non_finite_paths(result)
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
    agent = adk.invocation_context(tool_context).agent
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
    """Writes the simulator's notes on the event, and collects inner-run events.

    The ADK session is the record, so what the history shows about a model
    turn (the person's step) and a call (its duration, its traceback, whether
    it was cancelled, an AgentTool's inner run) travels with the event into
    storage. An event of an AgentTool's inner run, which ADK stores only in
    the child session, goes to the seat with the call it belongs to.
    """
    if event.partial or not event.content or not event.content.parts:
      return None
    within = enclosing_calls()
    notes = notes_of(event)
    changed = False
    parts = event.content.parts
    responses = [p.function_response for p in parts if p.function_response is not None]
    if not responses and event.author != "user" and notes.turn is None:
      step = self.seat.answered_step(event.author or "", within[-1] if within else None)
      if step is not None:
        notes.turn = TurnNote(step=step)
        changed = True
    for response in responses:
      if not response.id:
        continue
      note = self.seat.call_notes(response.id)
      run = self.seat.inner_run(response.id)
      if run is not None:
        note = (note or CallNote()).model_copy(update={"inner_run": run})
      if note is not None:
        notes.calls[response.id] = note
        changed = True
    if changed:
      write_notes(event, notes)
    if within:
      self.seat.inner_event(within[-1], event)
    return event if changed else None


def seat_human(
  agent: LoadedAgent,
  seat: HumanSeat,
  session_service: BaseSessionService,
  *,
  resumable: bool = False,
  artifact_service: BaseArtifactService | None = None,
) -> Runner:
  """A real ADK `Runner` for `agent`, with the person in the model's seat.

  Args:
    agent: The loaded agent; when its code defines an `App`, that App is used
      with its plugins kept and ours added last.
    seat: Where model calls and tool events go (the engine).
    session_service: Where the session is stored.
    resumable: Turn on ADK's resumability (when the App does not set it), to
      pick up an interrupted invocation.
    artifact_service: Where artifacts are kept; the runners of one session
      share it. A new in-memory one when not given.
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
    artifact_service=artifact_service or InMemoryArtifactService(),
    memory_service=InMemoryMemoryService(),
  )
