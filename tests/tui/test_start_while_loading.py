"""Enter on an agent still loading starts its session as soon as it has loaded.

The test's own agent waits, as it is imported, for a file the test writes:
the test decides when it has loaded.
"""

from __future__ import annotations

from pathlib import Path

from tui_helpers import WorkspaceFactory
from tui_helpers import screen_text
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.agent_picker import AgentList
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.screens.query import QueryScreen

SLOW_AGENT = """
import time
from pathlib import Path

from google.adk.agents import Agent

gate = Path({gate!r})
deadline = time.monotonic() + 120
while not gate.exists() and time.monotonic() < deadline:
  time.sleep(0.02)

root_agent = Agent(name="slow_agent", model="gemini-2.5-flash", instruction="Say hi.")
"""


def slow_agent(tmp_path: Path) -> tuple[Path, Path]:
  gate = tmp_path / "loaded.gate"
  folder = tmp_path / "slow_agent"
  folder.mkdir()
  (folder / "__init__.py").write_text("from . import agent\n", encoding="utf-8")
  (folder / "agent.py").write_text(SLOW_AGENT.format(gate=str(gate)), encoding="utf-8")
  return folder, gate


def picker(app: SimulatorApp) -> AgentPickerScreen:
  screen = app.screen
  assert isinstance(screen, AgentPickerScreen), screen
  return screen


async def wait_for_math_then_highlight_slow(app: SimulatorApp, pilot) -> None:
  await wait_until(pilot, lambda: picker(app).rows[0].loaded is not None)
  picker(app).query_one(AgentList).index = 1
  await pilot.pause()


async def test_enter_on_a_loading_agent_starts_it_once_loaded(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  folder, gate = slow_agent(tmp_path)
  app = SimulatorApp(tui_workspace("Math", extra={"Slow": {"agent": folder}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await wait_for_math_then_highlight_slow(app, pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: picker(app).rows[1].starting)
    row = picker(app).rows[1]
    assert row.loaded is None and row.starting
    assert "the session starts as soon as it has loaded (escape cancels)" in screen_text(app)
    gate.write_text("go", encoding="utf-8")
    await wait_until(pilot, lambda: isinstance(app.screen, QueryScreen))
    await settle(pilot)  # the new screen mounts whole before the app closes
    assert app.simulation is not None and app.simulation.agent is not None
    assert app.simulation.agent.config.name == "Slow"


async def test_escape_cancels_the_start(tui_workspace: WorkspaceFactory, tmp_path: Path) -> None:
  folder, gate = slow_agent(tmp_path)
  app = SimulatorApp(tui_workspace("Math", extra={"Slow": {"agent": folder}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await wait_for_math_then_highlight_slow(app, pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: picker(app).starting_row is picker(app).rows[1])
    await pilot.press("escape")
    await wait_until(pilot, lambda: picker(app).starting_row is None)
    assert "escape cancels" not in screen_text(app)
    gate.write_text("go", encoding="utf-8")
    await wait_until(pilot, lambda: picker(app).rows[1].loaded is not None)
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen) and app.simulation is None


async def test_choosing_another_agent_cancels_the_start(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  folder, gate = slow_agent(tmp_path)
  app = SimulatorApp(tui_workspace("Math", extra={"Slow": {"agent": folder}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await wait_for_math_then_highlight_slow(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("up", "enter")  # Math instead
    await wait_until(pilot, lambda: isinstance(app.screen, QueryScreen))
    simulation = app.simulation
    assert simulation is not None and simulation.agent is not None
    assert simulation.agent.config.name == "Math"
    gate.write_text("go", encoding="utf-8")
    await settle(pilot)
    assert isinstance(app.screen, QueryScreen) and app.simulation is simulation
