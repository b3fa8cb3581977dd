"""A workspace over one of the test fixture agents, storing into a temporary folder."""

from __future__ import annotations

from pathlib import Path

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


def fixture_workspace(
  tmp_path: Path, name: str, folder: Path | str
) -> tuple[Workspace, LoadedAgent]:
  """A workspace with the agent in `folder` (a path, or a fixture's folder name) loaded.

  Sessions go to `tmp_path/sessions.db`, the eval set to `tmp_path/<name>.evalset.json`.
  """
  agent = folder if isinstance(folder, Path) else FIXTURES / folder
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name=name, agent=str(agent), eval_set_path=tmp_path / f"{name.lower()}.evalset.json"
      )
    ],
    session_service_uri=f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}",
    base_dir=tmp_path,
  )
  workspace = Workspace(config)
  loaded = workspace.load_agent(config.agents[0])
  assert isinstance(loaded, LoadedAgent), getattr(loaded, "traceback", loaded)
  return workspace, loaded
