"""The person's moves, and the one loop that plays them into a `Simulation`.

A move is what the person does in a session: send the user's message, answer
the pending model call with tool calls or a final answer, or, in the user's
seat again, answer a confirmation or deliver a long-running call's result. Scripts,
replays and tests all turn what they hold into moves and play them here, so
a session is driven the same way whoever drives it.

The model-call moves answer the model calls in the order the runtime asks,
inner runs included: an AgentTool call is followed by its agent's moves, then
the calling agent's next one.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from pydantic import BaseModel

from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.lines import call_text
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError

if TYPE_CHECKING:
  from adk_simulator.engine.runtime.simulation import Simulation


class UserMessage(BaseModel):
  """The user's message: text, or an object for an agent with an `input_schema`."""

  kind: Literal["user"] = "user"
  message: str | dict[str, Any]


class Confirm(BaseModel):
  """The user's answer to a confirmation request: approve or reject, maybe with a payload.

  Which request: the one waiting, or the one whose call has this `call_id`
  (the request's or the confirmed call's id), `tool` and `args`.
  """

  kind: Literal["confirm"] = "confirm"
  confirmed: bool
  payload: dict[str, Any] | None = None
  call_id: str | None = None
  tool: str | None = None
  args: dict[str, Any] | None = None


class DeliverResult(BaseModel):
  """The later result of a long-running call, delivered as the client would.

  Which call: the one of `tool` waiting, or the one with this `call_id` or
  these `args`.
  """

  kind: Literal["tool_result"] = "tool_result"
  tool: str
  response: dict[str, Any]
  call_id: str | None = None
  args: dict[str, Any] | None = None


Move = UserMessage | ToolCallsTurn | FinalTurn | Confirm | DeliverResult


def _target(index: int, move: Confirm | DeliverResult, waiting: list[Any], what: str) -> str:
  """The id of the waiting request or call `move` answers, or the reason there is none."""
  found = [
    e
    for e in waiting
    if (move.call_id is None or move.call_id in (e.call_id, getattr(e, "original_call_id", None)))
    and (move.tool is None or e.tool_name == move.tool)
    and (move.args is None or e.args == move.args)
  ]
  if not found:
    shown = "; ".join(f"{call_text(e.tool_name, e.args)} [id {e.call_id}]" for e in waiting)
    raise MoveError(index, f"no {what} fits here" + (f" (waiting: {shown})" if shown else ""))
  if any((e.tool_name, e.args) != (found[0].tool_name, found[0].args) for e in found):
    shown = "; ".join(f"{call_text(e.tool_name, e.args)} [id {e.call_id}]" for e in found)
    raise MoveError(index, f'several {what}s wait ({shown}): say which with "id" or "args"')
  return found[0].call_id  # the same call several times: the oldest first


class MoveError(Exception):
  """A move that cannot be played where it stands; the message says why.

  Attributes:
    index: The move's position (from 0) in what was played.
    refused: The engine refused the move itself (`TurnValidationError`):
      nothing ran.
  """

  def __init__(self, index: int, message: str, *, refused: bool = False) -> None:
    super().__init__(message)
    self.index = index
    self.refused = refused


def describe_move(move: Move) -> str:
  """A few words naming the move, for messages."""
  if isinstance(move, UserMessage):
    return "user"
  if isinstance(move, ToolCallsTurn):
    return ("call " if len(move.calls) == 1 else "calls ") + ", ".join(c.tool for c in move.calls)
  if isinstance(move, Confirm):
    return "confirm" if move.confirmed else "reject"
  if isinstance(move, DeliverResult):
    return f"tool_result {move.tool}"
  return "respond"


def waiting_text(simulation: Simulation) -> str:
  """What the paused session waits for, in words: "the session waits for ..."."""
  wants = []
  for entry in simulation.awaiting:
    if isinstance(entry, ConfirmationRequest):
      wants.append(f"the user to approve or reject {call_text(entry.tool_name, entry.args)}")
    else:
      wants.append(f"the result of long-running {call_text(entry.tool_name, entry.args)}")
  return "the session waits for " + "; and for ".join(wants or ["nothing"])


async def play(
  simulation: Simulation,
  moves: Iterable[Move],
  *,
  initial_state: dict[str, Any] | None = None,
  after_move: Callable[[int, Move], None] | None = None,
) -> None:
  """Plays `moves` in order into `simulation` (an agent selected).

  Args:
    simulation: Where the moves go; a user message after an answered turn
      continues the same session.
    moves: The moves.
    initial_state: The state for the session's first user turn, if not the
      configured one.
    after_move: Called after each move has run, with its index and the move.

  Raises:
    MoveError: A move does not fit (no model call waits for it, the agent has
      not answered yet, the engine refuses it) or the run failed after it.
  """
  first = simulation.session_id is None
  for index, move in enumerate(moves):
    try:
      if isinstance(move, UserMessage):
        if simulation.phase is Phase.COMPLETED:
          simulation.continue_conversation()
        if simulation.paused:
          raise MoveError(index, waiting_text(simulation))
        if simulation.phase is not Phase.AWAITING_QUERY:
          raise MoveError(index, "the agent has not answered the previous message yet")
        await simulation.submit_query(move.message, initial_state=initial_state if first else None)
        first = False
      elif isinstance(move, Confirm):
        requests = [e for e in simulation.awaiting if isinstance(e, ConfirmationRequest)]
        target = _target(index, move, requests, "confirmation request")
        await simulation.answer_confirmation(target, confirmed=move.confirmed, payload=move.payload)
      elif isinstance(move, DeliverResult):
        calls = [e for e in simulation.awaiting if isinstance(e, ToolCall)]
        target = _target(index, move, calls, f"long-running call of {move.tool}")
        await simulation.deliver_result(target, move.response)
      else:
        pending = simulation.pending
        if pending is None and simulation.paused:
          raise MoveError(index, waiting_text(simulation))
        if pending is None:
          raise MoveError(
            index, f"no model turn is expected here (the session is {simulation.phase.value})"
          )
        if move.agent is not None and move.agent != pending.agent_name:
          raise MoveError(
            index,
            f"model call {pending.step} is asked by agent {pending.agent_name!r},"
            f" where the moves expect {move.agent!r}",
          )
        await simulation.submit_turn(move)
    except TurnValidationError as error:
      raise MoveError(index, str(error), refused=True) from None
    if after_move is not None:
      after_move(index, move)
    failed = simulation.run_error
    if failed is not None:
      raise MoveError(index, f"the agent's run failed: {failed.described}")
