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
from typing import assert_never

import pydantic_core
from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_case import IntermediateData
from google.adk.evaluation.eval_case import Invocation
from google.adk.evaluation.eval_case import SessionInput
from google.adk.evaluation.eval_case import get_all_tool_calls
from google.adk.evaluation.eval_case import get_all_tool_responses
from google.genai import types

from adk_simulator.engine.config.model import snake_case
from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.history import walk
from adk_simulator.engine.record.notes import METADATA_KEY
from adk_simulator.engine.record.reader import REQUEST_CONFIRMATION
from adk_simulator.engine.record.reader import error_shape
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.runtime.responses import non_finite_paths

if TYPE_CHECKING:
  from google.adk.sessions.session import Session


TEMP_PREFIX = "temp:"
"""ADK's prefix of invocation-scoped state (`google.adk.sessions.state.State.TEMP_PREFIX`)."""

EVAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
"""What ADK's eval-set tools accept as an id; `:` and `,` also break the
`adk eval FILE.json:id1,id2` selection syntax."""


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


def final_session_state(state: Mapping[str, Any]) -> dict[str, Any]:
  """The state a session ended with, as a case's `final_session_state`.

  Without `temp:` keys (ADK keeps them for one invocation only and never
  stores them, so no later run could end with them) and without anything in
  the simulator's own namespace (`adk_simulator...`: its notes live on the
  events, never in the state an agent reads). `app:` and `user:` keys stay:
  the agent sees them in its session.
  """
  return {
    key: copy.deepcopy(value)
    for key, value in state.items()
    if not key.startswith(TEMP_PREFIX) and not key.startswith(METADATA_KEY)
  }


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
    return [_invocation(turn) for turn in user_turns(read_events(self.session.events))]

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
      final_session_state=final_session_state(self.session.state),
    )

  def warnings(self) -> list[str]:
    return trace_warnings(self.session)


def trace_warnings(session: Session) -> list[str]:
  """Things in the session's trace that `adk eval` will not reproduce, with reasons.

  Read from the record: error responses, calls the person cancelled, calls
  without a response, turns without a final response, AgentTool inner runs
  (their own errors included), and what the user's side answered to paused
  calls (confirmations, long-running results).
  """
  warnings: list[str] = []
  for number, turn in enumerate(user_turns(read_events(session.events)), start=1):
    cancelled = {
      e.call_id for _, e in walk(turn.entries) if isinstance(e, ToolError) and e.cancelled
    }
    invocation = _invocation(turn)
    warnings.extend(invocation_warnings(number, invocation, cancelled))
    for output in (e for e in turn.entries if isinstance(e, ToolOutput)):
      # The note tells of numbers the store turned into null; numbers still
      # there (a memory:// store) were warned of with the responses above.
      if output.non_finite and not non_finite_paths(output.output):
        warnings.append(
          _non_finite_warning(number, output.tool_name, output.call_id, output.non_finite)
        )
    for run in (e for e in turn.entries if isinstance(e, InnerRun)):
      if any(isinstance(e, ToolCall) for _, e in walk(run.entries)):
        warnings.append(_inner_run_warning(number, run))
      for _, inner in walk(run.entries):
        if isinstance(inner, ToolError):
          warnings.append(_inner_error_warning(number, run, inner))
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
  sent = invocation.user_content.parts or []
  for answer in (p.function_response for p in sent if p.function_response is not None):
    warnings.append(_client_answer_warning(turn, answer.name or "", answer.id or ""))
  responses = get_all_tool_responses(invocation.intermediate_data)
  answered = {r.id for r in responses if r.id}
  for response in responses:
    odd = non_finite_paths(response.response)
    if odd:  # in a store that keeps them (memory://); a stored case has null already
      warnings.append(_non_finite_warning(turn, response.name, response.id, odd))
    if response.id in cancelled_ids:
      warnings.append(_cancelled_call_warning(turn, response.name, response.id))
    elif (error := error_shape(response.response)) is not None:
      warnings.append(_tool_error_warning(turn, response.name, response.id, error))
  calls = get_all_tool_calls(invocation.intermediate_data)
  # A turn that asks the user for a confirmation ends there, without an answer.
  paused = any(c.name == REQUEST_CONFIRMATION for c in calls)
  for call in calls:
    if not call.id or call.id in answered or call.name == REQUEST_CONFIRMATION:
      continue
    if call.id in cancelled_ids:
      warnings.append(_cancelled_call_warning(turn, call.name, call.id))
    else:
      warnings.append(_unanswered_call_warning(turn, call.name, call.id))
  if invocation.final_response is None and not paused:
    warnings.append(_no_final_response_warning(turn))
  return warnings


def _non_finite_warning(turn: int, tool: str | None, call_id: str | None, paths: list[str]) -> str:
  return (
    f"Turn {turn}: tool `{tool}` (call {call_id}) returned NaN or Infinity at"
    f" {', '.join(paths)}. JSON has no such numbers: the session store and the eval set"
    " hold null there, so the reference differs from what the model saw live."
  )


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


