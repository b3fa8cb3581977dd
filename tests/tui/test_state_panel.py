"""The state and artifacts panel: `s` in the session, on the summary and in a saved session.

Played on the fixture agent `scrapbook_agent`, whose tools write session state
(`remember`) and save artifacts (`write_page`, through `tool_context.save_artifact`).
"""

from __future__ import annotations

from pathlib import Path

from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.value_viewer import ValueScreen
from adk_simulator.tui.widgets.state_panel import StatePanel

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "scrapbook_agent"


def notebook(tui_workspace: WorkspaceFactory, **state: str):
  keys: dict[str, object] = {"agent": NOTEBOOK, "eval_set": "evalsets/notebook.evalset.json"}
  if state:
    keys["initial_state"] = state
  return tui_workspace(extra={"Notebook": keys})


def panel(app: SimulatorApp) -> StatePanel:
  return app.screen.query_one(StatePanel)


async def test_the_panel_follows_the_session_live(tui_workspace: WorkspaceFactory) -> None:
  app = SimulatorApp(notebook(tui_workspace, colour="blue"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Keep my notes.")
    assert isinstance(app.screen, ActiveScreen)
    assert not panel(app).display
    await pilot.press("s")
    await wait_until(pilot, lambda: panel(app).view is not None)
    assert panel(app).display and not app.screen.query_one("#model-view").display
    view = panel(app).view
    assert view is not None and view.state == {"colour": "blue"} and view.step is None

    await call_tool(pilot, "remember", "colour", "red")
    await wait_until(pilot, lambda: (v := panel(app).view) is not None and v.step == 1)
    text = screen_text(app)
    assert "Changed by step 1" in text
    assert "~ colour: blue → red" in text
    assert '+ kept: ["colour"]' in text

    await call_tool(pilot, "write_page", "notes.md", "First draft")
    await wait_until(pilot, lambda: (v := panel(app).view) is not None and v.step == 2)
    text = screen_text(app)
    assert "Artifacts (1)" in text
    assert "notes.md  v0 (step 2)  · saved by the last step" in text
    assert "│ First draft" in text

    await call_tool(pilot, "write_page", "notes.md", "Second draft")
    await wait_until(pilot, lambda: (v := panel(app).view) is not None and v.step == 3)
    text = screen_text(app)
    assert "notes.md  v0 (step 2), v1 (step 3)" in text
    assert "│ Second draft" in text and "│ First draft" not in text

    # The panel has the focus since s: enter opens the whole view, every
    # version's content included.
    assert app.focused is panel(app)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ValueScreen)
    await pilot.press("escape")
    await settle(pilot)

    # s again: the model view is back in its place.
    await pilot.press("s")
    await settle(pilot)
    assert not panel(app).display and app.screen.query_one("#model-view").display

    await answer(pilot, "Noted.")
    assert isinstance(app.screen, CompletedScreen)
    await pilot.press("s")
    await wait_until(pilot, lambda: panel(app).view is not None)
    assert not app.screen.query_one("#summary").display
    text = screen_text(app)
    assert "Changed by step 4" in text and "(nothing)" in text
    assert "last_page: notes.md" in text


async def test_at_80_columns_the_panel_takes_the_whole_body(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(notebook(tui_workspace))
  async with app.run_test(size=(80, 24)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Keep my notes.")
    await pilot.press("s")
    await wait_until(pilot, lambda: panel(app).view is not None)
    assert not app.screen.query_one("#timeline-box").display
    assert "State (0 keys)" in screen_text(app)
    # m from the panel shows what the model sees; s then t still work.
    await pilot.press("m")
    await settle(pilot)
    assert app.screen.query_one("#model-view").display and not panel(app).display
    await pilot.press("s")
    await settle(pilot)
    assert panel(app).display
    await call_tool(pilot, "remember", "size", "L")
    await wait_until(pilot, lambda: (v := panel(app).view) is not None and v.step == 1)
    assert "+ size: L" in screen_text(app)


async def test_a_saved_session_shows_its_stored_state(tui_workspace: WorkspaceFactory) -> None:
  from adk_simulator.tui.screens.session_view import SessionViewScreen
  from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen

  app = SimulatorApp(notebook(tui_workspace))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Write a page.")
    await call_tool(pilot, "write_page", "p.md", "hello")
    await answer(pilot, "Done.")
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("y")  # leave, not exported
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, SessionsBrowserScreen)
    await wait_until(pilot, lambda: "Notebook" in screen_text(app))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)
    await pilot.press("s")
    await wait_until(pilot, lambda: panel(app).view is not None)
    text = screen_text(app)
    assert "last_page: p.md" in text
    assert "p.md  v0 (step 1)" in text
    assert "content not kept" in text
