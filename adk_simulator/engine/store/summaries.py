"""The summary index: each stored session's row, kept so listing reads no events.

A summary (status, turns, calls, errors, first query) needs every event of a
session, and reading every event of thousands of sessions is slow. The index
keeps each session's summary with the `last_update_time` it was made at;
ADK's `list_sessions` returns that time without the events, and ADK changes
it with every event it appends (ADK's own stale-session check relies on it).
A session whose time differs from the index's, or that the index does not
know (made by `adk web`, imported, or a lost index), is read once in full and
summarised again; a session no longer listed is dropped from the index.

The index is a cache beside the store, never part of it: nothing is written
into the ADK session (its events and state stay exactly what ADK wrote, so
tools, traces and exports never see it), and deleting the index only costs
one slow listing. A `memory://` store gets an index in memory: its sessions
end with the process. Every other store gets a SQLite file in the config's
`.adk-simulator/summaries/` folder, one per store, so PostgreSQL and shared
stores work the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import sqlite3
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from pydantic import ValidationError

from adk_simulator.engine.record.summary import SessionSummary
from adk_simulator.engine.record.summary import session_start
from adk_simulator.engine.record.summary import summarize

if TYPE_CHECKING:
  from google.adk.sessions.session import Session

logger = logging.getLogger(__name__)

SUMMARY_FORMAT = 1
"""Bump when `summarize` or `SessionSummary` change: the index then starts afresh."""

SessionKey = tuple[str, str, str]
"""(app name, user id, session id): how ADK's session services name a session."""


@dataclass(frozen=True)
class IndexedSummary:
  """A session's summary as of its `last_update_time`."""

  app_name: str
  user_id: str
  session_id: str
  update_time: float
  start_agent: str | None
  """The agent the start note names: with the app name, it picks the configured owner."""
  summary: SessionSummary

  @property
  def key(self) -> SessionKey:
    return (self.app_name, self.user_id, self.session_id)

  @classmethod
  def of(cls, session: Session) -> IndexedSummary:
    """Summarises a session read in full (its events included)."""
    start = session_start(session.events)
    return cls(
      app_name=session.app_name,
      user_id=session.user_id,
      session_id=session.id,
      update_time=session.last_update_time,
      start_agent=start.agent if start else None,
      summary=summarize(session),
    )


class SummaryIndex:
  """Summaries kept in memory, for the life of the process."""

  def __init__(self) -> None:
    self._entries: dict[SessionKey, IndexedSummary] = {}

  def read(self, app_name: str) -> dict[SessionKey, IndexedSummary]:
    """Every summary the index has for `app_name`."""
    return {k: v for k, v in self._entries.items() if k[0] == app_name}

  def update(self, fresh: Iterable[IndexedSummary], gone: Iterable[SessionKey] = ()) -> None:
    """Stores `fresh` summaries (replacing older ones) and drops the `gone` sessions."""
    for key in gone:
      self._entries.pop(key, None)
    for entry in fresh:
      self._entries[entry.key] = entry


_SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (
  app_name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  update_time REAL NOT NULL,
  start_agent TEXT,
  summary TEXT NOT NULL,
  PRIMARY KEY (app_name, user_id, session_id)
)
"""


class FileSummaryIndex(SummaryIndex):
  """Summaries in a SQLite file; shared by every process that opens the same store.

  Blocking: the store calls it on a thread. A file that cannot be read or
  written (locked for too long, read-only, damaged) never fails a listing: the
  sessions are summarised from their events instead.
  """

  def __init__(self, path: Path) -> None:
    super().__init__()
    self.path = path

  @contextlib.contextmanager
  def _connection(self) -> Iterator[sqlite3.Connection]:
    self.path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(self.path, timeout=5)
    try:
      (version,) = connection.execute("PRAGMA user_version").fetchone()
      if version != SUMMARY_FORMAT:
        connection.execute("DROP TABLE IF EXISTS summaries")
        connection.execute(f"PRAGMA user_version = {SUMMARY_FORMAT}")
      connection.execute(_SCHEMA)
      with connection:
        yield connection
    finally:
      connection.close()

  def read(self, app_name: str) -> dict[SessionKey, IndexedSummary]:
    try:
      with self._connection() as db:
        rows = db.execute(
          "SELECT user_id, session_id, update_time, start_agent, summary FROM summaries"
          " WHERE app_name = ?",
          (app_name,),
        ).fetchall()
    except (sqlite3.Error, OSError) as error:
      logger.warning("summary index %s unreadable, summarising from events: %s", self.path, error)
      return {}
    found: dict[SessionKey, IndexedSummary] = {}
    for user_id, session_id, update_time, start_agent, summary in rows:
      try:
        parsed = SessionSummary.model_validate_json(summary)
      except ValidationError:
        continue  # read again from the events
      entry = IndexedSummary(app_name, user_id, session_id, update_time, start_agent, parsed)
      found[entry.key] = entry
    return found

  def update(self, fresh: Iterable[IndexedSummary], gone: Iterable[SessionKey] = ()) -> None:
    fresh, gone = list(fresh), list(gone)
    if not fresh and not gone:
      return
    try:
      with self._connection() as db:
        db.executemany(
          "DELETE FROM summaries WHERE app_name = ? AND user_id = ? AND session_id = ?", gone
        )
        db.executemany(
          "INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?, ?, ?)",
          [(*e.key, e.update_time, e.start_agent, e.summary.model_dump_json()) for e in fresh],
        )
    except (sqlite3.Error, OSError) as error:
      logger.warning("summary index %s not written: %s", self.path, error)


def index_path(uri: str, folder: Path, store_file: Path | None) -> Path:
  """The index file of the store at `uri`, in `folder`.

  Named after the store (its file, or the URI without its password) so two
  stores never share an index, and a changed password keeps it.
  """
  if store_file is not None:
    identity = str(store_file.resolve())
    stem = store_file.stem
  else:
    parts = urlsplit(uri)
    netloc = parts.netloc.rpartition("@")
    host = netloc[2]
    user = netloc[0].partition(":")[0]
    identity = urlunsplit(
      (parts.scheme, f"{user}@{host}" if user else host, parts.path, parts.query, "")
    )
    stem = Path(parts.path).stem or parts.scheme
  digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
  stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:40] or "store"
  return folder / f"{stem}-{digest}.db"
