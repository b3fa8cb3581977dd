"""The registry of a workspace's agents: each loaded once, whoever asks first.

The agent picker loads agents on a worker thread as it paints; the sessions
browser, a replay or a command may ask for the same agents meanwhile. Each
agent has a lock, so a second caller waits for the import in progress
instead of importing the agent twice, and every caller gets the same object.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatedAgentConfig


class AgentRegistry:
  """The configured agents and what loading each gave."""

  def __init__(self, configs: list[SimulatedAgentConfig]) -> None:
    self.configs = list(configs)
    self._outcomes: dict[str, LoadedAgent | AgentLoadFailure] = {}
    self._locks = {config.name: threading.Lock() for config in self.configs}

  def load(self, config: SimulatedAgentConfig) -> LoadedAgent | AgentLoadFailure:
    """The agent, imported on first call. Blocking: call it from a thread worker."""
    from adk_simulator.engine.agents.loader import load_agents

    lock = self._locks.setdefault(config.name, threading.Lock())
    with lock:
      outcome = self._outcomes.get(config.name)
      if outcome is None:
        outcome = load_agents([config])[0]
        self._outcomes[config.name] = outcome
      return outcome

  def load_all(self) -> list[LoadedAgent]:
    """Every agent that loads, in config order (failures are left out). Blocking."""
    from adk_simulator.engine.agents.loader import LoadedAgent

    outcomes = [self.load(config) for config in self.configs]
    return [outcome for outcome in outcomes if isinstance(outcome, LoadedAgent)]

  def outcome(self, name: str) -> LoadedAgent | AgentLoadFailure | None:
    """What loading `name` gave, or None while it has not loaded."""
    return self._outcomes.get(name)
