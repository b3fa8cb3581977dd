"""The one reader of ADK session events: events in, typed history entries out.

Everything that interprets a session reads it through here: the live history,
the timeline, `play`'s printed lines, the export, the replay recording and a
stored session's status. So there is one definition of a call, an output, an
error, an answer, and an AgentTool's inner run.

Only what is stored in the events is used, so a live session and the same
session loaded back from any session service read the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any

import pydantic_core

from adk_simulator.engine.adk import live_events
from adk_simulator.engine.record.history import AnsweredBy
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
from adk_simulator.engine.record.notes import CallNote
from adk_simulator.engine.record.notes import Notes
from adk_simulator.engine.record.notes import notes_of
from adk_simulator.engine.runtime.turns import SET_MODEL_RESPONSE

if TYPE_CHECKING:
  from google.adk.events.event import Event

REQUEST_CONFIRMATION = "adk_request_confirmation"
"""The call ADK's flow makes to ask the user to confirm a tool call."""


def error_shape(response: Any) -> dict[str, Any] | None:
  """The `{"type", "message"}` error a function response carries, if any.

  The simulator answers a failed call with `{"error": {"type", "message"}}`;
  agents' own `on_tool_error_callback`s often answer the same way.
  """
  if not isinstance(response, dict):
    return None
  error = response.get("error")
  if isinstance(error, dict) and "type" in error and "message" in error:
    return error
  return None


def _json_object(text: str) -> dict[str, Any] | None:
  try:
    value = json.loads(text)
  except ValueError:
    return None
  return value if isinstance(value, dict) else None


def _spoken(event: Event) -> str:
  parts = event.content.parts if event.content and event.content.parts else []
  return "".join(p.text or "" for p in parts if p.text and not p.thought)


class RecordReader:
  """Reads a session's events in order, in one go or as they arrive.

  Args:
    structured_input: The agent has an `input_schema`: a user message that is
      a JSON object is read as that object too.
    structured_output: The agent has an `output_schema`: likewise for answers.
    recorded: The simulator recorded the session (its start note is there), so
      a model response without the person's note came from a callback.
  """

  def __init__(
    self,
    *,
    structured_input: bool = False,
    structured_output: bool = False,
    recorded: bool = False,
  ) -> None:
    self.structured_input = structured_input
    self.structured_output = structured_output
    self.recorded = recorded
    self._structured_answer_pending: set[str] = set()
    """Agents whose `set_model_response` call ADK answers with a text event next."""

  def read(self, events: Iterable[Event]) -> list[HistoryEntry]:
    """The entries of `events`, in session order."""
    entries: list[HistoryEntry] = []
    for event in events:
      notes = notes_of(event)
      if notes.session is not None and notes.session.imported_from is None:
        self.recorded = True
      if event.partial or not event.content or not event.content.parts:
        continue
      entries.extend(self._read_event(event, notes))
    return entries

  def running_inner_run(self, call: ToolCall, events: list[Event]) -> InnerRun:
    """The inner run so far of AgentTool call `call`, still running (a live session)."""
    base = {"timestamp": call.timestamp, "invocation_id": call.invocation_id, "author": call.author}
    return self._inner(base, call.call_id, call.tool_name, events, running=True)

  def _read_event(self, event: Event, notes: Notes) -> list[HistoryEntry]:
    assert event.content is not None and event.content.parts is not None
    base: dict[str, Any] = {
      "timestamp": event.timestamp,
      "invocation_id": event.invocation_id or "",
      "author": event.author or "",
      "event_id": event.id or "",
    }
    parts = event.content.parts
    responses = [p.function_response for p in parts if p.function_response is not None]
    calls = [p.function_call for p in parts if p.function_call is not None]
    if event.author == "user" and responses:
      content = event.content.model_dump(mode="json", exclude_none=True)
      return [_client_answer(base, response, content) for response in responses]
    if event.author == "user":
      text = _spoken(event)
      if not text and not any(p.inline_data or p.file_data for p in parts):
        return []
      payload = _json_object(text) if self.structured_input else None
      content = event.content.model_dump(mode="json", exclude_none=True)
      return [UserQuery(**base, text=text, payload=payload, content=content)]
    if responses:
      entries: list[HistoryEntry] = []
      awaiting = set(event.actions.requested_tool_confirmations or {})
      for response in responses:
        note = notes.calls.get(response.id or "")
        entries.extend(self._response(base, response, note, awaiting=response.id in awaiting))
        if response.name == SET_MODEL_RESPONSE:
          self._structured_answer_pending.add(event.author or "")
      return entries
    said = {**base, **self._who(event, notes, derived=False)}
    text = _spoken(event)
    if calls:
      entries = [ModelText(**said, text=text)] if text else []
      long_running = set(event.long_running_tool_ids or ())
      for call in calls:
        if call.name == REQUEST_CONFIRMATION:
          entries.append(_confirmation_request(base, call))
          continue
        entries.append(
          ToolCall(
            **said,
            call_id=call.id or "",
            tool_name=call.name or "",
            args=dict(call.args or {}),
            long_running=call.id in long_running,
          )
        )
      return entries
    if not text:
      return []
    derived = (event.author or "") in self._structured_answer_pending
    self._structured_answer_pending.discard(event.author or "")
    if derived:
      # ADK's own text event for the set_model_response answer: the person gave it.
      said = {**base, "by": "person" if self.recorded else None}
    payload = _json_object(text) if self.structured_output or derived else None
    return [FinalResponse(**said, text=text, payload=payload)]

  def _who(self, event: Event, notes: Notes, *, derived: bool) -> dict[str, Any]:
    if notes.turn is not None:
      return {"step": notes.turn.step, "by": "person"}
    by: AnsweredBy | None = "callback" if self.recorded and not derived else None
    return {"by": by}

  def _response(
    self, base: dict[str, Any], response: Any, note: CallNote | None, *, awaiting: bool = False
  ) -> list[HistoryEntry]:
    call_id = response.id or ""
    name = response.name or ""
    entries: list[HistoryEntry] = []
    if note is not None and note.inner_run is not None:
      run = note.inner_run
      entries.append(self._inner(base, call_id, name, run.events, agent=run.agent))
    duration = note.duration_s if note else None
    error = note.error if note else None
    shape = error_shape(response.response)
    if error is not None or shape is not None:
      entries.append(
        ToolError(
          **base,
          call_id=call_id,
          tool_name=name,
          error_type=error.type if error else str(shape.get("type", "Error")),  # type: ignore[union-attr]
          message=error.message if error else str(shape.get("message", "")),  # type: ignore[union-attr]
          traceback=error.traceback if error else None,
          duration_s=duration,
          cancelled=bool(error and error.cancelled),
          response=pydantic_core.to_jsonable_python(response.response, fallback=repr),
        )
      )
    else:
      entries.append(
        ToolOutput(
          **base,
          call_id=call_id,
          tool_name=name,
          output=pydantic_core.to_jsonable_python(response.response, fallback=repr),
          duration_s=duration,
          awaiting_confirmation=awaiting,
          non_finite=list(note.non_finite) if note else [],
        )
      )
    return entries

  def _inner(
    self,
    base: dict[str, Any],
    call_id: str,
    tool_name: str,
    events: list[Any],
    *,
    agent: str | None = None,
    running: bool = False,
  ) -> InnerRun:
    from google.adk.events.event import Event

    parsed = [e if isinstance(e, Event) else Event.model_validate(e) for e in events]
    inner = RecordReader(structured_output=True, recorded=self.recorded)
    entries = inner.read(parsed)
    author = agent or next((e.author for e in parsed if e.author != "user"), tool_name)
    return InnerRun(
      **base, call_id=call_id, tool_name=tool_name, agent=author, entries=entries, running=running
    )


