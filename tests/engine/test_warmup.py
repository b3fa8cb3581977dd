"""The warm-up pays ADK's lazy imports before the person's first query."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, sys
from adk_simulator.engine.agents import warmup
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.agents.loader import load_agent_sync
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer, call
from google.adk.sessions.in_memory_session_service import InMemorySessionService

assert warmup.warm_up() > 0
assert warmup.warm_up() == 0.0

async def first_session():
  agent = load_agent_sync(SimulatedAgentConfig("Math", sys.argv[1], sys.argv[2]))
  before = {m for m in sys.modules if m.startswith("google.adk")}
  simulation = Simulation(InMemorySessionService())
  await simulation.select_agent(agent)
  await simulation.submit_query("1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.submit_turn(answer("2"))
  await simulation.export()
  print(sorted({m for m in sys.modules if m.startswith("google.adk")} - before))

asyncio.run(first_session())
"""


def test_after_warm_up_the_first_session_imports_nothing_from_adk(tmp_path):
  done = subprocess.run(
    [
      sys.executable,
      "-c",
      PROBE,
      str(REPO_ROOT / "agents" / "math_agent"),
      str(tmp_path / "m.json"),
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=300,
  )
  assert done.returncode == 0, done.stderr
  assert done.stdout.strip().splitlines()[-1] == "[]"
