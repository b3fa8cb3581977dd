"""The Python API: configure agents in code, open the same app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adk_simulator import AgentSimulator
from adk_simulator import SimulatedAgentConfig
from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def in_repo(tmp_path: Path):
  cwd = os.getcwd()
  os.chdir(REPO_ROOT)
  try:
    yield
  finally:
    os.chdir(cwd)


def test_positional_config_resolves_against_the_working_directory(in_repo, tmp_path: Path):
  config = SimulatedAgentConfig("Math", "agents/math_agent", "evalsets/mine.evalset.json")
  assert config.agent == REPO_ROOT / "agents" / "math_agent"
  assert config.eval_set_path == REPO_ROOT / "evalsets" / "mine.evalset.json"
  simulator = AgentSimulator(agents=[config], session_service_uri="memory://")
  loaded = simulator.workspace.load_agent(simulator.config.agents[0])
  assert isinstance(loaded, LoadedAgent) and loaded.tool_count == 4


def test_agent_objects_and_the_default_store(in_repo):
  from google.adk.agents import Agent

  agent = Agent(name="inline_agent", model="gemini-2.5-flash", instruction="Say hi.")
  simulator = AgentSimulator(
    agents=[SimulatedAgentConfig("Inline", agent, "evalsets/x.evalset.json")]
  )
  assert simulator.config.session_service_uri.endswith("/.adk-simulator/sessions.db")
  loaded = simulator.workspace.load_agent(simulator.config.agents[0])
  assert isinstance(loaded, LoadedAgent) and loaded.root_agent is agent


async def test_the_simulator_opens_the_app_on_its_agents(in_repo):
  simulator = AgentSimulator(
    agents=[SimulatedAgentConfig("Math", "agents/math_agent", "evalsets/m.evalset.json")],
    session_service_uri="memory://",
  )
  app = SimulatorApp(simulator.workspace)
  async with app.run_test(size=(100, 30)) as pilot:
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, AgentPickerScreen)
    assert [row.config.name for row in picker.rows] == ["Math"]
