"""Where a stopped session stands, and how long it was played.

A session stops where the app stopped: while a tool ran (its call is stored,
its response is not), or with a model call unanswered (the user's message or
the tools' responses are stored, the model's turn is not). Resuming runs the
interrupted invocation on: ADK runs a call without a response again, and the
model is asked the call it was asked before.

The time played leaves out the time the app was not running: each resume
writes a `resumed` note, and the gap before it does not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.notes import is_metadata_event
from adk_simulator.engine.record.notes import notes_of

if TYPE_CHECKING:
  from google.adk.events.event import Event


class Interruption(BaseModel):
  """What a stopped session was doing when it stopped."""

  kind: Literal["tool_call", "model_call"]
  step: int
  """The model call the interrupted work belongs to: the one whose calls ran,
  or the one left unanswered."""
  tools: list[str] = Field(default_factory=list)
  """For `tool_call`: the tools that were running, in call order."""
  agent: str | None = None
  """The agent whose model call it was, when the record says."""

  @property
  def next_step(self) -> int:
    """The model call the person answers first once the session runs on."""
    return self.step + 1 if self.kind == "tool_call" else self.step

  def describe(self) -> str:
    """One sentence: where the session stopped and what resuming does."""
    if self.kind == "tool_call":
      names = ", ".join(self.tools)
      ran = "ran" if len(self.tools) == 1 else "ran (in parallel)"
      return (
        f"It stopped while {names} {ran} (called at model call {self.step}):"
        f" resuming runs {'it' if len(self.tools) == 1 else 'them'} again,"
        f" then model call {self.next_step} asks you."
      )
    who = f" of {self.agent}" if self.agent else ""
    return f"It stopped with model call {self.step}{who} unanswered: resuming asks it again."


def interruption(history: History) -> Interruption | None:
  """Where a session whose last turn is unanswered stopped; None if it did not."""
  entries = history.entries
  if not entries or entries[-1].kind in ("final_response", "confirmation_request"):
    return None
  answered = {e.call_id for e in entries if isinstance(e, ToolOutput | ToolError)}
  last_turn: list[ToolCall] = []
  for entry in reversed(entries):
    if not isinstance(entry, ToolCall):
      break
    last_turn.insert(0, entry)
  running = [c for c in last_turn if c.call_id not in answered and not c.long_running]
  if running:
    return Interruption(
      kind="tool_call",
      step=running[0].step or history.last_step,
      tools=[c.tool_name for c in running],
      agent=running[0].author,
    )
  calls = [e for e in entries if isinstance(e, ToolCall)]
  agent = calls[-1].author if calls and entries[-1].kind != "user_query" else None
  return Interruption(kind="model_call", step=history.last_step + 1, agent=agent)


def played_seconds(events: Sequence[Event]) -> float | None:
  """Seconds the session was played: from the user's first message to the runtime's
  last event, without the time the app was not running (before each resume).

  ADK stamps a model response when it asks the model, before the person
  answers; the event after it (the next step, or the end of the agent's run)
  is what says when the answer came. So every event of the run counts, the
  simulator's own notes (start, exports, failures) do not.
  """
  total = 0.0
  start: float | None = None
  last: float | None = None
  seen = False
  for event in events:
    if notes_of(event).resumed is not None:
      if start is not None and last is not None:
        total += max(0.0, last - start)
      start, last = event.timestamp, None
      continue
    if is_metadata_event(event):
      continue
    seen = True
    if start is None:
      start = event.timestamp
    last = event.timestamp
  if start is not None and last is not None:
    total += max(0.0, last - start)
  return total if seen else None
