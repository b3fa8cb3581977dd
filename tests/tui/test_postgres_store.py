"""The app on a real PostgreSQL store: it plays, lists and resumes sessions on its own loop.

The store opens on a thread and is then used, and closed, on the app's loop
only. Skipped without ADK_SIM_TEST_POSTGRES_URL (`.ci/run` sets it).
"""

from __future__ import annotations

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen
from adk_simulator.tui.screens.session_view import SessionViewScreen
from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen


def math_agent(workspace: Workspace) -> LoadedAgent:
  loaded = workspace.load_agent(workspace.agents[0])
  assert isinstance(loaded, LoadedAgent), loaded
  return loaded


async def test_the_app_plays_and_resumes_sessions_stored_in_postgres(
  tui_workspace: WorkspaceFactory, postgres_url: str
):
  recorder = tui_workspace("Math", session_service_uri=postgres_url)
  try:
    unfinished = recorder.new_simulation()
    await unfinished.select_agent(math_agent(recorder))
    await unfinished.submit_query("Half done: 1+1?")
    await unfinished.submit_turn(call("add", a=1, b=1))
    await unfinished.abandon()
  finally:
    await recorder.close()

  app = SimulatorApp(tui_workspace("Math", session_service_uri=postgres_url), clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "What is 2+2?")
    await answer(pilot, "4")
    assert isinstance(app.screen, CompletedScreen)

    app.show_saved_sessions()
    await settle(pilot)
    browser = app.screen
    assert isinstance(browser, SessionsBrowserScreen)
    assert sorted(row.status for row in browser.rows) == ["completed", "in_progress"]
    await type_text(pilot, "half")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen), "the session just played is not exported"
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    simulation = app.simulation
    assert simulation is not None and simulation.session_id == unfinished.session_id
    await answer(pilot, "2")
    assert simulation.phase is Phase.COMPLETED

  checker = tui_workspace("Math", session_service_uri=postgres_url)
  try:
    rows = await SessionStore(checker.session_service, [math_agent(checker)]).list()
    assert sorted((row.first_query, row.status) for row in rows) == [
      ("Half done: 1+1?", "completed"),
      ("What is 2+2?", "completed"),
    ]
  finally:
    await checker.close()
