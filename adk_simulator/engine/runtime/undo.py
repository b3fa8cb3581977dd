"""Undo: taking a session back to just before one of its turns.

ADK rewinds whole invocations: `Runner.rewind_async` appends an event that
marks every event from the invocation's first one onwards as undone, with a
state delta and artifact versions that restore what they were before it. The
events stay stored, so nothing saved is lost, and every reader (ADK's prompt
building, and here `adk.live_events`) leaves them out.

A person's turn is usually inside an invocation: one user message is followed
by several model turns. To undo just one of them, the engine rewinds its whole
invocation, then appends copies of the invocation's events before the undone
turn, under a new invocation id (each copy with new event and function-call
ids and a new timestamp, its content, arguments, results, state delta and
notes unchanged, artifacts saved again at the version they had), and resumes
that invocation with ADK's resumability: the runtime asks the model, that is
the person, for the undone step again.

Why in the same session rather than a fork into a new one: the session keeps
its id, so a saved session, its listing and anything that names it stay
valid, the undone turns stay stored (marked undone the way ADK marks them,
readable by ADK's own tools), and there is no second session to clean up.

State shared beyond the session (`app:`, `user:` keys) and `user:` artifacts
are not rewound, as ADK does not rewind them. A state key that did not exist
before the undone turn is set to None: ADK's state deltas cannot remove a
key, so `state.get(key, default)` then reads None, not the default.

What undo cannot take back: the tools that ran did whatever they do outside
the session (a row written to a database, a message sent). Those side effects
stay; `UndoPlan.ran` lists the tools concerned so the person is told.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from adk_simulator.engine.adk import live_events
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.history import walk
from adk_simulator.engine.record.notes import is_metadata_event
from adk_simulator.engine.runtime.turns import SET_MODEL_RESPONSE

if TYPE_CHECKING:
  from google.adk.artifacts.base_artifact_service import BaseArtifactService
  from google.adk.events.event import Event
  from google.adk.runners import Runner
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.sessions.session import Session


_SHARED = ("app:", "user:", "temp:")
"""State key prefixes of state that is not the session's own."""


class UndoError(RuntimeError):
  """Undo is not possible now, or not on that entry; the message says why."""


class UndoPlan(BaseModel):
  """What undoing would do: everything from `entries[0]` on goes.

  Made by `plan_undo` (through `Simulation.undo_plan`) for the person to
  confirm, and carried out by `Simulation.undo`.
  """

  model_config = ConfigDict(frozen=True)

  event_id: str
  """The session is taken back to just before this event."""
  step: int | None = None
  """The person's model call undone; None when a user message or the user's
  answer to a confirmation or long-running call is undone."""
  entries: list[HistoryEntry] = Field(default_factory=list)
  """The history entries that go, in order (top level; inner runs whole)."""
  ran: list[str] = Field(default_factory=list)
  """Tools that ran in what goes: their effects outside the session stay."""
  whole_turn: bool = False
  """The user's message goes too: the session waits for a new one."""

  @property
  def first(self) -> HistoryEntry:
    return self.entries[0]


def plan_undo(entries: list[HistoryEntry], entry: HistoryEntry | None = None) -> UndoPlan:
  """What undoing `entry`'s turn does; without `entry`, the person's last model turn.

  A tool output, error, confirmation request or inner run (or any entry inside
  one) stands for the turn that made its call. A user message, a confirmation
  answer or a delivered result is undone itself, with everything after it.

  Raises:
    UndoError: Nothing to undo, or the entry is not one the person can undo
      (an answer a callback gave).
  """
  if entry is None:
    target = next(
      (
        e
        for e in reversed(entries)
        if isinstance(e, ToolCall | ModelText | FinalResponse)
        and e.by == "person"
        and e.step is not None
      ),
      None,
    )
    if target is None:
      raise UndoError("nothing to undo yet: no model turn of yours is in the session")
  else:
    target = _turn_of(entries, _top_level(entries, entry))
  if isinstance(target, ToolCall | ModelText | FinalResponse) and target.by == "callback":
    raise UndoError(
      "a callback of the agent gave this answer, not you: undo one of your turns before it"
    )
  start = next(i for i, e in enumerate(entries) if e.event_id == target.event_id)
  gone = entries[start:]
  ran: list[str] = []
  for _, e in walk(gone):
    if isinstance(e, ToolOutput | ToolError) and e.tool_name not in ran:
      ran.append(e.tool_name)
  step = target.step if isinstance(target, ToolCall | ModelText | FinalResponse) else None
  return UndoPlan(
    event_id=target.event_id,
    step=step,
    entries=gone,
    ran=ran,
    whole_turn=isinstance(target, UserQuery),
  )


def _top_level(entries: list[HistoryEntry], entry: HistoryEntry) -> HistoryEntry:
  """`entry`, or the inner run at the top level that holds it."""
  for top in entries:
    if top is entry or top == entry:
      return top
    if isinstance(top, InnerRun) and any(e is entry or e == entry for _, e in walk(top.entries)):
      return top
  raise UndoError("that entry is not in the session's history any more")


