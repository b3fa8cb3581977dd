"""What the saved-sessions screens look like (pytest-textual-snapshot).

The sessions are real recordings, re-stamped before the app starts: each is
written as ADK session JSON, given a fixed id and start time, and imported
back, so ids and times in the pictures never change. Times show in local
time, so the tests pin the time zone to UTC; durations come from the app's
frozen clock.

Update with `uv run pytest tests/tui/test_snapshots_sessions.py --snapshot-update`
and review every changed SVG before keeping it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from test_sessions_browser import loaded_agent
from test_sessions_browser import pricing  # noqa: F401 - the fixture
from test_sessions_browser import record_math
from test_sessions_browser import record_pricing
from test_sessions_browser import record_unfinished
from textual.pilot import Pilot
from tui_helpers import settle
from tui_helpers import stop_blinking

from adk_simulator.engine.store.sessions import SessionStore
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.replay_view import ReplayViewScreen
from adk_simulator.tui.screens.session_view import SessionViewScreen
from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
from adk_simulator.tui.screens.sessions_browser import workspace_store

JUNE_3_2025 = 1748944800.0
"""2025-06-03 10:00 UTC: the first session's start; the others follow by the hour."""

SIZE = (120, 32)


pytestmark = pytest.mark.usefixtures("utc")


async def restamp(store: SessionStore, session_id: str, new_id: str, start: float, folder: Path):
  """Replaces a stored session by the same one with a fixed id and start time."""
  path = folder / f"{new_id}.session.json"
  await store.write_json(session_id, path)
  data = json.loads(path.read_text(encoding="utf-8"))
  first = min(event["timestamp"] for event in data["events"])
  for event in data["events"]:
    event["timestamp"] = start + (event["timestamp"] - first)
  data["id"] = new_id
  data["lastUpdateTime"] = max(event["timestamp"] for event in data["events"])
  path.write_text(json.dumps(data), encoding="utf-8")
  await store.delete(session_id)
  await store.import_json(path)


def recorded(workspace: Workspace, record: Any, folder: Path) -> None:
  """Records sessions before the app starts (its own workspace, its own loop)."""

  async def run() -> None:
    recorder = Workspace(workspace.config)
    agent = loaded_agent(recorder)
    store = SessionStore(recorder.session_service, [agent])
    for index, session_id in enumerate(await record(recorder, agent)):
      new_id = f"{index + 1:08x}-5e55-4000-8000-00000000000{index + 1}"
      await restamp(store, session_id, new_id, JUNE_3_2025 + 3600 * index, folder)

  asyncio.run(run())


async def three_math_sessions(workspace: Workspace, agent: Any) -> list[str]:
  completed = await record_math(workspace, agent, "What is 5*5+10?")
  exported = await record_math(workspace, agent, "And 5*5+10 again, for the eval set?")
  await exported.export()
  unfinished = await record_unfinished(workspace, agent)
  return [str(s.session_id) for s in (completed, exported, unfinished)]


async def one_pricing_session(workspace: Workspace, agent: Any) -> list[str]:
  return [str((await record_pricing(workspace)).session_id)]


@pytest.fixture
def math_workspace(make_workspace, tmp_path: Path) -> Workspace:
  workspace = make_workspace(("Math", "math_agent", {}))
  recorded(workspace, three_math_sessions, tmp_path)
  return workspace


async def browse(pilot: Pilot[Any]) -> SessionsBrowserScreen:
  app = pilot.app
  assert isinstance(app, SimulatorApp)
  await settle(pilot)
  await app.push_screen(SessionsBrowserScreen(workspace_store(app)))
  await settle(pilot)
  assert isinstance(app.screen, SessionsBrowserScreen)
  return app.screen


def test_sessions_browser(snap_compare, math_workspace: Workspace):
  async def run_before(pilot: Pilot[Any]) -> None:
    await browse(pilot)
    stop_blinking(pilot)
    await pilot.pause()

  app = SimulatorApp(math_workspace, clock=FrozenClock())
  assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_session_view(snap_compare, math_workspace: Workspace):
  async def run_before(pilot: Pilot[Any]) -> None:
    await browse(pilot)
    await pilot.press(*"5*5+10?", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SessionViewScreen)

  app = SimulatorApp(math_workspace, clock=FrozenClock())
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_replay_where_tool_data_drifted(snap_compare, pricing, tmp_path: Path):  # noqa: F811
  workspace, prices = pricing
  recorded(workspace, one_pricing_session, tmp_path)
  prices.write_text(json.dumps({"tea": 3, "cake": 5, "scone": 2}), encoding="utf-8")

  async def run_before(pilot: Pilot[Any]) -> None:
    await browse(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReplayViewScreen) and screen.report is not None

  app = SimulatorApp(workspace, clock=FrozenClock())
  assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
