"""ADK Simulator: play the model of a Google ADK agent, export golden traces.

Importing this package is cheap: ADK is imported only when an engine object is
first used, so the TUI can paint before `google.adk` has loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

__version__ = "0.1.0"

if TYPE_CHECKING:
  from adk_simulator.api import AgentSimulator
  from adk_simulator.api import SimulatedAgentConfig

__all__ = ["AgentSimulator", "SimulatedAgentConfig", "__version__"]


def __getattr__(name: str) -> Any:
  if name in ("AgentSimulator", "SimulatedAgentConfig"):
    from adk_simulator import api

    return getattr(api, name)
  raise AttributeError(name)
