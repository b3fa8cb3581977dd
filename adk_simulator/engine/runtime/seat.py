"""The seat where the person plays the model: a `BaseLlm` stand-in on every agent.

Every `LlmAgent` the simulator plays (the root, its sub-agents, the agents of
AgentTools, the children of workflow agents) gets a `HumanModel` as its
`model`. ADK then calls it exactly where it would call a real model, after the
plugins' and the agent's own `before_model_callback`s and before the
`after_model_callback`s, so every callback runs as it would in production. A
callback that answers instead of the model answers instead of the person.
This is how ADK's own `adk test` runner replays recorded turns.

The stand-in finds the session that asks through a context variable the
`Simulation` sets in its run task: agent objects are shared by every session
in the process (replays run several at once), the context is per task.

The module also owns the tool-call seam (see `adk.install_tool_call_wrapper`):
each tool call of a session runs inside a scope naming the call, so an
AgentTool's inner run knows which call it belongs to, the person can cancel
the call, and synchronous tools run on daemon threads the engine owns.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import AsyncGenerator
from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from google.adk.agents.llm_agent import LlmAgent
from google.adk.models.base_llm import BaseLlm

from adk_simulator.engine import adk
from adk_simulator.engine.runtime.turns import ToolCancelledError
from adk_simulator.engine.runtime.turns import ToolExitError
from adk_simulator.engine.runtime.turns import ToolTimeoutError
from adk_simulator.engine.threads import on_daemon_thread

if TYPE_CHECKING:
  from google.adk.agents.base_agent import BaseAgent
  from google.adk.models.llm_request import LlmRequest
  from google.adk.models.llm_response import LlmResponse
  from google.adk.tools.base_tool import BaseTool
  from google.adk.tools.tool_context import ToolContext


class Seat(Protocol):
  """What the stand-in model and the tool seam need from a session."""

  async def ask_human(
    self, agent_name: str, llm_request: LlmRequest, within_call: str | None
  ) -> LlmResponse: ...

  def cancel_signal(self, call_id: str) -> asyncio.Future[None] | None: ...

  @property
  def tool_timeout(self) -> float | None: ...


_SEAT: contextvars.ContextVar[Seat | None] = contextvars.ContextVar(
  "adk_simulator_seat", default=None
)
_WITHIN: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
  "adk_simulator_within_calls", default=()
)


def take_seat(seat: Seat) -> None:
  """Seats `seat` for the current task (and the tasks it starts)."""
  _SEAT.set(seat)
  adk.install_tool_call_wrapper(_call_tool)


def current_seat() -> Seat | None:
  return _SEAT.get()


def enclosing_calls() -> tuple[str, ...]:
  """The ids of the tool calls whose inner run this code is part of, outermost first."""
  return _WITHIN.get()


class NoPersonError(RuntimeError):
  """A played agent's model was called outside a simulated session."""


class HumanModel(BaseLlm):
  """The model of an agent the person plays.

  `model` keeps the agent's original model name: tools such as `google_search`
  check it. `agent_name` says which agent asks.
  """

  agent_name: str = ""

  async def generate_content_async(
    self, llm_request: LlmRequest, stream: bool = False
  ) -> AsyncGenerator[LlmResponse, None]:
    seat = _SEAT.get()
    if seat is None:
      raise NoPersonError(
        f"agent {self.agent_name!r} is played by a person in ADK Simulator, and no simulated"
        " session is asking; run it through a Simulation"
      )
    calls = _WITHIN.get()
    yield await seat.ask_human(self.agent_name, llm_request, calls[-1] if calls else None)


def played_agents(root: BaseAgent) -> dict[str, LlmAgent]:
  """Every LlmAgent under `root`, by name: sub-agents, workflow children, AgentTool agents."""
  found: dict[str, LlmAgent] = {}
  stack: list[BaseAgent] = [root]
  while stack:
    agent = stack.pop()
    if isinstance(agent, LlmAgent):
      if agent.name in found:
        continue
      found[agent.name] = agent
      for tool in agent.tools:
        inner = getattr(tool, "agent", None)
        if inner is not None and hasattr(inner, "sub_agents"):
          stack.append(inner)
    stack.extend(reversed(agent.sub_agents))
  return found


def seat_person(root: BaseAgent) -> dict[str, LlmAgent]:
  """Gives every agent under `root` a `HumanModel`, keeping its model's name. Idempotent."""
  agents = played_agents(root)
  names = {name: _model_name(agent) for name, agent in agents.items()}
  for name, agent in agents.items():
    if not isinstance(agent.model, HumanModel):
      agent.model = HumanModel(model=names[name], agent_name=name)
  return agents


def _model_name(agent: LlmAgent) -> str:
  current: BaseAgent | None = agent
  while current is not None:
    model = getattr(current, "model", None)
    if isinstance(model, BaseLlm):
      return model.model
    if isinstance(model, str) and model:
      return model
    current = current.parent_agent
  return LlmAgent.DEFAULT_MODEL


# --- The tool-call seam -------------------------------------------------------------


async def _call_tool(
  original: adk.ToolCall, tool: BaseTool, args: dict[str, Any], tool_context: ToolContext
) -> Any:
  seat = _SEAT.get()
  if seat is None:
    return await original(tool, args, tool_context)
  call_id = tool_context.function_call_id or ""
  token = _WITHIN.set((*_WITHIN.get(), call_id))
  try:
    with adk.sync_callables_run_by(_run_on_own_thread):
      work = _contained(original(tool, args, tool_context))
      return await _cancellable(seat.cancel_signal(call_id), work, seat.tool_timeout)
  finally:
    _WITHIN.reset(token)


async def _contained(work: Awaitable[Any]) -> Any:
  """Awaits a tool call; what would end the process (`SystemExit`, `KeyboardInterrupt`,
  ...) ends the call instead, as a `ToolExitError`.

  Converted here, inside the call's own coroutine: raised out of an asyncio
  task, those exceptions would stop the event loop, and with it the app.
  """
  try:
    return await work
  except (asyncio.CancelledError, GeneratorExit):
    raise
  except Exception:
    raise
  except BaseException as raised:
    raise ToolExitError(raised) from None


async def _cancellable(
  signal: asyncio.Future[None] | None, work: Awaitable[Any], timeout: float | None = None
) -> Any:
  """Runs `work`; ends it with `ToolCancelledError` when `signal` fires first, or with
  `ToolTimeoutError` when it runs past `timeout` seconds."""
  if signal is None and timeout is None:
    return await work
  started = time.monotonic()
  call = asyncio.ensure_future(work)
  waits: set[asyncio.Future[Any]] = {call} if signal is None else {call, signal}
  try:
    await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
  except asyncio.CancelledError:
    call.cancel()
    raise
  if call.done():
    return call.result()
  call.cancel()
  call.add_done_callback(_drop_outcome)
  took = time.monotonic() - started
  if signal is not None and signal.done():
    raise ToolCancelledError(f"cancelled by the user after {took:.1f} s")
  raise ToolTimeoutError(f"ran past the tool timeout of {timeout:g} s and was cancelled")


def _drop_outcome(task: asyncio.Future[Any]) -> None:
  if not task.cancelled():
    task.exception()


async def _run_on_own_thread(target: Callable[..., Any], call_args: dict[str, Any]) -> Any:
  """Runs a synchronous tool function on a daemon thread (see `threads`).

  A cancelled call's thread cannot be stopped; as a daemon it neither blocks
  the event loop nor holds up the exit, and its late result is dropped.
  """
  return await on_daemon_thread(
    lambda: target(**call_args), name="adk-simulator-tool", contain=ToolExitError
  )
