"""Export a simulated session as an ADK `EvalCase` (a golden trace for `adk eval`).

The ADK `Session` is the record: `GoldenTraceBuilder` reads its events and
produces one `Invocation` per user turn. `adk eval` then replays each turn's
user content against the real agent and compares

- the tool calls (`tool_trajectory_avg_score`: names and args, in order, with
  dict equality, so argument types are kept exactly as recorded), and
- the final text (`response_match_score`: ROUGE-1).

The intermediate data is an `IntermediateData(tool_uses, tool_responses,
intermediate_responses)`; ADK's metrics read it the same way as the
`InvocationEvents` form its own converter
(`EvaluationGenerator.convert_events_to_eval_invocations`) produces, and it is
the form people read and edit by hand.

Writing the case to a file is `evalset_file.EvalSetWriter`'s job; that module
imports this one, never the other way round.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

import pydantic_core
from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_case import IntermediateData
from google.adk.evaluation.eval_case import Invocation
from google.adk.evaluation.eval_case import SessionInput
from google.adk.evaluation.eval_case import get_all_tool_calls
from google.adk.evaluation.eval_case import get_all_tool_responses
from google.genai import types

from adk_simulator.engine.config import snake_case

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session


EVAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
"""What ADK's eval-set tools accept as an id; `:` and `,` also break the
`adk eval FILE.json:id1,id2` selection syntax."""

_USER = "user"
_SIMULATOR_METADATA_KEY = "adk_simulator"
"""Where the simulator notes tool errors on an event's `custom_metadata`."""


def eval_set_id_for(agent_name: str) -> str:
  """The id of an agent's eval set: `{snake_case(agent_name)}_evals`."""
  return f"{snake_case(agent_name)}_evals"


def unique_eval_id(base: str, existing_ids: Collection[str]) -> str:
  """`base`, or `base_2`, `base_3`... whichever is not taken yet."""
  if base not in existing_ids:
    return base
  n = 2
  while f"{base}_{n}" in existing_ids:
    n += 1
  return f"{base}_{n}"


def eval_id_for(agent_name: str, when: datetime, existing_ids: Collection[str] = ()) -> str:
  """`{snake_case(agent_name)}_{UTC time as 20261122T031500_123456}`, made unique."""
  stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%S_%f")
  return unique_eval_id(f"{snake_case(agent_name)}_{stamp}", existing_ids)


class NothingToExportError(ValueError):
  """The session has no user turn, so there is no case to export."""


class GoldenTraceBuilder:
  """Turns a session into an `EvalCase`: one `Invocation` per user turn.

  Args:
    session: The ADK session (its `events`, `app_name` and `user_id` are read).
    agent_name: The agent's display name; it names the eval id.
    initial_state: The state the session was created with. It becomes the
      case's `session_input.state`, so `adk eval` starts from the same state.
    now: The export time (UTC by default); it stamps the eval id and the case.
  """

  def __init__(
    self,
    session: Session,
    *,
    agent_name: str,
    initial_state: Mapping[str, Any],
    now: datetime | None = None,
  ) -> None:
    self.session = session
    self.agent_name = agent_name
    self.initial_state = copy.deepcopy(dict(initial_state))
    self.now = now or datetime.now(UTC)
    try:
      pydantic_core.to_json(self.initial_state)
    except pydantic_core.PydanticSerializationError as e:
      raise ValueError(f"the initial state cannot be stored as JSON: {e}") from e

  def eval_id(self, existing_ids: Collection[str] = ()) -> str:
    return eval_id_for(self.agent_name, self.now, existing_ids)

  def invocations(self) -> list[Invocation]:
    return [_invocation(turn) for turn in _turns(self.session.events)]

  def build(self, *, existing_ids: Collection[str] = ()) -> EvalCase:
    """The eval case. `EvalSetWriter` re-checks the id against the file under its lock.

    Raises:
      NothingToExportError: The session has no user turn.
    """
    conversation = self.invocations()
    if not conversation:
      raise NothingToExportError(
        f"session {self.session.id} has no user turn, so there is nothing to export"
      )
    return EvalCase(
      eval_id=self.eval_id(existing_ids),
      conversation=conversation,
      session_input=SessionInput(
        app_name=self.session.app_name,
        user_id=self.session.user_id,
        state=copy.deepcopy(self.initial_state),
      ),
      creation_timestamp=self.now.timestamp(),
    )

  def warnings(self) -> list[str]:
    return trace_warnings(self.session)


def trace_warnings(session: Session) -> list[str]:
  """Things in the session's trace that `adk eval` will not reproduce, with reasons.

  Reads the events only: error-shaped function responses
  (`{"error": {"type", "message"}}`), calls the simulator marked cancelled,
  calls without a response, and turns without a final response.
  """
  cancelled = _cancelled_call_ids(session.events)
  warnings: list[str] = []
  for number, turn in enumerate(_turns(session.events), start=1):
    warnings.extend(invocation_warnings(number, _invocation(turn), cancelled))
  return warnings


def case_warnings(case: EvalCase) -> list[str]:
  """Things in a stored case that `adk eval` will not reproduce, with reasons."""
  warnings: list[str] = []
  for number, invocation in enumerate(case.conversation or [], start=1):
    warnings.extend(invocation_warnings(number, invocation))
  return warnings