def _confirmation_request(base: dict[str, Any], call: Any) -> ConfirmationRequest:
  args = dict(call.args or {})
  original = args.get("originalFunctionCall")
  original = original if isinstance(original, dict) else {}
  asked = args.get("toolConfirmation")
  asked = asked if isinstance(asked, dict) else {}
  original_args = original.get("args")
  return ConfirmationRequest(
    **base,
    call_id=call.id or "",
    original_call_id=str(original.get("id") or ""),
    tool_name=str(original.get("name") or ""),
    args=dict(original_args) if isinstance(original_args, dict) else {},
    hint=str(asked.get("hint") or ""),
    payload=asked.get("payload"),
    request_args=pydantic_core.to_jsonable_python(args, fallback=repr),
  )


def _client_answer(
  base: dict[str, Any], response: Any, content: dict[str, Any]
) -> ConfirmationAnswer | DeliveredResult:
  value = pydantic_core.to_jsonable_python(response.response, fallback=repr)
  if response.name == REQUEST_CONFIRMATION:
    answer = value if isinstance(value, dict) else {}
    if set(answer) == {"response"} and isinstance(answer["response"], str):
      # ADK's web client wraps the confirmation as a JSON string.
      answer = _json_object(answer["response"]) or {}
    return ConfirmationAnswer(
      **base,
      call_id=response.id or "",
      confirmed=bool(answer.get("confirmed")),
      payload=answer.get("payload"),
      content=content,
    )
  return DeliveredResult(
    **base, call_id=response.id or "", tool_name=response.name or "", output=value, content=content
  )


def read_events(
  events: Iterable[Event],
  *,
  structured_input: bool = False,
  structured_output: bool = False,
) -> History:
  """The typed history of a whole session's events (see `RecordReader`).

  Events a rewind undid (see `runtime/undo.py`) are not part of it.
  """
  reader = RecordReader(structured_input=structured_input, structured_output=structured_output)
  return History(entries=reader.read(live_events(list(events))))
