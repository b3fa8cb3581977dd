"""Listing sessions from the summary index: the same rows as reading every event.

Real stores (SQLite files through ADK's SqliteSessionService and its
SQLAlchemy DatabaseSessionService, and memory://), real sessions played on
the ADK runtime, a real index file. The index is a cache: every test holds
the listing against `summarize()` of the sessions read in full.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from google.adk.events.event import Event
from google.genai import types

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.moves.play import Confirm
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.summary import SessionSummary
from adk_simulator.engine.record.summary import summarize
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel
from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.store.summaries import FileSummaryIndex
from adk_simulator.engine.store.summaries import index_path
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "agents"


def workspace_for(tmp_path: Path, uri: str) -> Workspace:
  agents = [
    SimulatedAgentConfig(name="Math", agent=str(REPO_ROOT / "agents" / "math_agent")),
    SimulatedAgentConfig(name="Approvals", agent=str(FIXTURES / "approvals_agent")),
  ]
  return Workspace(SimulatorConfig(agents=agents, session_service_uri=uri, base_dir=tmp_path))


def loaded(workspace: Workspace) -> list[LoadedAgent]:
  agents = workspace.load_all()
  assert len(agents) == 2
  return agents


async def started(workspace: Workspace, agent: LoadedAgent, query: str) -> Simulation:
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query(query)
  return simulation


async def play_some(workspace: Workspace) -> dict[str, Simulation]:
  """Sessions of every status: completed, exported, in progress, waiting."""
  math, approvals = loaded(workspace)
  completed = await started(workspace, math, "What is 5*5+10?")
  await completed.submit_turn(call("multiply", a=5, b=5))
  await completed.submit_turn(parallel(("add", {"a": 25, "b": 10}), ("divide", {"a": 1, "b": 0})))
  await completed.submit_turn(answer("35"))
  exported = await started(workspace, math, "And again?")
  await exported.submit_turn(answer("35"))
  await exported.export(workspace.base_dir / "math.evalset.json")
  unfinished = await started(workspace, math, "Half done")
  await unfinished.submit_turn(call("add", a=1, b=1))
  await unfinished.abandon()
  waiting = workspace.new_simulation()
  await waiting.select_agent(approvals)
  await play(
    waiting, [UserMessage(message="Refund order 7."), call("refund", order_id="7", amount=12.5)]
  )
  return {
    "completed": completed,
    "exported": exported,
    "in_progress": unfinished,
    "waiting": waiting,
  }


async def read_in_full(store: SessionStore) -> list[SessionSummary]:
  """What listing gave before the index: every session read with its events."""
  return [s.summary for s in await store.stored()]


STORES = [
  pytest.param("sqlite:///{tmp}/sessions.db", id="sqlite"),
  pytest.param("sqlite+aiosqlite:///{tmp}/sessions.db", id="sqlalchemy"),
  pytest.param("memory://", id="memory"),
]


@pytest.mark.parametrize("uri", STORES)
async def test_the_listing_matches_reading_every_event_on_every_store(tmp_path: Path, uri: str):
  workspace = workspace_for(tmp_path, uri.format(tmp=tmp_path.as_posix()))
  played = await play_some(workspace)
  store = workspace.session_store(loaded(workspace))
  first = await store.list()
  assert {row.status: row.id for row in first} == {
    status: simulation.session_id for status, simulation in played.items()
  }
  assert first == await read_in_full(store)
  again = workspace.session_store(loaded(workspace))
  assert await again.list() == first, "summaries read back from the index"
  assert await again.list(agent="approvals") == [r for r in first if r.agent == "Approvals"]
  row = next(r for r in first if r.status == "completed")
  assert (row.turns, row.tool_calls, row.errors, row.first_query) == (1, 3, 1, "What is 5*5+10?")


async def test_a_listing_from_the_index_reads_no_events(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  await play_some(workspace)
  store = workspace.session_store(loaded(workspace))
  listed = await store.list()
  index = workspace.summary_index
  assert isinstance(index, FileSummaryIndex) and index.path.is_relative_to(
    tmp_path / ".adk-simulator" / "summaries"
  )
  # Take every event out of the store behind ADK's back, update times kept:
  # a listing that still shows the turns read them from the index.
  with sqlite3.connect(tmp_path / "sessions.db") as db:
    db.execute("DELETE FROM events")
  db.close()
  assert (
    await workspace_for(tmp_path, workspace.config.session_service_uri)
    .session_store(loaded(workspace))
    .list()
    == listed
  )


async def test_a_session_that_changed_is_summarised_again(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  played = await play_some(workspace)
  store = workspace.session_store(loaded(workspace))
  before = {row.id: row for row in await store.list()}

  completed = played["completed"]
  completed.continue_conversation()
  await completed.submit_query("Now double it")
  await completed.submit_turn(call("multiply", a=35, b=2))
  waiting = played["waiting"]
  await play(waiting, [Confirm(confirmed=True)])

  after = {row.id: row for row in await store.list()}
  assert after == {row.id: row for row in await read_in_full(store)}
  (grown, answered) = (after[completed.session_id], after[waiting.session_id])
  assert (grown.turns, grown.tool_calls, grown.status) == (2, 4, "in_progress")
  assert before[completed.session_id].status == "completed"
  assert (before[waiting.session_id].status, answered.status) == ("waiting", "in_progress")
  unchanged = played["exported"].session_id
  assert after[unchanged] == before[unchanged]


async def test_deleted_sessions_leave_the_listing_and_the_index(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  played = await play_some(workspace)
  agents = loaded(workspace)
  store = workspace.session_store(agents)
  await store.list()
  await store.delete(played["exported"].session_id or "")
  # And one deleted by another tool, straight through ADK's service.
  gone = await played["in_progress"].stored_session()
  await workspace.session_service.delete_session(
    app_name=gone.app_name, user_id=gone.user_id, session_id=gone.id
  )
  listed = await workspace.session_store(agents).list()
  assert sorted(row.status for row in listed) == ["completed", "waiting"]
  indexed = workspace.summary_index.read(agents[0].app_name)
  assert {key[2] for key in indexed} == {played["completed"].session_id}


async def test_sessions_made_elsewhere_and_imported_list_like_their_events_say(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  math, _ = loaded(workspace)
  store = workspace.session_store([math])
  service = workspace.session_service
  # What `adk web` stores: no simulator notes, the model's turns from a real model.
  elsewhere = await service.create_session(app_name=math.app_name, user_id="web", state={"a": 1})
  for author, text in (("user", "Made in adk web"), ("math_agent", "Forty-two.")):
    role = "user" if author == "user" else "model"
    content = types.Content(role=role, parts=[types.Part(text=text)])
    await service.append_event(
      elsewhere, Event(author=author, invocation_id="web-1", content=content)
    )
  exported = await started(workspace, math, "Exported then imported")
  await exported.submit_turn(answer("Yes."))
  file = await store.write_json(exported.session_id or "", tmp_path / "s.session.json")
  # Played again elsewhere: other events under the same session id (the same file is refused).
  data = json.loads(file.read_text(encoding="utf-8"))
  for number, event in enumerate(data["events"]):
    event["id"] = f"elsewhere-{number}"
  text = json.dumps(data).replace("Exported then imported", "Edited and imported")
  file.write_text(text, encoding="utf-8")
  await store.list()
  imported = await store.import_json(file)
  listed = await store.list()
  assert listed == await read_in_full(store)
  by_id = {row.id: row for row in listed}
  assert by_id[elsewhere.id].first_query == "Made in adk web"
  assert by_id[elsewhere.id].status == "completed" and by_id[elsewhere.id].agent == "Math"
  copy = by_id[imported.session.id]
  assert copy.id != exported.session_id and copy.first_query == "Edited and imported"
  assert (copy.turns, copy.status) == (1, "completed")


async def test_a_damaged_or_older_index_is_read_past(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  await play_some(workspace)
  agents = loaded(workspace)
  truth = await read_in_full(SessionStore(workspace.session_service, agents))
  path = index_path(workspace.config.session_service_uri, tmp_path / "index", None)
  path.parent.mkdir()
  path.write_bytes(b"not a database" * 100)
  assert (
    await SessionStore(workspace.session_service, agents, index=FileSummaryIndex(path)).list()
    == truth
  )
  path.unlink()
  with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE summaries (app_name, user_id, session_id, update_time, summary)")
    db.execute("INSERT INTO summaries VALUES ('math_agent', 'u', 's', 1, ?)", (json.dumps({}),))
    db.execute("PRAGMA user_version = 0")
  db.close()
  index = FileSummaryIndex(path)
  assert await SessionStore(workspace.session_service, agents, index=index).list() == truth
  assert await SessionStore(workspace.session_service, agents, index=index).list() == truth


def test_each_store_has_its_own_index_file_whatever_its_password(tmp_path: Path):
  postgres = "postgresql+asyncpg://sim:{}@db.example:5432/sessions"
  first = index_path(postgres.format("one"), tmp_path, None)
  assert first == index_path(postgres.format("two"), tmp_path, None)
  assert first.parent == tmp_path and "one" not in first.name
  assert first != index_path(postgres.replace("sessions", "other").format("one"), tmp_path, None)
  store = tmp_path / "a" / "sessions.db"
  assert index_path("sqlite:///a/sessions.db", tmp_path, store).name.startswith("sessions-")
  assert index_path("", tmp_path, store) != index_path("", tmp_path, tmp_path / "sessions.db")


async def test_summaries_match_summarize_for_each_played_session(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  played = await play_some(workspace)
  store = workspace.session_store(loaded(workspace))
  rows = {row.id: row for row in await store.list()}
  for simulation in played.values():
    session = await simulation.stored_session()
    agent = "Approvals" if simulation is played["waiting"] else "Math"
    assert rows[session.id] == summarize(session, agent=agent)


async def test_a_listing_reports_its_progress_through_the_sessions_it_reads(tmp_path: Path):
  workspace = workspace_for(tmp_path, f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}")
  played = await play_some(workspace)
  seen: list[tuple[int, int]] = []
  store = workspace.session_store(loaded(workspace))
  await store.list(progress=lambda read, to_read: seen.append((read, to_read)))
  total = len(played)
  assert seen == [(n, total) for n in range(total + 1)]
  # Listed again: the index answers, nothing is read in full.
  seen.clear()
  await workspace.session_store(loaded(workspace)).list(progress=lambda *p: seen.append(p))
  assert seen == [(0, 0)]
