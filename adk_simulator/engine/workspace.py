"""A workspace: the controller of the configured agents, their store, and sessions.

This is the engine's front door for drivers. It owns the registry of loaded
agents (drivers read agents from it, not from their widgets) and makes one
`Simulation` per session. Importing it is cheap (no ADK): agents are imported
by `load_agent`, which blocks, so a UI calls it from a thread worker, and the
session service opens on first use.

The session service is used on one event loop: a SQLAlchemy store pools
connections that belong to the loop that opened them. A driver runs each
command (or the app) on one loop and calls `close` on it at the end.
"""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from adk_simulator.engine.agents.registry import AgentRegistry

if TYPE_CHECKING:
  from google.adk.sessions.base_session_service import BaseSessionService

  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatedAgentConfig
  from adk_simulator.engine.config.model import SimulatorConfig
  from adk_simulator.engine.runtime.simulation import Listener
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.store.summaries import SummaryIndex


class Workspace:
  """The agents of one config and the session store they share."""

  def __init__(self, config: SimulatorConfig) -> None:
    self.config = config
    self.registry = AgentRegistry(list(config.agents))
    self._session_service: BaseSessionService | None = None
    self._summary_index: SummaryIndex | None = None
    # Opening the store is blocking, so the app opens it from threads; one store
    # per workspace, however many ask at once.
    self._session_service_lock = threading.Lock()

  @property
  def base_dir(self) -> Path:
    return self.config.base_dir

  @property
  def agents(self) -> list[SimulatedAgentConfig]:
    return list(self.config.agents)

  def load_agent(self, agent: SimulatedAgentConfig) -> LoadedAgent | AgentLoadFailure:
    """The agent, imported once. Blocking: call it from a thread worker."""
    return self.registry.load(agent)

  def load_all(self) -> list[LoadedAgent]:
    """Every configured agent that loads. Blocking: call it from a thread worker."""
    return self.registry.load_all()

  async def close(self) -> None:
    """Closes what the workspace holds open: toolsets' sessions and servers, the store.

    Call it on the loop the sessions played on, when the app or command ends.
    The store's pooled connections (a SQLAlchemy store's) belong to that loop.
    A later use of `session_service` opens the store again.
    """
    from adk_simulator.engine.agents.loader import LoadedAgent
    from adk_simulator.engine.agents.toolsets import close_toolsets

    outcomes = [self.registry.outcome(agent.name) for agent in self.config.agents]
    loaded = [outcome.root_agent for outcome in outcomes if isinstance(outcome, LoadedAgent)]
    try:
      if loaded:
        await close_toolsets(loaded)
    finally:
      with self._session_service_lock:
        service, self._session_service = self._session_service, None
      # ADK's SQL stores have an async `close`; the in-memory one has none.
      close = getattr(service, "close", None)
      closing = close() if close is not None else None
      if inspect.isawaitable(closing):
        await closing

  def warm_up(self) -> float:
    """Pays ADK's lazy imports now (blocking: from a thread worker); see `warmup`."""
    from adk_simulator.engine.agents.warmup import warm_up

    return warm_up()

  @property
  def session_service(self) -> BaseSessionService:
    """The store, opened on first use (blocking; it connects on first await)."""
    with self._session_service_lock:
      if self._session_service is None:
        from adk_simulator.engine.store.services import open_session_service

        self._session_service = open_session_service(
          self.config.session_service_uri, base_dir=self.base_dir
        )
      return self._session_service

  @property
  def summary_index(self) -> SummaryIndex:
    """Where listings keep each session's summary (see `store.summaries`).

    In memory for an in-memory store; otherwise a file in the config's
    `.adk-simulator/summaries/` folder, named after the store.
    """
    if self._summary_index is None:
      from google.adk.sessions.in_memory_session_service import InMemorySessionService

      from adk_simulator.engine.config.model import STATE_FOLDER
      from adk_simulator.engine.store.services import sqlite_path
      from adk_simulator.engine.store.summaries import FileSummaryIndex
      from adk_simulator.engine.store.summaries import SummaryIndex
      from adk_simulator.engine.store.summaries import index_path

      uri = self.config.session_service_uri
      if isinstance(self.session_service, InMemorySessionService):
        self._summary_index = SummaryIndex()
      else:
        folder = self.base_dir / STATE_FOLDER / "summaries"
        path = index_path(uri, folder, sqlite_path(uri, self.base_dir))
        self._summary_index = FileSummaryIndex(path)
    return self._summary_index

  def session_store(self, agents: list[LoadedAgent]) -> SessionStore:
    """The stored sessions of `agents`, listed through this workspace's summary index."""
    from adk_simulator.engine.store.sessions import SessionStore

    return SessionStore(self.session_service, agents, index=self.summary_index)

  def scratch_simulation(self, *, listener: Listener | None = None) -> Simulation:
    """A simulation on a throwaway in-memory store: replays, checks, warm-ups."""
    from google.adk.sessions.in_memory_session_service import InMemorySessionService

    from adk_simulator.engine.runtime.simulation import Simulation

    return Simulation(
      InMemorySessionService(), listener=listener, tool_timeout=self.config.tool_timeout
    )

  def new_simulation(self, *, listener: Listener | None = None) -> Simulation:
    """A simulation for one new session, storing into this workspace's store."""
    from adk_simulator.engine.runtime.simulation import Simulation

    return Simulation(
      self.session_service, listener=listener, tool_timeout=self.config.tool_timeout
    )
