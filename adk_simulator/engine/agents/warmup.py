"""Pays ADK's one-time costs ahead of the person's first move.

ADK imports much of its runtime lazily, on the first run: the first user
query would stall the event loop for a second or more. `warm_up` plays one
tiny session (a throwaway agent, an in-memory store, a temporary eval set) on
a private event loop, so a UI calls it from a thread worker while the person
is still reading the agent picker.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from pathlib import Path

_lock = threading.Lock()
_done = False


def _echo(text: str) -> dict:
  """Returns the text.

  Args:
    text: Anything.
  """
  return {"text": text}


async def _play_once(folder: Path) -> None:
  from google.adk.agents import Agent
  from google.adk.sessions.in_memory_session_service import InMemorySessionService

  from adk_simulator.engine.agents.loader import load_agent_sync
  from adk_simulator.engine.config.model import SimulatedAgentConfig
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.runtime.turns import answer
  from adk_simulator.engine.runtime.turns import call

  agent = Agent(name="warm_up", model="gemini-2.5-flash", instruction="Echo.", tools=[_echo])
  config = SimulatedAgentConfig(
    name="Warm up", agent=agent, eval_set_path=folder / "warm_up.evalset.json"
  )
  simulation = Simulation(InMemorySessionService())
  await simulation.select_agent(load_agent_sync(config))
  await simulation.submit_query("warm up")
  await simulation.submit_turn(call("_echo", text="x"))
  await simulation.submit_turn(answer("x"))
  await simulation.export()


def warm_up() -> float:
  """Runs once per process (later calls return at once); returns the seconds it took."""
  global _done
  with _lock:
    if _done:
      return 0.0
    started = time.perf_counter()
    from google.adk.sessions import sqlite_session_service  # noqa: F401

    with tempfile.TemporaryDirectory() as folder:
      asyncio.run(_play_once(Path(folder)))
    _done = True
    return time.perf_counter() - started