def _client_answer_warning(turn: int, name: str, call_id: str) -> str:
  if name == REQUEST_CONFIRMATION:
    what = f"answers confirmation request {call_id}"
    made = "the `adk_request_confirmation` call"
  else:
    what = f"delivers the result of long-running `{name}` (call {call_id})"
    made = "the call"
  return (
    f"Turn {turn} {what}. `adk eval` sends this user content as recorded, but in its own"
    f" run ADK gives {made} a new id, so the answer matches no call: ADK stops the case"
    " with `ValueError: Function call not found for function response ids` and scores"
    " nothing. `adk-sim replay` re-sends the answer to the new call and checks the result."
  )


def _inner_run_warning(turn: int, run: InnerRun) -> str:
  calls = sum(isinstance(e, ToolCall) for _, e in walk(run.entries))
  return (
    f"Turn {turn}: `{run.tool_name}` (call {run.call_id}) ran agent `{run.agent}` with"
    f" {calls} call{'' if calls == 1 else 's'} of its own. They are kept in the turn's"
    " intermediate_responses, authored by that agent: `adk eval` collects only the"
    " calling agent's events, so it scores the AgentTool call and its result, not the"
    " inner trajectory. `adk-sim replay` checks the inner calls."
  )


def _inner_error_warning(turn: int, run: InnerRun, error: ToolError) -> str:
  return (
    f"Turn {turn}: inside `{run.tool_name}`, tool `{error.tool_name}` of agent"
    f" `{error.author}` (call {error.call_id}) returned an error ({error.error_type}:"
    f" {error.message}). `adk eval` runs it again; unless `{error.author}` turns tool errors"
    " into responses (on_tool_error_callback), that run aborts."
  )


@dataclass
class UserTurn:
  """What the user's side sent, and the entries after it, up to its next message.

  Grouped by what the user sent, not by invocation id: ADK resumes a paused
  call (a confirmation, a long-running result) in the invocation that paused.
  Each answer is a turn of its own, as `adk eval` sends each user content in turn.
  """

  query: UserQuery | ConfirmationAnswer | DeliveredResult
  entries: list[HistoryEntry] = field(default_factory=list)


def user_turns(history: History) -> list[UserTurn]:
  """The history's user turns; entries before the first user message belong to none."""
  turns: list[UserTurn] = []
  for entry in history.entries:
    if isinstance(entry, UserQuery | ConfirmationAnswer | DeliveredResult):
      turns.append(UserTurn(query=entry))
    elif turns:
      turns[-1].entries.append(entry)
  return turns


def _part(entry: HistoryEntry) -> types.Part | None:
  """The content part an entry was read from, for the trace."""
  match entry:
    case ToolCall():
      call = types.FunctionCall(id=entry.call_id, name=entry.tool_name, args=dict(entry.args))
      return types.Part(function_call=call)
    case ToolOutput():
      output = entry.output if isinstance(entry.output, dict) else {"result": entry.output}
      return types.Part(
        function_response=types.FunctionResponse(
          id=entry.call_id, name=entry.tool_name, response=copy.deepcopy(output)
        )
      )
    case ToolError():
      response = entry.response if isinstance(entry.response, dict) else {}
      return types.Part(
        function_response=types.FunctionResponse(
          id=entry.call_id, name=entry.tool_name, response=copy.deepcopy(response)
        )
      )
    case ModelText() | FinalResponse():
      return types.Part(text=entry.text)
    case ConfirmationRequest():
      call = types.FunctionCall(
        id=entry.call_id, name=REQUEST_CONFIRMATION, args=copy.deepcopy(entry.request_args)
      )
      return types.Part(function_call=call)
    case UserQuery() | InnerRun() | ConfirmationAnswer() | DeliveredResult():
      return None
    case _:
      assert_never(entry)


def _invocation(turn: UserTurn) -> Invocation:
  tool_uses: list[types.FunctionCall] = []
  tool_responses: list[types.FunctionResponse] = []
  said: list[tuple[str, list[types.Part]]] = []
  finals = [e for e in turn.entries if isinstance(e, FinalResponse)]
  final = finals[-1] if finals else None
  for entry in turn.entries:
    part = _part(entry)
    if isinstance(entry, ToolCall | ConfirmationRequest) and part and part.function_call:
      tool_uses.append(part.function_call)
    elif isinstance(entry, ToolOutput | ToolError) and part and part.function_response:
      tool_responses.append(part.function_response)
    elif isinstance(entry, ModelText | FinalResponse) and entry is not final and part:
      said.append((entry.author, [part]))
    elif isinstance(entry, InnerRun):
      # adk eval reads these without scoring them: see `_inner_run_warning`.
      for _, inner in walk(entry.entries):
        inner_part = _part(inner)
        if inner_part is not None:
          said.append((inner.author, [inner_part]))
  sent = turn.query
  content = types.Content.model_validate(sent.content) if sent.content else None
  text = sent.text if isinstance(sent, UserQuery) else ""
  return Invocation(
    invocation_id=sent.invocation_id,
    user_content=content or types.Content(role="user", parts=[types.Part(text=text)]),
    final_response=(
      types.Content(role="model", parts=[types.Part(text=final.text)]) if final else None
    ),
    intermediate_data=IntermediateData(
      tool_uses=tool_uses, tool_responses=tool_responses, intermediate_responses=said
    ),
    creation_timestamp=sent.timestamp,
  )
