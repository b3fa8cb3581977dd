"""The cases of an eval set, in brief and as a timeline.

`adk-sim evalset list/show` and the app's eval set view read a file through
`EvalSetWriter.cases` (under the file's lock) and show its cases with these.
A case is turned into the same typed history a session has, so it prints
with `record.lines` and draws with the app's timeline.
"""

from __future__ import annotations

from typing import Any

from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_case import IntermediateData
from google.adk.evaluation.eval_case import Invocation
from google.adk.evaluation.eval_case import InvocationEvents
from google.adk.evaluation.eval_case import get_all_tool_calls
from google.adk.evaluation.eval_set import EvalSet
from google.genai import types
from pydantic import BaseModel

from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.reader import REQUEST_CONFIRMATION
from adk_simulator.engine.record.reader import error_shape


class CaseRow(BaseModel):
  """One case of an eval set, as `evalset list` and the eval set view show it."""

  eval_id: str
  turns: int
  calls: int
  first_query: str | None = None
  created: float
  """The case's `creation_timestamp` (seconds since the epoch; 0 when unset)."""


def case_rows(eval_set: EvalSet) -> list[CaseRow]:
  """The cases, in file order."""
  return [case_row(case) for case in eval_set.eval_cases]


def case_row(case: EvalCase) -> CaseRow:
  conversation = case.conversation or []
  return CaseRow(
    eval_id=case.eval_id,
    turns=len(conversation),
    calls=sum(len(get_all_tool_calls(i.intermediate_data)) for i in conversation),
    first_query=_text(conversation[0].user_content) if conversation else None,
    created=case.creation_timestamp,
  )


def find_case(eval_set: EvalSet, eval_id: str) -> EvalCase | None:
  return next((c for c in eval_set.eval_cases if c.eval_id == eval_id), None)


def case_history(case: EvalCase) -> History:
  """The case's conversation as a history, one user turn after another.

  An `IntermediateData` turn keeps its calls, their responses and the other
  model output in three lists, not in the order they happened: each call is
  shown with its response after it, then the rest, then the final answer.
  An `InvocationEvents` turn is shown in its events' order.
  """
  entries: list[HistoryEntry] = []
  for invocation in case.conversation or []:
    entries.extend(_turn(invocation))
  return History(entries=entries)


def _text(content: types.Content | None) -> str:
  parts = (content.parts if content else None) or []
  return "".join(p.text for p in parts if p.text)


def _turn(invocation: Invocation) -> list[HistoryEntry]:
  at = invocation.creation_timestamp
  turn = invocation.invocation_id
  entries: list[HistoryEntry] = []
  answers = [
    p.function_response for p in invocation.user_content.parts or [] if p.function_response
  ]
  for answer in answers:
    response = answer.response or {}
    if answer.name == REQUEST_CONFIRMATION:
      entries.append(
        ConfirmationAnswer(
          timestamp=at,
          invocation_id=turn,
          author="user",
          call_id=answer.id or "",
          confirmed=bool(response.get("confirmed")),
          payload=response.get("payload"),
        )
      )
    else:
      entries.append(
        DeliveredResult(
          timestamp=at,
          invocation_id=turn,
          author="user",
          call_id=answer.id or "",
          tool_name=answer.name or "",
          output=response,
        )
      )
  if not answers:
    entries.append(
      UserQuery(
        timestamp=at,
        invocation_id=turn,
        author="user",
        text=_text(invocation.user_content),
        content=invocation.user_content.model_dump(mode="json", exclude_none=True),
      )
    )
  data = invocation.intermediate_data
  if isinstance(data, InvocationEvents):
    for event in data.invocation_events:
      for part in (event.content.parts if event.content else None) or []:
        entries.extend(_part_entries(part, event.author, at, turn))
  elif isinstance(data, IntermediateData):
    responses = list(data.tool_responses)
    for call in data.tool_uses:
      entries.extend(_part_entries(types.Part(function_call=call), "", at, turn))
      matched = [r for r in responses if r.id == call.id] or [
        r for r in responses if not r.id and r.name == call.name
      ][:1]
      for response in matched:
        responses.remove(response)
        entries.extend(_part_entries(types.Part(function_response=response), "", at, turn))
    for response in responses:
      entries.extend(_part_entries(types.Part(function_response=response), "", at, turn))
    for author, parts in data.intermediate_responses:
      for part in parts:
        entries.extend(_part_entries(part, author, at, turn))
  final = _text(invocation.final_response)
  if invocation.final_response is not None:
    entries.append(FinalResponse(timestamp=at, invocation_id=turn, author="", text=final))
  return entries


def _part_entries(part: types.Part, author: str, at: float, turn: str) -> list[HistoryEntry]:
  common: dict[str, Any] = {"timestamp": at, "invocation_id": turn, "author": author}
  if part.function_call is not None:
    call = part.function_call
    return [
      ToolCall(**common, call_id=call.id or "", tool_name=call.name or "", args=call.args or {})
    ]
  if part.function_response is not None:
    response = part.function_response
    output = response.response or {}
    error = error_shape(output)
    if error is not None:
      return [
        ToolError(
          **common,
          call_id=response.id or "",
          tool_name=response.name or "",
          error_type=str(error.get("type")),
          message=str(error.get("message")),
          response=output,
        )
      ]
    return [
      ToolOutput(**common, call_id=response.id or "", tool_name=response.name or "", output=output)
    ]
  if part.text:
    return [ModelText(**common, text=part.text)]
  return []