def invocation_warnings(
  turn: int, invocation: Invocation, cancelled_ids: Collection[str] = ()
) -> list[str]:
  """What `adk eval` will not reproduce in one turn.

  Args:
    turn: The turn's number (from 1), for the messages.
    invocation: The turn.
    cancelled_ids: Call ids known to have been cancelled (the session knows,
      a stored case does not).
  """
  warnings: list[str] = []
  responses = get_all_tool_responses(invocation.intermediate_data)
  answered = {r.id for r in responses if r.id}
  for response in responses:
    if response.id in cancelled_ids:
      warnings.append(_cancelled_call_warning(turn, response.name, response.id))
    elif (error := error_of(response.response)) is not None:
      warnings.append(_tool_error_warning(turn, response.name, response.id, error))
  for call in get_all_tool_calls(invocation.intermediate_data):
    if not call.id or call.id in answered:
      continue
    if call.id in cancelled_ids:
      warnings.append(_cancelled_call_warning(turn, call.name, call.id))
    else:
      warnings.append(_unanswered_call_warning(turn, call.name, call.id))
  if invocation.final_response is None:
    warnings.append(_no_final_response_warning(turn))
  return warnings


def error_of(response: Any) -> dict[str, Any] | None:
  """The `{"type", "message"}` error a function response carries, if any."""
  if not isinstance(response, dict):
    return None
  error = response.get("error")
  if isinstance(error, dict) and "type" in error and "message" in error:
    return error
  return None


def _tool_error_warning(
  turn: int, tool: str | None, call_id: str | None, error: dict[str, Any]
) -> str:
  return (
    f"Turn {turn}: tool `{tool}` (call {call_id}) returned an error"
    f" ({error.get('type')}: {error.get('message')}). `adk eval` runs the real"
    " tool again, so it raises again; unless the agent or its App's plugins"
    " turn tool errors into responses (on_tool_error_callback), that eval run"
    " aborts instead of replaying this error response."
  )


def _cancelled_call_warning(turn: int, tool: str | None, call_id: str | None) -> str:
  return (
    f"Turn {turn}: tool `{tool}` (call {call_id}) was cancelled in the"
    " simulator. `adk eval` runs the real tool to completion, so its result"
    " and what the agent does next may differ from this trace."
  )


def _unanswered_call_warning(turn: int, tool: str | None, call_id: str | None) -> str:
  return (
    f"Turn {turn}: tool `{tool}` (call {call_id}) has no recorded response"
    " (cancelled, interrupted or long-running). `adk eval` runs the tool and"
    " the agent continues from its real result, so the rest of the trajectory"
    " may differ."
  )


def _no_final_response_warning(turn: int) -> str:
  return (
    f"Turn {turn}: no final response was given. `adk eval` compares the"
    " agent's answer with this turn's final response (response_match_score),"
    " so against an empty reference the turn fails that metric."
  )


@dataclass
class _Turn:
  """A user message and every event after it, up to the next user message."""

  user_event: Event
  events: list[Event] = field(default_factory=list)


def _is_user_message(event: Event) -> bool:
  """A message the user typed (or attached), as opposed to a function response.

  Function responses can be user-authored too (a long-running tool's result,
  a tool confirmation); they belong to the turn in progress.
  """
  if event.author != _USER or not event.content or not event.content.parts:
    return False
  parts = event.content.parts
  return not any(p.function_response for p in parts) and any(
    p.text or p.inline_data or p.file_data for p in parts
  )


def _turns(events: list[Event]) -> list[_Turn]:
  """Groups events by user turn, not by invocation id: resuming a paused call
  (confirmations, long-running tools) continues a turn under a new invocation id.
  Events before the first user message belong to no turn and are dropped."""
  turns: list[_Turn] = []
  for event in events:
    if _is_user_message(event):
      turns.append(_Turn(user_event=event))
    elif turns:
      turns[-1].events.append(event)
  return turns


def _invocation(turn: _Turn) -> Invocation:
  tool_uses: list[types.FunctionCall] = []
  tool_responses: list[types.FunctionResponse] = []
  texts: list[tuple[Event, list[types.Part]]] = []
  final: tuple[Event, list[types.Part]] | None = None
  for event in turn.events:
    if event.partial or not event.content or not event.content.parts:
      continue
    parts = event.content.parts
    for part in parts:
      if part.function_call and event.author != _USER:
        tool_uses.append(part.function_call.model_copy(deep=True))
      if part.function_response:
        tool_responses.append(part.function_response.model_copy(deep=True))
    if event.author == _USER:
      continue
    spoken = [p.model_copy(deep=True) for p in parts if p.text and not p.thought]
    if not spoken:
      continue
    texts.append((event, spoken))
    # An answer carries no calls or responses. With an output_schema and tools,
    # ADK 2.13 turns the `set_model_response` call into a model-authored event
    # holding the JSON text (`_output_schema_processor`), so that is the answer.
    if not event.get_function_calls() and not event.get_function_responses():
      final = (event, spoken)
  intermediate = [(e.author, parts) for e, parts in texts if final is None or e is not final[0]]
  user_content = turn.user_event.content
  assert user_content is not None
  return Invocation(
    invocation_id=turn.user_event.invocation_id,
    user_content=user_content.model_copy(deep=True),
    final_response=(
      types.Content(role=final[0].content.role or "model", parts=final[1])
      if final and final[0].content
      else None
    ),
    intermediate_data=IntermediateData(
      tool_uses=tool_uses,
      tool_responses=tool_responses,
      intermediate_responses=intermediate,
    ),
    creation_timestamp=turn.user_event.timestamp,
  )


def _cancelled_call_ids(events: list[Event]) -> set[str]:
  """Call ids the simulator marked cancelled: `custom_metadata["adk_simulator"]["calls"]`."""
  cancelled: set[str] = set()
  for event in events:
    notes = (event.custom_metadata or {}).get(_SIMULATOR_METADATA_KEY)
    calls = notes.get("calls") if isinstance(notes, dict) else None
    if not isinstance(calls, dict):
      continue
    for call_id, note in calls.items():
      error = note.get("error") if isinstance(note, dict) else None
      if isinstance(error, dict) and error.get("cancelled"):
        cancelled.add(call_id)
  return cancelled
