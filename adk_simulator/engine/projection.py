"""Projects ADK session events onto the typed history.

Only what is stored in the events is used, so a live session and the same
session loaded back from any session service project to the same history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any

import pydantic_core

from adk_simulator.engine.history import METADATA_KEY
from adk_simulator.engine.history import FinalResponse
from adk_simulator.engine.history import History
from adk_simulator.engine.history import HistoryEntry
from adk_simulator.engine.history import ToolCall
from adk_simulator.engine.history import ToolError
from adk_simulator.engine.history import ToolOutput
from adk_simulator.engine.history import UserQuery

if TYPE_CHECKING:
  from google.adk.events.event import Event


def _json_object(text: str) -> dict[str, Any] | None:
  try:
    value = json.loads(text)
  except ValueError:
    return None
  return value if isinstance(value, dict) else None


def _error_shape(response: Any) -> dict[str, Any] | None:
  """The `{"error": {"type", "message"}}` answer the simulator gives for a failure."""
  if isinstance(response, dict) and set(response) == {"error"}:
    error = response["error"]
    if isinstance(error, dict) and {"type", "message"} <= set(error):
      return error
  return None


def project_history(
  events: Iterable[Event],
  *,
  structured_input: bool = False,
  structured_output: bool = False,
) -> History:
  """Returns the typed history of a session's events.

  Args:
    events: The session's events, in order.
    structured_input: The agent has an `input_schema`: a user message that is
      a JSON object is shown as that object too.
    structured_output: The agent has an `output_schema`: a final text that is
      a JSON object is shown as that object too.
  """
  entries: list[HistoryEntry] = []
  for event in events:
    if event.partial or not event.content or not event.content.parts:
      continue
    base = {
      "timestamp": event.timestamp,
      "invocation_id": event.invocation_id or "",
      "author": event.author or "",
    }
    notes = ((event.custom_metadata or {}).get(METADATA_KEY) or {}).get("calls", {})
    parts = event.content.parts
    if event.author == "user":
      text = "".join(p.text or "" for p in parts if p.text and not p.thought)
      if text:
        payload = _json_object(text) if structured_input else None
        entries.append(UserQuery(**base, text=text, payload=payload))
      continue
    texts: list[str] = []
    for part in parts:
      if part.function_call is not None:
        call = part.function_call
        entries.append(
          ToolCall(
            **base,
            call_id=call.id or "",
            tool_name=call.name or "",
            args=dict(call.args or {}),
          )
        )
      elif part.function_response is not None:
        response = part.function_response
        call_id = response.id or ""
        note = notes.get(call_id, {})
        error = note.get("error") or _error_shape(response.response)
        if error:
          entries.append(
            ToolError(
              **base,
              call_id=call_id,
              tool_name=response.name or "",
              error_type=str(error.get("type", "Error")),
              message=str(error.get("message", "")),
              traceback=error.get("traceback"),
              duration_s=note.get("duration_s"),
              cancelled=bool(error.get("cancelled", False)),
            )
          )
        else:
          entries.append(
            ToolOutput(
              **base,
              call_id=call_id,
              tool_name=response.name or "",
              output=pydantic_core.to_jsonable_python(response.response, fallback=repr),
              duration_s=note.get("duration_s"),
            )
          )
      elif part.text and not part.thought:
        texts.append(part.text)
    if texts and not any(p.function_call for p in parts):
      text = "".join(texts)
      payload = _json_object(text) if structured_output else None
      entries.append(FinalResponse(**base, text=text, payload=payload))
  return History(entries=entries)
