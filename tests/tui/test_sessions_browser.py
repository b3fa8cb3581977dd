"""Saved sessions in the app: browse, filter, open, resume, export, replay, delete.

Real sessions recorded with the engine into a real SQLite store, then driven
with keys in the simulator app, on the real ADK runtime.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.adk.evaluation.eval_set import EvalSet
from textual.widgets import Input
from tui_helpers import screen_text
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel
from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen
from adk_simulator.tui.screens.export_choice import ExportChoiceScreen
from adk_simulator.tui.screens.query import QueryScreen
from adk_simulator.tui.screens.replay_view import ReplayViewScreen
from adk_simulator.tui.screens.session_view import SessionViewScreen
from adk_simulator.tui.screens.sessions_browser import SessionFilter
from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
from adk_simulator.tui.screens.sessions_browser import SessionTable
from adk_simulator.tui.screens.sessions_browser import workspace_store
from adk_simulator.tui.widgets.timeline import Timeline

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


def loaded_agent(workspace: Workspace) -> LoadedAgent:
  loaded = workspace.load_agent(workspace.agents[0])
  assert isinstance(loaded, LoadedAgent), loaded
  return loaded


async def record_math(workspace: Workspace, agent: LoadedAgent, query: str) -> Simulation:
  """A finished session: three calls (one fails), then the answer."""
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query(query)
  await simulation.submit_turn(call("multiply", a=5, b=5))
  await simulation.submit_turn(parallel(("add", {"a": 25, "b": 10}), ("divide", {"a": 1, "b": 0})))
  await simulation.submit_turn(answer("35"))
  return simulation


async def record_unfinished(workspace: Workspace, agent: LoadedAgent) -> Simulation:
  """A session left after its first tool call, the model not asked again yet."""
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("Half done: 1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.abandon()
  return simulation


@pytest.fixture
async def math_sessions(make_workspace) -> tuple[Workspace, list[Simulation]]:
  """A math workspace holding, oldest first: completed, exported, in progress."""
  workspace = make_workspace(("Math", "math_agent", {}))
  agent = loaded_agent(workspace)
  completed = await record_math(workspace, agent, "What is 5*5+10?")
  exported = await record_math(workspace, agent, "And 5*5+10 again?")
  await exported.export()
  unfinished = await record_unfinished(workspace, agent)
  return workspace, [completed, exported, unfinished]


async def open_browser(app: SimulatorApp, pilot) -> SessionsBrowserScreen:
  await settle(pilot)  # the agent picker has loaded the agents
  await app.push_screen(SessionsBrowserScreen(workspace_store(app)))
  await settle(pilot)
  screen = app.screen
  assert isinstance(screen, SessionsBrowserScreen)
  return screen


def shown_ids(screen: SessionsBrowserScreen) -> list[str]:
  table = screen.query_one(SessionTable)
  return [str(row.key.value) for row in table.ordered_rows]


async def clear_filter(pilot) -> None:
  await pilot.press("ctrl+u")


async def test_the_browser_lists_newest_first_filters_and_opens_a_session(math_sessions):
  workspace, (completed, exported, unfinished) = math_sessions
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    browser = await open_browser(app, pilot)
    newest_first = [unfinished.session_id, exported.session_id, completed.session_id]
    assert shown_ids(browser) == newest_first
    assert [row.status for row in browser.rows] == ["in_progress", "exported", "completed"]
    text = screen_text(app)
    assert "3 sessions, newest first" in text
    for words in ("in progress", "exported", "completed", "What is 5*5+10?", "Half done"):
      assert words in text
    assert isinstance(app.focused, SessionFilter), "typing filters at once"

    await type_text(pilot, "progr")
    assert shown_ids(browser) == [unfinished.session_id]
    assert "1 of 3 sessions" in screen_text(app)
    await clear_filter(pilot)
    await type_text(pilot, "math again")  # every word, anywhere in the row
    assert shown_ids(browser) == [exported.session_id]
    await clear_filter(pilot)
    await type_text(pilot, "zzz")
    assert shown_ids(browser) == []
    assert "No session matches “zzz”." in screen_text(app)
    await clear_filter(pilot)
    assert completed.session_id is not None
    await type_text(pilot, completed.session_id[:6])
    assert shown_ids(browser) == [completed.session_id]

    await pilot.press("enter")
    await settle(pilot)
    view = app.screen
    assert isinstance(view, SessionViewScreen)
    kinds = [entry.entry.kind for entry in view.query_one(Timeline).entries]
    assert kinds == [entry.kind for entry in completed.history.entries]
    assert kinds[-1] == "final_response" and "tool_error" in kinds
    text = screen_text(app)
    assert f"session {completed.session_id}" in text
    assert "1 turn · 3 tool calls · 1 error" in text
    assert "ERROR  divide · ZeroDivisionError" in text, "the live view's timeline"
    assert view.check_action("resume", ()) is False and view.check_action("reopen", ())

    # r reopens a finished session in the app, ready to continue.
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)
    assert app.simulation is not None and app.simulation.phase is Phase.COMPLETED
    assert app.simulation.history == completed.history
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, QueryScreen)


async def test_delete_asks_first_then_removes_the_session(math_sessions):
  workspace, (completed, exported, unfinished) = math_sessions
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    browser = await open_browser(app, pilot)
    assert browser.check_action("delete", ()) is False, "in the filter box d is a letter"
    await pilot.press("down")
    assert isinstance(app.focused, SessionTable)
    assert browser.check_action("delete", ())

    await pilot.press("d")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("n")
    await settle(pilot)
    assert shown_ids(browser) == [unfinished.session_id, exported.session_id, completed.session_id]

    await pilot.press("d")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert app.screen is browser
    assert shown_ids(browser) == [exported.session_id, completed.session_id]

    # From the session view too: it asks, deletes, and the browser reads the store again.
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)
    assert app.screen is browser
    assert shown_ids(browser) == [completed.session_id]

    await pilot.press("d", "y")
    await settle(pilot)
    assert shown_ids(browser) == []
    assert "No saved sessions yet." in screen_text(app)
    assert isinstance(app.focused, Input)

  agent = loaded_agent(workspace)
  assert await SessionStore(workspace.session_service, [agent]).list() == []


async def test_resume_continues_an_unfinished_session_where_it_stopped(math_sessions):
  workspace, (_, _, unfinished) = math_sessions
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    await open_browser(app, pilot)
    await type_text(pilot, "progr")
    await pilot.press("enter")
    await settle(pilot)
    view = app.screen
    assert isinstance(view, SessionViewScreen)
    text = screen_text(app)
    assert "It stopped with model call 2 of math_agent unanswered: resuming asks it again." in text
    assert "r resumes it where it stopped, its tools live" in text
    assert view.check_action("reopen", ()) is False  # r resumes it instead
    assert view.check_action("export", ()) is None, "shown greyed out until it has finished"
    assert view.check_action("replay", ()) is True

    # A replay of it stops where the recording does, and says so.
    await pilot.press("p")
    await settle(pilot)
    replay = app.screen
    assert isinstance(replay, ReplayViewScreen) and replay.report is not None
    assert replay.report.outcome == "failed"
    assert outcomes(replay) == [("add", "identical")]
    assert (
      "■ Up to where the session stopped: 1 step compared, 1 identical, 0 differ."
    ) in screen_text(app)
    await pilot.press("escape")
    await settle(pilot)
    assert app.screen is view

    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    simulation = app.simulation
    assert simulation is not None and simulation.session_id == unfinished.session_id
    assert simulation.pending is not None, "the model is asked again"
    assert [type(e) for e in simulation.history.entries] == [UserQuery, ToolCall, ToolOutput]
    await simulation.submit_turn(answer("2"))
    await settle(pilot)
    assert simulation.phase is Phase.COMPLETED
    assert isinstance(app.screen, CompletedScreen)


async def test_export_from_the_session_view_writes_the_eval_set(math_sessions, tmp_path: Path):
  workspace, (completed, _, _) = math_sessions
  eval_set_path = tmp_path / "evalsets" / "math_agent.evalset.json"
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    browser = await open_browser(app, pilot)
    assert completed.session_id is not None
    await type_text(pilot, completed.session_id[:8])
    await pilot.press("enter")
    await settle(pilot)
    view = app.screen
    assert isinstance(view, SessionViewScreen)
    assert view.check_action("export", ())

    await pilot.press("e")
    await settle(pilot)
    assert view.stored.summary.status == "exported"
    assert view.check_action("export", ()) is True, "again, after a question"
    text = screen_text(app)
    assert "Exported as " in text and "evalsets/math_agent.evalset.json" in text
    assert "The eval set now holds 2 cases." in text
    assert app.simulation is None or app.simulation.phase is Phase.SELECTING_AGENT

    # Exported already: exporting again asks, and replacing keeps one case for it.
    assert view.check_action("export", ())
    first_id = view.stored.summary.exports[-1].eval_id
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportChoiceScreen)
    await pilot.press("r")
    await settle(pilot)
    assert app.screen is view
    assert "Exported (replaced its earlier case)" in screen_text(app)
    assert "The eval set now holds 2 cases." in screen_text(app)
    assert view.stored.summary.exports[-1].eval_id == first_id

    await pilot.press("escape")
    await settle(pilot)
    assert [row.status for row in browser.rows] == ["in_progress", "exported", "exported"]

  eval_set = EvalSet.model_validate_json(eval_set_path.read_text(encoding="utf-8"))
  assert len(eval_set.eval_cases) == 2
  case = eval_set.eval_cases[-1]
  (invocation,) = case.conversation or []
  assert invocation.user_content.parts and invocation.user_content.parts[0].text == (
    "What is 5*5+10?"
  )
  assert invocation.intermediate_data is not None
  uses = invocation.intermediate_data.tool_uses  # type: ignore[union-attr]
  assert [(u.name, u.args) for u in uses] == [
    ("multiply", {"a": 5, "b": 5}),
    ("add", {"a": 25, "b": 10}),
    ("divide", {"a": 1, "b": 0}),
  ]


@pytest.fixture
def pricing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, Path]:
  """The pricing fixture agent, whose tools read prices from a file the test changes."""
  prices = tmp_path / "prices.json"
  prices.write_text(json.dumps({"tea": 3, "cake": 4.5}), encoding="utf-8")
  monkeypatch.setenv("PRICING_FILE", str(prices))
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name="Pricing",
        agent="pricing_agent.agent:root_agent",
        eval_set_path=tmp_path / "pricing.evalset.json",
        base_dir=FIXTURES,
      )
    ],
    session_service_uri=f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}",
    base_dir=tmp_path,
  )
  return Workspace(config), prices


async def record_pricing(workspace: Workspace) -> Simulation:
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded_agent(workspace))
  await simulation.submit_query("How much are tea and cake?")
  await simulation.submit_turn(parallel(("price", {"item": "tea"}), ("price", {"item": "cake"})))
  await simulation.submit_turn(call("catalogue"))
  await simulation.submit_turn(call("price", item="scone"))
  await simulation.submit_turn(answer("Tea 3, cake 4.5; no scones."))
  return simulation


def outcomes(screen: ReplayViewScreen) -> list[tuple[str, str]]:
  return [(step.tool_name, step.outcome) for step in screen.steps]


async def test_replay_is_identical_then_shows_where_the_tool_data_drifted(pricing):
  workspace, prices = pricing
  await record_pricing(workspace)
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(120, 40)) as pilot:
    await open_browser(app, pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)
    await pilot.press("p")
    await settle(pilot)
    replay = app.screen
    assert isinstance(replay, ReplayViewScreen)
    assert replay.report is not None and replay.report.outcome == "identical"
    assert outcomes(replay) == [
      ("price", "identical"),
      ("price", "identical"),
      ("catalogue", "identical"),
      ("price", "identical"),
    ]
    text = screen_text(app)
    assert '✓   1  turn 1  price  {"item": "tea"}  identical' in text
    assert "✓ Identical: every tool returned what was recorded (4 steps)." in text

    prices.write_text(json.dumps({"tea": 3, "cake": 5, "scone": 2}), encoding="utf-8")
    await pilot.press("r")
    await settle(pilot)
    assert replay.report is not None and replay.report.outcome == "differs"
    assert outcomes(replay) == [
      ("price", "identical"),
      ("price", "differs"),
      ("catalogue", "differs"),
      ("price", "fails_differently"),
    ]
    text = screen_text(app)
    assert '≠   2  turn 1  price  {"item": "cake"}  differs' in text
    assert "$.price: 4.5 → 5" in text
    assert "$.items.scone: only in the replay (2)" in text
    assert '✗   4  turn 1  price  {"item": "scone"}  fails differently' in text
    assert "≠ Differs: 3 of 4 steps differ from the recording." in text

    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, SessionViewScreen)

  store = SessionStore(workspace.session_service, [loaded_agent(workspace)])
  assert len(await store.list()) == 1, "a replay stores nothing"
