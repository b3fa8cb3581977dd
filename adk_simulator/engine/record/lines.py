"""A session's history as plain lines, for `adk-sim play` and logs."""

from __future__ import annotations

import json
from typing import assert_never

from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery


def _asked(entry: ToolCall | ModelText | FinalResponse) -> str:
  if not entry.author:  # an eval case's calls and answer name no agent
    return ""
  if entry.by == "callback":
    return f"[{entry.author}, answered by a callback]"
  return f"[{entry.author}]"


def _short(value: object, limit: int = 200) -> str:
  shown = json.dumps(value, default=str, ensure_ascii=False)
  return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def call_text(tool_name: str, args: dict[str, object]) -> str:
  """`tool(a=1, b="x")`, arguments as JSON."""
  shown = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())
  return f"{tool_name}({shown})"


def describe_entry(entry: HistoryEntry, depth: int = 0) -> str:
  """One line of the printed timeline; inner runs' entries are indented by `depth`."""
  indent = "  " * depth
  match entry:
    case UserQuery():
      line = f"user      {entry.text}"
    case ToolCall():
      pending = "  (long-running)" if entry.long_running else ""
      line = f"call      {call_text(entry.tool_name, entry.args)}  {_asked(entry)}{pending}"
    case ModelText():
      line = f"says      {entry.text}  {_asked(entry)}"
    case ToolOutput():
      took = f"  ({entry.duration_s:.2f} s)" if entry.duration_s is not None else ""
      waits = "  (waits for the user's confirmation)" if entry.awaiting_confirmation else ""
      if entry.non_finite:
        waits += f"  (NaN/Infinity at {', '.join(entry.non_finite)}: stored as null)"
      line = f"output    {entry.tool_name} → {_short(entry.output)}{took}{waits}"
    case ToolError():
      what = "cancelled" if entry.cancelled else "error"
      line = f"{what:<9} {entry.tool_name} → {entry.error_type}: {entry.message}"
    case FinalResponse():
      line = f"answer    {entry.text}  {_asked(entry)}"
    case ConfirmationRequest():
      hint = f": {entry.hint}" if entry.hint else ""
      line = f"confirm?  {call_text(entry.tool_name, entry.args)}{hint}"
    case ConfirmationAnswer():
      verdict = "approved" if entry.confirmed else "rejected"
      payload = f" with payload {_short(entry.payload)}" if entry.payload is not None else ""
      line = f"user      {verdict}{payload}"
    case DeliveredResult():
      line = f"result    {entry.tool_name} → {_short(entry.output)}  (delivered by the user)"
    case InnerRun():
      state = ", running" if entry.running else ""
      line = f"inner run {entry.tool_name}: agent {entry.agent}{state}"
    case _:
      assert_never(entry)
  return (indent + line).rstrip()
