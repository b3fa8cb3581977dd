"""Saved sessions: what the store holds, in the product's words.

Every simulated session lives in an ADK session service. Besides the ADK
events, the simulator writes small metadata-only events (author "user", no
content, so neither ADK's request builder nor the golden trace sees them)
carrying `custom_metadata["adk_simulator"]`:

- `{"session": {"agent": ..., "initial_state": {...}}}` first, so a stored
  session knows which configured agent it played and the exact state it
  started from (the golden trace's `session_input` needs the real one);
- `{"export": {"eval_set": ..., "eval_id": ..., "at": ...}}` after each export.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.history import METADATA_KEY
from adk_simulator.engine.history import FinalResponse
from adk_simulator.engine.history import History
from adk_simulator.engine.history import UserQuery
from adk_simulator.engine.projection import project_history

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session

SessionStatus = Literal["in_progress", "completed", "exported"]


class ExportRecord(BaseModel):
  """One export of a session to an eval set."""

  eval_set: str
  eval_id: str
  at: float


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


def _ours(event: Event) -> dict[str, Any]:
  notes = (event.custom_metadata or {}).get(METADATA_KEY)
  return notes if isinstance(notes, dict) else {}


def is_metadata_event(event: Event) -> bool:
  """A simulator metadata event (no content), not part of the conversation."""
  return not (event.content and event.content.parts) and bool(
    _ours(event).get("session") or _ours(event).get("export")
  )


def metadata_event(payload: dict[str, Any]) -> Event:
  """A content-less event carrying simulator metadata."""
  from google.adk.events.event import Event

  return Event(
    author="user",
    invocation_id=f"adk-simulator-{uuid.uuid4().hex[:12]}",
    custom_metadata={METADATA_KEY: payload},
  )


def session_start(events: list[Event]) -> dict[str, Any] | None:
  """The `session` metadata the simulator wrote when the session started."""
  for event in events:
    start = _ours(event).get("session")
    if isinstance(start, dict):
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
    return dict(start.get("initial_state") or {})
  touched: set[str] = set()
  for event in session.events:
    touched.update((event.actions.state_delta or {}).keys())
  return {k: v for k, v in session.state.items() if k not in touched}


def exports_of(events: list[Event]) -> list[ExportRecord]:
  return [
    ExportRecord.model_validate(_ours(e)["export"])
    for e in events
    if isinstance(_ours(e).get("export"), dict)
  ]


def last_conversation_event(events: list[Event]) -> Event | None:
  """The last event that is part of the conversation (not simulator metadata)."""
  for event in reversed(events):
    if event.content and event.content.parts and not event.partial:
      return event
  return None


def session_status(events: list[Event], history: History | None = None) -> SessionStatus:
  """in_progress until the agent has answered the last user turn.

  Args:
    events: The session's events.
    history: Their projection, when the caller has it already.
  """
  entries = (history or project_history(events)).entries
  if not entries or not isinstance(entries[-1], FinalResponse):
    return "in_progress"
  last_content = max(i for i, e in enumerate(events) if e.content and e.content.parts)
  exported_after = any(isinstance(_ours(e).get("export"), dict) for e in events[last_content + 1 :])
  return "exported" if exported_after else "completed"


def summarize(session: Session, *, agent: str | None = None) -> SessionSummary:
  """The browser's row for a stored session."""
  history = project_history(session.events)
  start = session_start(session.events) or {}
  first = next((e for e in history.entries if isinstance(e, UserQuery)), None)
  timestamps = [e.timestamp for e in session.events] or [session.last_update_time]
  return SessionSummary(
    id=session.id,
    agent=agent or str(start.get("agent") or session.app_name),
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
