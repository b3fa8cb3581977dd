"""The sessions a workspace has stored: list, find, delete, ADK JSON in and out.

The interchange file is ADK's own saved-session JSON, the file `adk run
--save_session` writes and `adk run --resume FILE` reads.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adk_simulator.engine import adk
from adk_simulator.engine.record.notes import Notes
from adk_simulator.engine.record.notes import SessionStart
from adk_simulator.engine.record.notes import metadata_event
from adk_simulator.engine.record.summary import SessionSummary
from adk_simulator.engine.record.summary import recovered_initial_state
from adk_simulator.engine.record.summary import session_start
from adk_simulator.engine.record.summary import summarize
from adk_simulator.engine.store.summaries import IndexedSummary
from adk_simulator.engine.store.summaries import SummaryIndex

if TYPE_CHECKING:
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.sessions.session import Session

  from adk_simulator.engine.agents.loader import LoadedAgent


ListProgress = Callable[[int, int], None]
"""Told (sessions read in full so far, sessions to read) while a listing reads the store."""


class SessionNotFoundError(LookupError):
  """No stored session has that id (or id prefix)."""


class SessionFileError(ValueError):
  """A session file that cannot be read or written; names the file."""


class AlreadyImportedError(SessionFileError):
  """The session a file holds is in the store already: nothing was imported."""

  def __init__(self, path: Path, stored: StoredSession) -> None:
    summary = stored.summary
    super().__init__(
      f"{path} is already in the store as session {summary.id} ({summary.agent},"
      f" {summary.status}, started {_when(summary.started)}); nothing was imported"
    )
    self.path = path
    self.stored = stored


@dataclass(frozen=True)
class StoredSession:
  """A stored session with the configured agent that plays it."""

  agent: LoadedAgent
  session: Session
  summary: SessionSummary


class SessionStore:
  """The stored sessions of the given agents.

  Args:
    session_service: The ADK session service the sessions are stored in.
    agents: The configured agents whose sessions are listed.
    index: Where the listing keeps each session's summary (`Workspace.summary_index`
      for the workspace's store); by default an index in memory, for this store's life.
  """

  def __init__(
    self,
    session_service: BaseSessionService,
    agents: Sequence[LoadedAgent],
    *,
    index: SummaryIndex | None = None,
  ) -> None:
    self.session_service = session_service
    self.agents = list(agents)
    self.index = index if index is not None else SummaryIndex()

  def _owner(self, app_name: str, start_agent: str | None) -> LoadedAgent | None:
    """The configured agent of a session: by app, then by the agent its start note names."""
    same_app = [a for a in self.agents if a.app_name == app_name]
    named = [a for a in same_app if start_agent is not None and a.config.name == start_agent]
    return (named or same_app or [None])[0]

  def _agent_for(self, session: Session) -> LoadedAgent | None:
    start = session_start(session.events)
    return self._owner(session.app_name, start.agent if start else None)

  def _wanted(self, owner: LoadedAgent, agent: str | None) -> bool:
    return agent is None or agent.casefold() in (
      owner.config.name.casefold(),
      owner.config.snake_name,
    )

  async def _briefs(self) -> list[Session]:
    """Every stored session of the configured apps, without its events."""
    briefs: list[Session] = []
    for app_name in dict.fromkeys(a.app_name for a in self.agents):
      briefs.extend((await self.session_service.list_sessions(app_name=app_name)).sessions)
    return briefs

  async def _full(self, brief: Session) -> Session | None:
    return await self.session_service.get_session(
      app_name=brief.app_name, user_id=brief.user_id, session_id=brief.id
    )

  async def stored(self, *, agent: str | None = None) -> list[StoredSession]:
    """Every stored session of the configured agents (or of `agent`), newest first."""
    found = []
    for brief in await self._briefs():
      session = await self._full(brief)
      owner = self._agent_for(session) if session is not None else None
      if session is None or owner is None or not self._wanted(owner, agent):
        continue
      found.append(StoredSession(owner, session, summarize(session, agent=owner.config.name)))
    return sorted(found, key=lambda s: s.summary.started, reverse=True)

  async def list(
    self, *, agent: str | None = None, progress: ListProgress | None = None
  ) -> list[SessionSummary]:
    """The summaries of `stored`, newest first, read from the index where it is current.

    Only sessions the index does not know, or that changed since it summarised
    them, are read in full; sessions gone from the store leave the index.

    Args:
      agent: Only this agent's sessions (by name or snake name).
      progress: Called with (read, to_read) before the first full read and
        after each: on a store never listed, every session is read once.
    """
    plans = []
    to_read = 0
    for app_name in dict.fromkeys(a.app_name for a in self.agents):
      listed = (await self.session_service.list_sessions(app_name=app_name)).sessions
      known = await asyncio.to_thread(self.index.read, app_name)
      to_read += sum(
        1
        for brief in listed
        if (entry := known.get((app_name, brief.user_id, brief.id))) is None
        or entry.update_time != brief.last_update_time
      )
      plans.append((app_name, listed, known))
    read = 0
    if progress is not None:
      progress(read, to_read)
    rows: list[SessionSummary] = []
    for app_name, listed, known in plans:
      fresh: list[IndexedSummary] = []
      seen: set[tuple[str, str, str]] = set()
      for brief in listed:
        key = (app_name, brief.user_id, brief.id)
        seen.add(key)
        entry = known.get(key)
        if entry is None or entry.update_time != brief.last_update_time:
          session = await self._full(brief)
          read += 1
          if progress is not None:
            progress(read, to_read)
          if session is None:  # deleted since it was listed
            continue
          entry = IndexedSummary.of(session)
          fresh.append(entry)
        owner = self._owner(app_name, entry.start_agent)
        if owner is not None and self._wanted(owner, agent):
          rows.append(entry.summary.model_copy(update={"agent": owner.config.name}))
      await asyncio.to_thread(self.index.update, fresh, known.keys() - seen)
    return sorted(rows, key=lambda s: s.started, reverse=True)

  async def find(self, session_id: str) -> StoredSession:
    """The session with this id, or the only one whose id starts with it."""
    briefs = await self._briefs()
    matches = [b for b in briefs if b.id == session_id] or [
      b for b in briefs if b.id.startswith(session_id)
    ]
    if not matches:
      raise SessionNotFoundError(
        f"no stored session {session_id!r}: `adk-sim sessions list` shows the ids"
      )
    if len(matches) > 1:
      ids = ", ".join(s.id for s in matches[:5])
      raise SessionNotFoundError(
        f"{session_id!r} matches several sessions ({ids}): give more of it"
      )
    session = await self._full(matches[0])
    if session is None:
      raise SessionNotFoundError(f"session {matches[0].id} is no longer in the store")
    owner = self._agent_for(session)
    if owner is None:
      raise SessionNotFoundError(f"session {session.id} belongs to no configured agent")
    return StoredSession(owner, session, summarize(session, agent=owner.config.name))

  async def delete(self, session_id: str) -> SessionSummary:
    stored = await self.find(session_id)
    session = stored.session
    await self.session_service.delete_session(
      app_name=session.app_name, user_id=session.user_id, session_id=session.id
    )
    await asyncio.to_thread(
      self.index.update, [], [(session.app_name, session.user_id, session.id)]
    )
    return stored.summary

  async def write_json(self, session_id: str, path: Path, *, overwrite: bool = False) -> Path:
    """Writes ADK's saved-session JSON, as `adk run --save_session` does."""
    stored = await self.find(session_id)
    if path.exists() and not overwrite:
      raise SessionFileError(f"{path} already exists: choose another name (nothing was written)")
    text = _public(stored.session).model_dump_json(indent=2, exclude_none=True, by_alias=True)
    write_new_file(path, text, overwrite=overwrite)
    return path

  async def import_json(self, path: Path, *, agent: str | None = None) -> StoredSession:
    """Brings a saved-session JSON file into the store.

    The session keeps its id unless the store already has another session
    with that id; then it gets an id derived from its content, so nothing
    stored is ever replaced, and importing the same file again finds it.

    Raises:
      SessionFileError: The file cannot be read as a saved session, or names
        no configured agent.
      AlreadyImportedError: The store holds this session already (imported
        before, or exported from this store); nothing was imported.
    """
    from google.adk.sessions.session import Session
    from pydantic import ValidationError

    from adk_simulator.engine.config.files import not_utf8

    try:
      text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
      raise SessionFileError(f"{path}: {not_utf8(error)}") from None
    except OSError as error:
      raise SessionFileError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
      loaded = Session.model_validate_json(text)
    except ValidationError as error:
      first = error.errors()[0]
      where = ".".join(str(p) for p in first["loc"]) or "the file"
      raise SessionFileError(
        f"{path}: not an ADK saved session ({where}: {first['msg']});"
        " expected the JSON `adk run --save_session` writes"
      ) from None
    owner = self._pick_agent(loaded, agent, path)
    initial_state = recovered_initial_state(loaded)
    session_id = loaded.id
    for candidate in (loaded.id, _content_id(loaded)):
      existing = await self.session_service.get_session(
        app_name=owner.app_name, user_id=loaded.user_id, session_id=candidate
      )
      if existing is None:
        session_id = candidate
        break
      if _holds(existing, loaded):
        raise AlreadyImportedError(
          path, StoredSession(owner, existing, summarize(existing, agent=owner.config.name))
        )
    else:  # a session of that content id holding other events: not ours to replace
      session_id = uuid.uuid4().hex
    target = await self.session_service.create_session(
      app_name=owner.app_name, user_id=loaded.user_id, state=initial_state, session_id=session_id
    )
    if session_start(loaded.events) is None:
      start = SessionStart(
        agent=owner.config.name, initial_state=initial_state, imported_from=path.name
      )
      await self.session_service.append_event(target, metadata_event(Notes(session=start)))
    for event in loaded.events:
      await self.session_service.append_event(target, event.model_copy(deep=True))
    stored = await self.session_service.get_session(
      app_name=owner.app_name, user_id=loaded.user_id, session_id=session_id
    )
    assert stored is not None
    await asyncio.to_thread(self.index.update, [IndexedSummary.of(stored)])
    return StoredSession(owner, stored, summarize(stored, agent=owner.config.name))

  def _pick_agent(self, session: Session, wanted: str | None, path: Path) -> LoadedAgent:
    names = ", ".join(repr(a.config.name) for a in self.agents) or "none"
    if wanted is not None:
      for candidate in self.agents:
        if wanted.casefold() in (candidate.config.name.casefold(), candidate.config.snake_name):
          return candidate
      raise SessionFileError(f"no agent named {wanted!r} in the config (configured: {names})")
    for candidate in self.agents:
      if candidate.app_name == session.app_name:
        return candidate
    raise SessionFileError(
      f"{path}: its app {session.app_name!r} is none of the configured agents ({names});"
      " pass --agent NAME to import it for one of them"
    )


