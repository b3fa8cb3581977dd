"""The simulator's notes on ADK events: `event.custom_metadata["adk_simulator"]`.

The ADK session is the record; these notes add what ADK does not store and
the history needs, and they travel with the events into every store and file:

- `session`: on a content-less event first, the configured agent and the exact
  initial state (the golden trace's `session_input` needs the real one);
- `export`: on a content-less event after each export;
- `resumed`: on a content-less event where a stopped session ran on again;
- `turn`: on a model response the person gave, its step number;
- `calls`: on a function-response event, per call id: its duration, its error
  in full (type, message, traceback, cancelled), and for an AgentTool call its
  inner run, the events of the child session ADK ran the agent in.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError

if TYPE_CHECKING:
  from google.adk.events.event import Event

METADATA_KEY = "adk_simulator"
"""Key of the simulator's notes inside `Event.custom_metadata`."""


class _Note(BaseModel):
  # Notes written by a later version keep their unknown fields on a round trip.
  model_config = ConfigDict(extra="allow")


class ErrorNote(_Note):
  type: str
  message: str
  traceback: str | None = None
  cancelled: bool = False


class InnerRun(_Note):
  """An AgentTool's run of its agent, in the child session ADK made for it."""

  agent: str
  events: list[dict[str, Any]] = Field(default_factory=list)
  """The child session's events, as ADK's Event JSON."""


class CallNote(_Note):
  duration_s: float | None = None
  error: ErrorNote | None = None
  inner_run: InnerRun | None = None
  non_finite: list[str] = Field(default_factory=list)
  """Where the output held NaN or Infinity (`$.ratio`): JSON has no such
  numbers, so the stored output has null there."""


class TurnNote(_Note):
  """A model response the person gave (one without this note came from a callback)."""

  step: int


class SessionStart(_Note):
  agent: str
  initial_state: dict[str, Any] = Field(default_factory=dict)
  replay_of: str | None = None
  imported_from: str | None = None
  """The file an imported session came from: the simulator did not record its turns."""


class ExportRecord(_Note):
  """One export of a session to an eval set."""

  eval_set: str
  eval_id: str
  at: float


class FailureRecord(_Note):
  """A headless run that failed: the session stays stored, marked failed."""

  reason: str
  at: float


class ResumeRecord(_Note):
  """The app opened the stopped session again and ran on: the time between the
  last event before this one and this one, the app was not running it."""

  at: float


class Notes(_Note):
  session: SessionStart | None = None
  export: ExportRecord | None = None
  failure: FailureRecord | None = None
  resumed: ResumeRecord | None = None
  turn: TurnNote | None = None
  calls: dict[str, CallNote] = Field(default_factory=dict)


def notes_of(event: Event) -> Notes:
  """The simulator's notes on `event`; empty for events it did not annotate.

  Notes that do not parse (written by hand, or by an incompatible version)
  read as no notes rather than failing the whole session.
  """
  raw = (event.custom_metadata or {}).get(METADATA_KEY)
  if not isinstance(raw, dict):
    return Notes()
  try:
    return Notes.model_validate(raw)
  except ValidationError:
    return Notes()


def write_notes(event: Event, notes: Notes) -> None:
  """Replaces the simulator's notes on `event`, keeping everyone else's metadata."""
  metadata = dict(event.custom_metadata or {})
  metadata[METADATA_KEY] = notes.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
  event.custom_metadata = metadata


def is_metadata_event(event: Event) -> bool:
  """A simulator metadata event (no content), not part of the conversation."""
  if event.content and event.content.parts:
    return False
  notes = notes_of(event)
  return (
    notes.session is not None
    or notes.export is not None
    or notes.failure is not None
    or notes.resumed is not None
  )


def metadata_event(notes: Notes) -> Event:
  """A content-less event carrying simulator notes."""
  from google.adk.events.event import Event

  event = Event(author="user", invocation_id=f"adk-simulator-{uuid.uuid4().hex[:12]}")
  write_notes(event, notes)
  return event
