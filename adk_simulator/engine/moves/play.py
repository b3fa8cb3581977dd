"""The person's moves, and the one loop that plays them into a `Simulation`.

A move is what the person does in a session: send the user's message, or
answer the pending model call with tool calls or a final answer. Scripts,
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


Move = UserMessage | ToolCallsTurn | FinalTurn


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
  return "respond"


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
        if simulation.phase is not Phase.AWAITING_QUERY:
          raise MoveError(index, "the agent has not answered the previous message yet")
        await simulation.submit_query(move.message, initial_state=initial_state if first else None)
        first = False
      else:
        pending = simulation.pending
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
      raise MoveError(index, f"the agent's run failed: {failed.error_type}: {failed.message}")
