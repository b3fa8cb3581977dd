"""Saved sessions in the product's words: status, initial state, summary rows.

Read from the record (`reader`) and the simulator's notes (`notes`): the
start note names the agent and the exact initial state, export notes say
where the session went.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.adk import live_events
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.notes import ExportRecord
from adk_simulator.engine.record.notes import SessionStart
from adk_simulator.engine.record.notes import notes_of
from adk_simulator.engine.record.reader import read_events

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session

SessionStatus = Literal["in_progress", "waiting", "failed", "completed", "exported"]
"""in_progress: the agent has not answered (or the run broke off); waiting: it
waits for the user's side (a confirmation, a long-running result); failed: a
headless run stopped on a failure after its last turn."""


class SessionSummary(BaseModel):
  """A stored session, as the sessions browser and `sessions list` show it."""

  id: str
  agent: str
  """The configured agent's display name (or the ADK app name if unknown)."""
  app_name: str
  user_id: str
  started: float
  updated: float
  first_query: str | None = None
  turns: int = 0
  tool_calls: int = 0
  errors: int = 0
  status: SessionStatus = "in_progress"
  exports: list[ExportRecord] = Field(default_factory=list)


def session_start(events: list[Event]) -> SessionStart | None:
  """The `session` note the simulator wrote when the session started."""
  for event in events:
    start = notes_of(event).session
    if start is not None:
      return start
  return None


def recovered_initial_state(session: Session) -> dict[str, Any]:
  """The state a session started with.

  Exact for sessions the simulator made. For a session made elsewhere (an
  `adk run --save_session` file), the keys no event ever changed: a key an
  event changed has lost its starting value.
  """
  start = session_start(session.events)
  if start is not None:
    return dict(start.initial_state)
  touched: set[str] = set()
  for event in session.events:
    touched.update((event.actions.state_delta or {}).keys())
  return {k: v for k, v in session.state.items() if k not in touched}


def exports_of(events: list[Event]) -> list[ExportRecord]:
  return [note for e in events if (note := notes_of(e).export) is not None]


def last_conversation_event(events: list[Event]) -> Event | None:
  """The last event that is part of the conversation (not simulator metadata)."""
  for event in reversed(events):
    if event.content and event.content.parts and not event.partial:
      return event
  return None


def session_status(
  events: list[Event], history: History | None = None, *, failures: bool = True
) -> SessionStatus:
  """in_progress until the agent has answered the last user turn.

  Args:
    events: The session's events.
    history: Their projection, when the caller has it already.
    failures: Say "failed" for a session whose last run was marked failed;
      False gives where the session stands regardless.
  """
  events = live_events(events)
  contents = [i for i, e in enumerate(events) if e.content and e.content.parts]
  after = events[contents[-1] + 1 :] if contents else events
  if failures and any(notes_of(e).failure is not None for e in after):
    return "failed"
  history = history or read_events(events)
  entries = history.entries
  if history.paused:
    return "waiting"
  if not entries or not isinstance(entries[-1], FinalResponse):
    return "in_progress"
  last_content = max(i for i, e in enumerate(events) if e.content and e.content.parts)
  exported_after = any(notes_of(e).export is not None for e in events[last_content + 1 :])
  return "exported" if exported_after else "completed"


def summarize(session: Session, *, agent: str | None = None) -> SessionSummary:
  """The browser's row for a stored session."""
  history = read_events(session.events)
  start = session_start(session.events)
  first = next((e for e in history.entries if isinstance(e, UserQuery)), None)
  timestamps = [e.timestamp for e in session.events] or [session.last_update_time]
  return SessionSummary(
    id=session.id,
    agent=agent or (start.agent if start else session.app_name),
    app_name=session.app_name,
    user_id=session.user_id,
    started=min(timestamps),
    updated=max([session.last_update_time, *timestamps]),
    first_query=first.text if first else None,
    turns=history.turns,
    tool_calls=history.tool_calls,
    errors=history.errors,
    status=session_status(session.events, history),
    exports=exports_of(session.events),
  )
