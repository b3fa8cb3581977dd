"""Opens the ADK session service a session is stored in, by URI.

The URIs are those of `adk web --session_service_uri`: `memory://`,
`sqlite:///path.db` (relative to the config file's folder),
`sqlite:////absolute/path.db`, and SQLAlchemy URLs such as
`postgresql+asyncpg://...`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
  from google.adk.sessions.base_session_service import BaseSessionService


class StorageError(ValueError):
  """A session service URI that cannot be opened."""


# RFC 3986 admits no `_` in a scheme, so `urlparse` finds none in SQLAlchemy's
# `postgresql+psycopg_async://`; SQLAlchemy does.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-_]*)://")

_DRIVER_HINT = (
  "SQLAlchemy stores need SQLAlchemy and the URL's driver; the `postgres` extra"
  " installs them for postgresql+asyncpg:// URLs (`uv sync --extra postgres`, or"
  " `pip install 'adk-simulator[postgres]'`)"
)


def _causes(error: BaseException) -> Iterator[BaseException]:
  """`error`, then what caused it, and so on (however a library wrapped it)."""
  seen: BaseException | None = error
  while seen is not None:
    yield seen
    seen = seen.__cause__ or seen.__context__


def _missing_module(error: BaseException) -> ImportError | None:
  """The ImportError behind `error`, however ADK wrapped it."""
  return next((e for e in _causes(error) if isinstance(e, ImportError)), None)


def sqlite_path(uri: str, base_dir: Path) -> Path | None:
  """The database file of a `sqlite://` URI, or None for other schemes."""
  parsed = urlparse(uri)
  if parsed.scheme != "sqlite":
    return None
  raw = parsed.path
  if not raw:
    return None
  # SQLAlchemy's convention: three slashes then a relative path, four for an
  # absolute one. A relative path is taken against the config's folder so the
  # store does not move with the working directory.
  if raw.startswith("//"):
    return Path(raw[1:])
  return (base_dir / raw.lstrip("/")).resolve()


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of every SQLite database file."""


def _check_sqlite_file(uri: str, path: Path) -> None:
  """Refuses a store file the simulator must not write to, before anything is written.

  A folder, a file that is not a SQLite database (the simulator would add its
  tables to whatever it is), and a file or folder it cannot write to.
  """
  where = f"session store {uri!r} ({path})"
  move = "point session_service_uri (or --session-service-uri) at another file"
  try:
    path.parent.mkdir(parents=True, exist_ok=True)
  except OSError as error:
    raise StorageError(
      f"{where}: cannot create its folder {path.parent}: {error.strerror or error}; {move}"
    ) from None
  if path.is_dir():
    raise StorageError(f"{where}: this is a folder, not a SQLite file; {move}")
  if path.exists():
    try:
      with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    except OSError as error:
      raise StorageError(f"{where}: cannot read it: {error.strerror or error}; {move}") from None
    if head and head != SQLITE_HEADER:  # an empty file is a new database
      raise StorageError(
        f"{where}: not a SQLite database, so nothing was written to it; {move},"
        " or move this file away"
      )
    if not os.access(path, os.W_OK):
      raise StorageError(f"{where}: the file is read-only; make it writable, or {move}")
  elif not os.access(path.parent, os.W_OK):
    raise StorageError(
      f"{where}: its folder {path.parent} is read-only; make it writable, or {move}"
    )


def is_store_error(error: BaseException) -> bool:
  """Whether `error` (or what caused it) came from the session store's database or disk."""
  import sqlite3

  drivers = ("sqlalchemy", "asyncpg", "aiosqlite")
  return any(
    isinstance(e, sqlite3.Error | OSError | StorageError) or type(e).__module__.startswith(drivers)
    for e in _causes(error)
  )


def open_session_service(uri: str, *, base_dir: Path) -> BaseSessionService:
  """Returns the session service for `uri`, creating a SQLite file's folder."""
  if not uri or not uri.strip():
    raise StorageError(
      "session_service_uri is empty: use memory://, sqlite:///FILE or a database URL"
    )
  found = _SCHEME.match(uri)
  scheme = found.group(1) if found else urlparse(uri).scheme
  if not scheme:
    raise StorageError(
      f"session_service_uri {uri!r} has no scheme: use memory://, sqlite:///FILE"
      " or a SQLAlchemy database URL such as postgresql+asyncpg://..."
    )
  if scheme == "memory":
    from google.adk.sessions.in_memory_session_service import InMemorySessionService

    return InMemorySessionService()
  path = sqlite_path(uri, base_dir)
  if scheme == "sqlite":
    if path is None:
      from google.adk.sessions.in_memory_session_service import InMemorySessionService

      return InMemorySessionService()
    from google.adk.sessions.sqlite_session_service import SqliteSessionService

    _check_sqlite_file(uri, path)
    return SqliteSessionService(db_path=str(path))
  from adk_simulator.engine import adk

  try:
    return adk.session_service_from_uri(uri, base_dir)
  except Exception as error:  # a missing or unknown driver, or a malformed URL
    # ADK reports a missing driver as a ValueError raised from the ImportError.
    missing = _missing_module(error)
    if missing is not None:
      raise StorageError(
        f"cannot open session_service_uri {uri!r}: {missing}. {_DRIVER_HINT}"
      ) from error
    raise StorageError(f"cannot open session_service_uri {uri!r}: {error}") from error
