"""A saved session's keys in every status: each one shown works, or is shown greyed out
with the reason on the screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tui_helpers import screen_text
from tui_helpers import settle

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.export_choice import ExportChoiceScreen
from adk_simulator.tui.screens.replay_view import ReplayViewScreen
from adk_simulator.tui.screens.session_view import SessionViewScreen
from adk_simulator.tui.screens.sessions_browser import workspace_store

AGENTS = Path(__file__).resolve().parents[2] / "agents"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


def _workspace(tmp_path: Path) -> Workspace:
  def agent(name: str, folder: Path) -> SimulatedAgentConfig:
    return SimulatedAgentConfig(
      name=name, agent=str(folder), eval_set_path=tmp_path / "evalsets" / f"{name}.evalset.json"
    )

  return Workspace(
    SimulatorConfig(
      agents=[
        agent("Math", AGENTS / "math_agent"),
        agent("Approvals", FIXTURES / "approvals_agent"),
      ],
      session_service_uri=f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}",
      base_dir=tmp_path,
    )
  )


async def _started(workspace: Workspace, name: str, query: str) -> Simulation:
  config = next(a for a in workspace.agents if a.name == name)
  agent = workspace.load_agent(config)
  assert isinstance(agent, LoadedAgent), agent
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query(query)
  return simulation


@pytest.fixture
async def sessions(tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
  """One stored session in each status a saved session can have: status → session id."""
  workspace = _workspace(tmp_path)
  ids: dict[str, str] = {}
  for status in ("completed", "exported"):
    simulation = await _started(workspace, "Math", f"{status}: 2+2?")
    await simulation.submit_turn(call("add", a=2, b=2))
    await simulation.submit_turn(answer("4"))
    if status == "exported":
      await simulation.export()
    ids[status] = str(simulation.session_id)
  simulation = await _started(workspace, "Math", "in progress: 1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.abandon()
  ids["in_progress"] = str(simulation.session_id)
  simulation = await _started(workspace, "Math", "failed: 3+3?")
  await simulation.submit_turn(call("add", a=3, b=3))
  await simulation.mark_failed("a scripted step was refused")
  await simulation.abandon()
  ids["failed"] = str(simulation.session_id)
  simulation = await _started(workspace, "Approvals", "Refund order 7")
  await simulation.submit_turn(call("refund", order_id="7", amount=12.0))
  ids["waiting"] = str(simulation.session_id)
  await simulation.abandon()
  return workspace, ids


async def _open(app: SimulatorApp, pilot, session_id: str) -> SessionViewScreen:
  await settle(pilot)
  store = await workspace_store(app)()
  stored = await store.find(session_id)
  await app.push_screen(SessionViewScreen(stored, store=store))
  await settle(pilot)
  assert isinstance(app.screen, SessionViewScreen)
  return app.screen


def _key_state(screen: SessionViewScreen, key: str) -> bool | None:
  """True: the key works; None: shown greyed out; False: not shown."""
  bindings = [b for b in screen.BINDINGS if getattr(b, "key", None) == key]
  states = [screen.check_action(b.action, ()) for b in bindings]  # type: ignore[union-attr]
  return True if True in states else (None if None in states else False)


@pytest.mark.parametrize("status", ["in_progress", "waiting", "failed", "completed", "exported"])
async def test_replay_works_in_every_status_and_export_says_when_it_applies(
  sessions: tuple[Workspace, dict[str, str]], status: str
) -> None:
  workspace, ids = sessions
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(100, 30)) as pilot:
    view = await _open(app, pilot, ids[status])
    assert view.stored.summary.status == status
    finished = status in ("completed", "exported")
    assert _key_state(view, "e") is (True if finished else None)
    footer = app.screen.active_bindings
    assert footer["e"].enabled is finished, "shown either way; greyed out when it cannot"
    commands = {command.title for command in app.get_system_commands(app.screen)}
    assert "Replay" in commands
    assert ("Export to eval set" in commands) is finished, "the palette offers what applies now"
    if not finished:
      assert "e exports it once it has finished" in screen_text(app)
      eval_set = workspace.agents[0].eval_set_path
      before = eval_set.read_text(encoding="utf-8")
      await pilot.press("e")
      await settle(pilot)
      assert app.screen is view
      assert eval_set.read_text(encoding="utf-8") == before, "nothing exported"

    assert _key_state(view, "p") is True
    await pilot.press("p")
    await settle(pilot)
    replay = app.screen
    assert isinstance(replay, ReplayViewScreen)
    assert replay.report is not None and replay.report.steps, "the recorded calls ran again"
    if not finished:
      assert "Up to where the session stopped" in screen_text(app)


async def test_export_again_asks_first_and_adds_a_case(
  sessions: tuple[Workspace, dict[str, str]],
) -> None:
  workspace, ids = sessions
  eval_set = workspace.agents[0].eval_set_path
  before = json.loads(eval_set.read_text(encoding="utf-8"))["eval_cases"]
  app = SimulatorApp(workspace, clock=FrozenClock())
  async with app.run_test(size=(100, 30)) as pilot:
    await _open(app, pilot, ids["exported"])
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportChoiceScreen)
    await pilot.press("escape")
    await settle(pilot)
    assert json.loads(eval_set.read_text(encoding="utf-8"))["eval_cases"] == before
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
  after = json.loads(eval_set.read_text(encoding="utf-8"))["eval_cases"]
  assert after[: len(before)] == before and len(after) == len(before) + 1
