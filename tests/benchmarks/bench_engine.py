"""Engine benchmark: how long the person waits on the engine, not on their tools.

Run: `uv run python tests/benchmarks/bench_engine.py` (prints medians). It
plays the bundled math agent on the real ADK runner with a SQLite store in a
temporary folder, so the figures include ADK's own work and storage.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

TURNS = 100
CASES_BEFORE_EXPORT = 50


def ms(seconds: float) -> str:
  return f"{seconds * 1000:8.1f} ms"


async def main() -> None:
  started = time.perf_counter()
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatedAgentConfig
  from adk_simulator.engine.config.model import SimulatorConfig
  from adk_simulator.engine.replay.replayer import replay_session
  from adk_simulator.engine.runtime.simulation import Simulation
  from adk_simulator.engine.runtime.turns import answer
  from adk_simulator.engine.runtime.turns import call
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.workspace import Workspace

  imported = time.perf_counter()
  with tempfile.TemporaryDirectory() as folder:
    base = Path(folder)
    config = SimulatorConfig(
      agents=[
        SimulatedAgentConfig(
          name="Math",
          agent=str(REPO_ROOT / "agents" / "math_agent"),
          eval_set_path=base / "math.evalset.json",
        )
      ],
      session_service_uri=f"sqlite:///{(base / 'sessions.db').as_posix()}",
      base_dir=base,
    )
    workspace = Workspace(config)
    agent = workspace.load_agent(config.agents[0])
    assert isinstance(agent, LoadedAgent)
    loaded = time.perf_counter()
    # The app runs this on a worker thread while the picker is on screen.
    warm = await asyncio.to_thread(workspace.warm_up)

    simulation = workspace.new_simulation()
    await simulation.select_agent(agent)
    first_query = time.perf_counter()
    await simulation.submit_query("Add one, a hundred times")
    first_request = time.perf_counter() - first_query
    turn_times = []
    for index in range(TURNS):
      before = time.perf_counter()
      await simulation.submit_turn(call("add", a=index, b=1))
      turn_times.append(time.perf_counter() - before)
    await simulation.submit_turn(answer("done"))

    history_times = []
    for _ in range(20):
      before = time.perf_counter()
      _ = simulation.history
      history_times.append(time.perf_counter() - before)

    # An eval set that already holds many cases: the export reads, checks and
    # rewrites it atomically under a lock. Each export adds a case (as new:
    # exporting the session again would replace its one case).
    for _ in range(CASES_BEFORE_EXPORT):
      await simulation.export(as_new=True)
    export_times = []
    for _ in range(5):
      before = time.perf_counter()
      await simulation.export(as_new=True)
      export_times.append(time.perf_counter() - before)
    cases = simulation.exports[-1].case_count
    size_mb = simulation.exports[-1].path.stat().st_size / 1e6

    store = SessionStore(workspace.session_service, [agent])
    stored = await store.find(simulation.session_id or "")
    from google.adk.sessions.in_memory_session_service import InMemorySessionService

    before = time.perf_counter()
    report = await replay_session(Simulation(InMemorySessionService()), agent, stored.session)
    replay_time = time.perf_counter() - before
    assert report.outcome == "identical", report.error

  print(f"import engine + ADK          {ms(imported - started)}")
  print(f"load the math agent          {ms(loaded - imported)}")
  print(f"warm-up (background, once)   {ms(warm)}")
  print(f"query → first model request  {ms(first_request)}")
  print(
    f"model turn (tool call → next request), median of {TURNS}: {ms(statistics.median(turn_times))}"
    f"  (p90 {ms(sorted(turn_times)[int(TURNS * 0.9)])})"
  )
  events = len(simulation.events)
  print(f"project history of {events} events, median: {ms(statistics.median(history_times))}")
  exported = f"export into a set of ~{cases} cases ({size_mb:.1f} MB)"
  print(f"{exported}, median: {ms(statistics.median(export_times))}")
  print(f"replay {TURNS + 1} model turns against live tools: {ms(replay_time)}")


if __name__ == "__main__":
  asyncio.run(main())
