"""Sessions stored in a real PostgreSQL server, through the CLI and the engine.

Each test gets a database of its own on the server ADK_SIM_TEST_POSTGRES_URL
names (`.ci/run` starts a throwaway one); without it they are skipped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import run

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "tests" / "scripts" / "math_two_turns.json"


@pytest.fixture
def project(tmp_path: Path, postgres_url: str) -> Path:
  """A project with the bundled math agent whose config stores sessions in PostgreSQL."""
  (tmp_path / "adk-simulator.toml").write_text(
    f'session_service_uri = "{postgres_url}"\n\n'
    f'[[agents]]\nname = "Math"\nagent = "{(REPO_ROOT / "agents" / "math_agent").as_posix()}"\n',
    encoding="utf-8",
  )
  shutil.copy(SCRIPT, tmp_path / "math.json")
  return tmp_path


def stored_rows(project: Path) -> list[dict]:
  code, out, err = run(project, "sessions", "list", "--json")
  assert code == 0, err
  return json.loads(out)


def test_play_stores_into_postgres_and_replay_all_reads_it_back(project: Path):
  code, out, err = run(project, "play", "math.json")
  assert code == 0, err
  assert "eval set:" in out and "(1 cases)" in out
  (row,) = stored_rows(project)
  assert (row["agent"], row["status"], row["turns"], row["tool_calls"]) == (
    "Math",
    "exported",
    2,
    4,
  )
  assert row["first_query"] == "What is 5*5+10?"
  for _ in range(2):
    code, _, err = run(project, "play", "math.json", "--no-export")
    assert code == 0, err
  rows = stored_rows(project)
  assert [r["status"] for r in rows] == ["completed", "completed", "exported"], "newest first"
  code, out, _ = run(project, "sessions", "list")
  assert code == 0 and all(r["id"] in out for r in rows)

  # Three sessions listed, read and replayed at once, all on the command's one loop.
  code, out, err = run(project, "replay", "--all", "--concurrency", "3", "--check")
  assert code == 0, out + err
  assert out.strip().splitlines()[-1] == "replayed 3 sessions: 3 identical, 0 differ, 0 failed"
  assert len(stored_rows(project)) == 3, "replays store nothing"


def test_export_delete_and_import_a_session(project: Path):
  code, _, err = run(project, "play", "math.json", "--no-export")
  assert code == 0, err
  (row,) = stored_rows(project)
  code, out, err = run(project, "sessions", "export", row["id"][:8], "-o", "math.session.json")
  assert code == 0, err
  assert "wrote" in out
  saved = json.loads((project / "math.session.json").read_text(encoding="utf-8"))
  assert saved["id"] == row["id"] and saved["events"]

  # Delete finds the session, then deletes it: two round trips on one loop.
  code, out, err = run(project, "sessions", "delete", row["id"], "--yes")
  assert code == 0, err
  assert f"deleted {row['id']}" in out
  assert stored_rows(project) == []

  code, out, err = run(project, "sessions", "import", "math.session.json")
  assert code == 0, err
  assert f"as session {row['id']} (Math, completed, 2 turns, 4 tool calls)" in out
  (back,) = stored_rows(project)
  assert {k: back[k] for k in ("id", "status", "turns", "tool_calls", "first_query")} == {
    k: row[k] for k in ("id", "status", "turns", "tool_calls", "first_query")
  }
  code, out, err = run(project, "replay", row["id"], "--check")
  assert code == 0, out + err
  assert "1 identical" in out


async def test_an_unfinished_session_resumes_from_postgres(project: Path):
  first = Workspace(load_config(project / "adk-simulator.toml"))
  agent = first.load_agent(first.agents[0])
  assert isinstance(agent, LoadedAgent), agent
  try:
    simulation = first.new_simulation()
    await simulation.select_agent(agent)
    await simulation.submit_query("Half done: 1+1?")
    await simulation.submit_turn(call("add", a=1, b=1))
    await simulation.abandon()
  finally:
    await first.close()

  # Another workspace, as another run of the app would open it.
  second = Workspace(load_config(project / "adk-simulator.toml"))
  agent = second.load_agent(second.agents[0])
  assert isinstance(agent, LoadedAgent), agent
  try:
    store = SessionStore(second.session_service, [agent])
    (summary,) = await store.list()
    assert summary.status == "in_progress"
    stored = await store.find(summary.id)
    resumed = second.new_simulation()
    await resumed.open_session(stored.agent, stored.session)
    assert resumed.phase is Phase.ACTIVE and resumed.pending is not None
    assert [type(e) for e in resumed.history.entries] == [UserQuery, ToolCall, ToolOutput]
    await resumed.submit_turn(answer("2"))
    assert resumed.phase is Phase.COMPLETED
    (summary,) = await store.list()
    assert summary.status == "completed"
  finally:
    await second.close()
