"""The helpdesk's SQLite database: where it lives and how it is built from the seed.

The database is a real file, built from the committed `seed.sql` the first time a
tool needs it. It lives beside this module as `helpdesk.db` unless the
`HELPDESK_DB` environment variable names another path (tests point it at a
temporary folder). Delete the file to get the seed data back.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

SEED_PATH = Path(__file__).with_name("seed.sql")
DEFAULT_DATABASE_PATH = Path(__file__).with_name("helpdesk.db")
DATABASE_PATH_VARIABLE = "HELPDESK_DB"


def database_path() -> Path:
  """Returns where the database lives: `$HELPDESK_DB`, else `helpdesk.db` here."""
  override = os.environ.get(DATABASE_PATH_VARIABLE)
  return Path(override) if override else DEFAULT_DATABASE_PATH


def ensure_database(path: Path | None = None) -> Path:
  """Builds the database from the seed unless it already exists.

  Safe when several processes or threads start at once: each builder writes a
  private temporary file and only one of them gets to publish it.

  Args:
    path: Where the database should be; defaults to `database_path()`.

  Returns:
    The path of the ready database.
  """
  path = path or database_path()
  if not path.exists():
    build_database(path)
  return path


def build_database(path: Path) -> None:
  """Builds a fresh database from the seed and publishes it at `path`.

  If another builder published `path` first, its file wins and this build is
  discarded, so rows somebody already wrote there are never replaced.

  Args:
    path: Where to publish the database.
  """
  path.parent.mkdir(parents=True, exist_ok=True)
  # The temporary file sits in the same folder so publishing it is a rename on
  # one filesystem, never a copy a reader could see half-done.
  handle, temporary_name = tempfile.mkstemp(
    prefix=f"{path.name}.", suffix=".building", dir=path.parent
  )
  os.close(handle)
  temporary_path = Path(temporary_name)
  try:
    connection = sqlite3.connect(temporary_path)
    try:
      connection.executescript(SEED_PATH.read_text(encoding="utf-8"))
      connection.commit()
    finally:
      connection.close()
    _publish(temporary_path, path)
  finally:
    temporary_path.unlink(missing_ok=True)


def _publish(built: Path, path: Path) -> None:
  """Moves a finished build to `path` unless a database is already there."""
  try:
    # A hard link is an atomic "create if absent": it fails when `path` exists,
    # where os.replace would silently swap out a database a faster builder has
    # already handed to its tools.
    os.link(built, path)
  except FileExistsError:
    return
  except OSError:
    # Filesystems without hard links: fall back to an atomic replace, which can
    # only lose a race that both builders won within the same instant.
    if not path.exists():
      os.replace(built, path)


@contextlib.contextmanager
def connect() -> Iterator[sqlite3.Connection]:
  """Opens the database (building it first if needed) for one tool call.

  The transaction commits when the block ends normally and rolls back when it
  raises; the connection is closed either way.

  Yields:
    A connection whose rows are `sqlite3.Row`s.
  """
  # A generous timeout: sync tools run on worker threads and may write at once.
  connection = sqlite3.connect(ensure_database(), timeout=10)
  connection.row_factory = sqlite3.Row
  connection.execute("PRAGMA foreign_keys = ON")
  try:
    with connection:
      yield connection
  finally:
    connection.close()
