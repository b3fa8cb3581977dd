"""The helpdesk database is built from its seed on first use, once, even under a race."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SEED_COUNTS = {"customers": 8, "tickets": 12, "orders": 6, "attachments": 2, "credits": 1}


def _counts(path: Path) -> dict[str, int]:
  with sqlite3.connect(path) as connection:
    return {
      table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
      for table in SEED_COUNTS
    }


def _integrity(path: Path) -> str:
  with sqlite3.connect(path) as connection:
    return connection.execute("PRAGMA integrity_check").fetchone()[0]


def _add_customer(path: Path, email: str) -> None:
  connection = sqlite3.connect(path, timeout=10)
  with connection:
    connection.execute(
      "INSERT INTO customers (email, name, plan, created_at) VALUES (?, 'Racer', 'free', 'now')",
      (email,),
    )
  connection.close()


def test_database_lives_beside_the_agent_unless_helpdesk_db_is_set(
  agents_on_path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
  database = agents_on_path("helpdesk_agent.database")
  monkeypatch.delenv("HELPDESK_DB", raising=False)
  assert database.database_path() == database.SEED_PATH.parent / "helpdesk.db"
  monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "elsewhere.db"))
  assert database.database_path() == tmp_path / "elsewhere.db"


def test_first_tool_call_builds_the_database_from_the_seed(agents_on_path, helpdesk_db: Path):
  tools = agents_on_path("helpdesk_agent.tools")
  assert not helpdesk_db.exists()

  result = tools.search_tickets(query="")

  assert helpdesk_db.is_file()
  assert _counts(helpdesk_db) == SEED_COUNTS
  assert result["count"] == 10  # the default limit
  assert list(helpdesk_db.parent.iterdir()) == [helpdesk_db], "a temporary build file was left"


def test_existing_database_is_used_not_rebuilt(agents_on_path, helpdesk_db: Path):
  database = agents_on_path("helpdesk_agent.database")
  database.ensure_database()
  _add_customer(helpdesk_db, "kept@example.com")

  assert database.ensure_database() == helpdesk_db
  assert _counts(helpdesk_db)["customers"] == SEED_COUNTS["customers"] + 1


def test_a_builder_that_loses_the_race_keeps_the_winners_database(
  agents_on_path, helpdesk_db: Path
):
  database = agents_on_path("helpdesk_agent.database")
  database.ensure_database()
  _add_customer(helpdesk_db, "written.by.the.winner@example.com")

  # A second builder that saw no file when it started, finishing late.
  database.build_database(helpdesk_db)

  assert _counts(helpdesk_db)["customers"] == SEED_COUNTS["customers"] + 1
  assert list(helpdesk_db.parent.iterdir()) == [helpdesk_db]


def test_concurrent_threads_build_one_database(agents_on_path, helpdesk_db: Path):
  database = agents_on_path("helpdesk_agent.database")
  builders = 8
  start = threading.Barrier(builders)
  errors: list[BaseException] = []

  def build_then_write(index: int) -> None:
    try:
      start.wait()
      path = database.ensure_database()
      _add_customer(path, f"thread{index}@example.com")
    except BaseException as error:  # noqa: BLE001 - reported by the assertion below
      errors.append(error)

  threads = [threading.Thread(target=build_then_write, args=(i,)) for i in range(builders)]
  for thread in threads:
    thread.start()
  for thread in threads:
    thread.join()

  assert errors == []
  assert _integrity(helpdesk_db) == "ok"
  # Every thread's row survived: no late builder replaced a database in use.
  assert _counts(helpdesk_db) == {**SEED_COUNTS, "customers": SEED_COUNTS["customers"] + builders}
  assert list(helpdesk_db.parent.iterdir()) == [helpdesk_db]


# Loads database.py on its own so the builder processes need not import ADK.
_BUILDER = """
import importlib.util, sqlite3, sys
spec = importlib.util.spec_from_file_location("helpdesk_database", sys.argv[1])
database = importlib.util.module_from_spec(spec)
spec.loader.exec_module(database)
sys.stdin.readline()  # every builder starts when the test says go
path = database.ensure_database()
connection = sqlite3.connect(path, timeout=10)
with connection:
  connection.execute(
      "INSERT INTO customers (email, name, plan, created_at) VALUES (?, 'Racer', 'free', 'now')",
      (f"process{sys.argv[2]}@example.com",),
  )
connection.close()
"""


def test_concurrent_processes_build_one_database(agents_on_path, helpdesk_db: Path):
  database = agents_on_path("helpdesk_agent.database")
  module_path = str(Path(database.__file__))
  builders = [
    subprocess.Popen(
      [sys.executable, "-c", _BUILDER, module_path, str(index)],
      stdin=subprocess.PIPE,
      stderr=subprocess.PIPE,
      text=True,
    )
    for index in range(4)
  ]
  for builder in builders:
    assert builder.stdin is not None
    builder.stdin.write("go\n")
    builder.stdin.flush()
  for builder in builders:
    _, stderr = builder.communicate(timeout=60)
    assert builder.returncode == 0, stderr

  assert _integrity(helpdesk_db) == "ok"
  assert _counts(helpdesk_db) == {**SEED_COUNTS, "customers": SEED_COUNTS["customers"] + 4}
  assert list(helpdesk_db.parent.iterdir()) == [helpdesk_db]
