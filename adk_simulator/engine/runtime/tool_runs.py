"""The tool calls of a session while they run: timing, cancelling, notes.

The plugin reports each call's start and end here; the notes (duration, and
for a failure its type, message, traceback and whether the person cancelled
it) are stored with the function-response event, so the history shows them
for a live session and a stored one alike.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from adk_simulator.engine.record.notes import CallNote
from adk_simulator.engine.record.notes import ErrorNote
from adk_simulator.engine.runtime.turns import RunningTool
from adk_simulator.engine.runtime.turns import ToolCancelledError
from adk_simulator.engine.runtime.turns import error_type
from adk_simulator.engine.runtime.turns import format_traceback


@dataclass(frozen=True)
class EndedCall:
  """A call that has ended, kept until ADK stores its response."""

  tool: RunningTool
  result: Any
  error: BaseException | None
  note: CallNote
  ended_at: float
  """`time.time()` when it ended."""


class ToolRuns:
  """Running calls by call id, their cancel signals, and the notes of ended ones."""

  def __init__(self) -> None:
    self._running: dict[str, RunningTool] = {}
    self._cancel: dict[str, asyncio.Future[None]] = {}
    self._notes: dict[str, CallNote] = {}
    self._ended: dict[str, EndedCall] = {}

  @property
  def running(self) -> list[RunningTool]:
    return list(self._running.values())

  def start(
    self, call_id: str, tool_name: str, args: dict[str, Any], agent: str, *, on_thread: bool
  ) -> RunningTool:
    tool = RunningTool(
      call_id=call_id,
      tool_name=tool_name,
      args=args,
      agent_name=agent,
      started_at=time.monotonic(),
      on_thread=on_thread,
    )
    self._running[call_id] = tool
    self._cancel[call_id] = asyncio.get_running_loop().create_future()
    return tool

  @property
  def ended(self) -> dict[str, EndedCall]:
    """Calls that have ended and whose response is not stored yet, by call id.

    ADK runs the calls of a parallel turn together and stores their responses
    in one event when the last one ends; until then, the ones done are here.
    """
    return dict(self._ended)

  def stored(self, call_ids: list[str]) -> None:
    """The responses of `call_ids` are in the record now."""
    for call_id in call_ids:
      self._ended.pop(call_id, None)

  def finish(
    self, call_id: str, error: BaseException | None, result: Any = None
  ) -> tuple[RunningTool | None, CallNote, bool]:
    """Ends a call; returns it, its notes, and whether this call ended it now.

    ADK runs the after-tool callbacks on an error answer too: a call that has
    already ended keeps what its end recorded.
    """
    tool = self._running.pop(call_id, None)
    if tool is None and call_id in self._notes:
      return None, self._notes[call_id], False
    self._cancel.pop(call_id, None)
    duration = time.monotonic() - tool.started_at if tool else 0.0
    note = CallNote(duration_s=round(duration, 6))
    if error is not None and not isinstance(error, asyncio.CancelledError):
      note.error = ErrorNote(
        type=error_type(error),
        message=str(error),
        traceback=format_traceback(error),
        cancelled=isinstance(error, ToolCancelledError),
      )
    self._notes[call_id] = note
    if tool is not None and not isinstance(error, asyncio.CancelledError):
      self._ended[call_id] = EndedCall(tool, result, error, note, time.time())
    return tool, note, True

  def cancel_all(self) -> list[str]:
    """Signals every running call to stop; returns the names of those signalled."""
    cancelled = []
    for call_id, signal in list(self._cancel.items()):
      if not signal.done() and call_id in self._running:
        signal.set_result(None)
        cancelled.append(self._running[call_id].tool_name)
    return cancelled

  def signal(self, call_id: str) -> asyncio.Future[None] | None:
    return self._cancel.get(call_id)

  def notes(self, call_id: str) -> CallNote | None:
    return self._notes.get(call_id)
