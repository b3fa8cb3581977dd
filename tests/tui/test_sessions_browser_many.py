"""The sessions browser with hundreds of sessions: every one shows, the filter sees them all.

One session is played on the real ADK runtime; the others are its events
appended again through ADK's session service, each with a query of its own,
as another process sharing the store would have written them.
"""

from __future__ import annotations

import time
import uuid

import pytest
from tui_helpers import screen_text
from tui_helpers import settle
from tui_helpers import type_text
from tui_helpers import wait_until

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.sessions_browser import FIRST_ROWS
from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
from adk_simulator.tui.screens.sessions_browser import SessionTable
from adk_simulator.tui.screens.sessions_browser import workspace_store

SESSIONS = 300


def query(number: int) -> str:
  return f"Sum the receipts of q{number:03d}x"


@pytest.fixture
async def many(make_workspace) -> Workspace:
  """A memory store of SESSIONS finished sessions of the math agent, q001x the oldest."""
  workspace = make_workspace(("Math", "math_agent", {}), session_service_uri="memory://")
  agent = workspace.load_agent(workspace.agents[0])
  assert isinstance(agent, LoadedAgent)
  played = workspace.new_simulation()
  await played.select_agent(agent)
  await played.submit_query(query(0))
  await played.submit_turn(call("add", a=1, b=2))
  await played.submit_turn(answer("3"))
  template = await played.stored_session()
  service = workspace.session_service
  for number in range(1, SESSIONS):
    session = await service.create_session(app_name=template.app_name, user_id=template.user_id)
    for event in template.events:
      copy = event.model_copy(deep=True, update={"id": str(uuid.uuid4()), "timestamp": time.time()})
      if copy.author == "user" and copy.content and copy.content.parts:
        copy.content.parts[0].text = query(number)
      await service.append_event(session, copy)
  return workspace


def shown_ids(browser: SessionsBrowserScreen) -> list[str]:
  return [str(row.key.value) for row in browser.query_one(SessionTable).ordered_rows]


async def test_every_session_shows_and_the_filter_looks_through_all_of_them(many: Workspace):
  app = SimulatorApp(many, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    browser = SessionsBrowserScreen(workspace_store(app))
    await app.push_screen(browser)
    table = browser.query_one(SessionTable)
    await wait_until(pilot, lambda: table.row_count == SESSIONS)
    rows = browser.rows
    assert shown_ids(browser) == [row.id for row in rows], "newest first, none missing"
    assert [row.first_query for row in rows[:2]] == [query(SESSIONS - 1), query(SESSIONS - 2)]
    assert rows[-1].first_query == query(0)
    assert {(row.status, row.turns, row.tool_calls) for row in rows} == {("completed", 1, 1)}
    text = screen_text(app)
    assert f"{SESSIONS} sessions, newest first" in text and query(SESSIONS - 1) in text

    # The second oldest is far below the rows the table got first.
    oldest_copy = next(row for row in rows if row.first_query == query(1))
    assert rows.index(oldest_copy) >= FIRST_ROWS
    await type_text(pilot, "q001x")
    await wait_until(pilot, lambda: shown_ids(browser) == [oldest_copy.id])
    assert f"1 of {SESSIONS} sessions" in screen_text(app)
    await pilot.press("ctrl+u")
    await type_text(pilot, "receipts")
    await wait_until(pilot, lambda: table.row_count == SESSIONS)
    await pilot.press("ctrl+u")
    await type_text(pilot, "q0")  # q000x to q099x
    await wait_until(pilot, lambda: table.row_count == 100)
    assert f"100 of {SESSIONS} sessions" in screen_text(app)
    assert shown_ids(browser) == [row.id for row in rows if "q0" in (row.first_query or "")]


async def test_loading_a_store_never_listed_shows_how_far_it_has_got(many: Workspace):
  app = SimulatorApp(many, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    browser = SessionsBrowserScreen(workspace_store(app))
    await app.push_screen(browser)
    await wait_until(pilot, lambda: browser.query_one(SessionTable).row_count == SESSIONS)
    lines = browser.loading_lines
    assert lines[:3] == [
      "Loading sessions: waiting for the agents to load…",
      "Loading sessions: listing the session store…",
      f"Loading sessions: read 0 of {SESSIONS} (once: later listings read only what changed)",
    ]
    reads = [int(line.split()[3]) for line in lines[2:]]
    assert reads == sorted(reads) and reads[-1] == SESSIONS
    assert len(reads) <= 102, "about a hundred updates, not one per session"
    await pilot.press("escape")
    await settle(pilot)

    # Listed again: the index has every summary, nothing is read in full.
    again = SessionsBrowserScreen(workspace_store(app))
    await app.push_screen(again)
    await wait_until(pilot, lambda: again.query_one(SessionTable).row_count == SESSIONS)
    assert not any("read" in line for line in again.loading_lines)
