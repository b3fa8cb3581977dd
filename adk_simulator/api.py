"""The Python API: configure agents in code and open the simulator.

from adk_simulator import AgentSimulator, SimulatedAgentConfig

AgentSimulator(agents=[
    SimulatedAgentConfig("Math", "agents/math_agent", "evalsets/math.evalset.json"),
]).run()
"""

from __future__ import annotations

from pathlib import Path

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.workspace import Workspace

__all__ = ["AgentSimulator", "SimulatedAgentConfig"]


class AgentSimulator:
  """Opens the simulator app on agents configured in Python.

  Args:
    agents: The agents to offer in the picker.
    session_service_uri: Where sessions are stored (an ADK session service
      URI); default an embedded SQLite file under `.adk-simulator/` in the
      working directory.
  """

  def __init__(
    self, agents: list[SimulatedAgentConfig], *, session_service_uri: str | None = None
  ) -> None:
    data: dict[str, object] = {"agents": list(agents), "base_dir": Path.cwd()}
    if session_service_uri:
      data["session_service_uri"] = session_service_uri
    self.config = SimulatorConfig.model_validate(data)

  @property
  def workspace(self) -> Workspace:
    return Workspace(self.config)

  def run(self) -> None:
    """Opens the app and returns when the person quits."""
    from adk_simulator.tui.app import run_app

    run_app(self.workspace)