def write_new_file(path: Path, text: str, *, overwrite: bool = False) -> None:
  """Writes `text` to `path` atomically (temp file, fsync, rename), not over a file
  that exists unless `overwrite`.

  Raises:
    SessionFileError: The file exists, or cannot be written; nothing was written.
  """
  if path.exists() and not overwrite:
    raise SessionFileError(f"{path} already exists: choose another name (nothing was written)")
  try:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
  except OSError as error:
    raise SessionFileError(f"{path}: cannot write it: {error.strerror or error}") from None
  try:
    with os.fdopen(handle, "w", encoding="utf-8") as out:
      out.write(text)
      out.flush()
      os.fsync(out.fileno())
    os.replace(temporary, path)
  except OSError as error:
    Path(temporary).unlink(missing_ok=True)
    raise SessionFileError(f"{path}: cannot write it: {error.strerror or error}") from None
  except BaseException:
    Path(temporary).unlink(missing_ok=True)
    raise


def _content_id(session: Session) -> str:
  """The id an import gets when the file's own id is taken: the same file, the same id."""
  digest = hashlib.sha256(
    session.model_dump_json(include={"app_name", "user_id", "id", "events"}).encode()
  ).hexdigest()
  return uuid.uuid5(uuid.NAMESPACE_URL, f"adk-simulator-import:{digest}").hex


def _holds(stored: Session, loaded: Session) -> bool:
  """The stored session holds every event of the file (it may have gone on since)."""
  ids = {event.id for event in stored.events}
  return all(event.id in ids for event in loaded.events)


def _when(timestamp: float) -> str:
  from datetime import datetime

  return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _public(session: Session) -> Session:
  """The session as `adk run --save_session` writes it: ADK's internal event metadata removed."""
  try:
    return adk.public_session(session)
  except ImportError:  # a later ADK may move it; the session is still valid as is
    return session