def _turn_of(entries: list[HistoryEntry], entry: HistoryEntry) -> HistoryEntry:
  """The entry whose event starts the turn `entry` belongs to."""
  call_id: str | None = None
  if isinstance(entry, FinalResponse) and entry.step is None and entry.by == "person":
    # ADK's own text event for a structured answer: the turn is the
    # `set_model_response` call the person made just before it.
    before = entries[: entries.index(entry)]
    answer = next(
      (
        e
        for e in reversed(before)
        if isinstance(e, ToolCall)
        and e.tool_name == SET_MODEL_RESPONSE
        and e.author == entry.author
      ),
      None,
    )
    return answer or entry
  if isinstance(entry, ToolOutput | ToolError | InnerRun):
    call_id = entry.call_id
  elif isinstance(entry, ConfirmationRequest):
    call_id = entry.original_call_id
  if call_id is None:
    return entry
  call = next((e for e in entries if isinstance(e, ToolCall) and e.call_id == call_id), None)
  if call is None:
    raise UndoError(f"the call {call_id} that made this entry is not in the session")
  return call


async def rewind_to(
  *,
  runner: Runner,
  session_service: BaseSessionService,
  artifact_service: BaseArtifactService | None,
  session: Session,
  event_id: str,
) -> str | None:
  """Takes the stored `session` back to just before its live event `event_id`.

  Returns:
    The invocation to resume (the copy of the one the event was in), or None
    when nothing of that invocation is kept (the event was its first).
  """
  live = live_events(session.events)
  cut = next((i for i, e in enumerate(live) if e.id == event_id), None)
  if cut is None:
    raise UndoError(f"event {event_id} is not in the session any more")
  invocation = live[cut].invocation_id
  first = next(i for i, e in enumerate(live) if e.invocation_id == invocation)
  kept = live[first:cut]
  await runner.rewind_async(
    user_id=session.user_id, session_id=session.id, rewind_before_invocation_id=invocation
  )
  if not kept:
    return None
  renamed: dict[str, str] = {}
  resumed = renamed.setdefault(invocation, f"e-{uuid.uuid4()}")
  stored = await _reload(session_service, session)
  last = max((e.timestamp for e in stored.events), default=time.time())
  call_ids = {fc.id: f"adk-{uuid.uuid4()}" for e in kept for fc in e.get_function_calls() if fc.id}
  for event in kept:
    copy = _with_call_ids(event, call_ids)
    copy.id = _event_id()
    if not is_metadata_event(event):
      copy.invocation_id = renamed.setdefault(event.invocation_id, f"e-{uuid.uuid4()}")
    last = max(time.time(), last + 1e-6)
    copy.timestamp = last
    if copy.actions.state_delta:
      # State shared beyond the session is not rewound (as in ADK): writing
      # the kept values again would undo later changes made elsewhere.
      copy.actions.state_delta = {
        k: v for k, v in copy.actions.state_delta.items() if not k.startswith(_SHARED)
      }
    if copy.actions.artifact_delta and artifact_service is not None:
      copy.actions.artifact_delta = await _saved_again(
        artifact_service, stored, copy.actions.artifact_delta
      )
    await session_service.append_event(stored, copy)
  return resumed


def _with_call_ids(event: Event, call_ids: dict[str, str]) -> Event:
  """A copy of `event` with the function-call ids of `call_ids` renamed, wherever
  they appear (calls, responses, confirmation requests, long-running ids, notes).

  ADK scans the raw events of a session by call id in places (the
  confirmation processor does), rewound ones included: a copy keeping its
  original's ids would be taken for the undone call.
  """
  from google.adk.events.event import Event

  def renamed(value: Any) -> Any:
    if isinstance(value, dict):
      return {call_ids.get(k, k): renamed(v) for k, v in value.items()}
    if isinstance(value, list):
      return [renamed(v) for v in value]
    if isinstance(value, str):
      return call_ids.get(value, value)
    return value

  return Event.model_validate(renamed(event.model_dump(mode="json", exclude_none=True)))


async def _reload(session_service: BaseSessionService, session: Session) -> Session:
  stored = await session_service.get_session(
    app_name=session.app_name, user_id=session.user_id, session_id=session.id
  )
  if stored is None:
    raise UndoError(f"session {session.id} is not in the session store any more")
  return stored


async def _saved_again(
  artifacts: BaseArtifactService, session: Session, delta: dict[str, int]
) -> dict[str, int]:
  """Saves each artifact of `delta` again at the version it names: the kept
  event's version becomes the latest, as it was when the event happened."""
  restored: dict[str, int] = {}
  for filename, version in delta.items():
    if filename.startswith("user:"):
      restored[filename] = version  # user artifacts are not rewound (as in ADK)
      continue
    part = await artifacts.load_artifact(
      app_name=session.app_name,
      user_id=session.user_id,
      session_id=session.id,
      filename=filename,
      version=version,
    )
    if part is None:
      restored[filename] = version
      continue
    restored[filename] = await artifacts.save_artifact(
      app_name=session.app_name,
      user_id=session.user_id,
      session_id=session.id,
      filename=filename,
      artifact=part,
    )
  return restored


def _event_id() -> str:
  from google.adk.events.event import Event

  return Event.new_id()
