"""Per-step benchmark: what the simulator adds to each model step over a bare ADK runner.

Run: `uv run python tests/benchmarks/bench_steps.py [RUNS]` (prints the
marginal cost of a step both ways, and their ratio), or one process of it:
`uv run python tests/benchmarks/bench_steps.py engine|bare STEPS`.

One process plays the bundled math agent through STEPS model steps (calls to
its add and multiply tools, then the answer), on a SQLite store in a
temporary folder:

- `engine`: the simulator's engine, as `adk-sim play` drives it (a
  `Workspace`, its `Simulation`, the script player printing each line to
  nowhere), with the person's moves scripted;
- `bare`: a bare ADK `Runner` on ADK's `SqliteSessionService`, the same agent
  with a minimal scripted `BaseLlm` returning the same `LlmResponse`s.

Each process is timed whole, from start to exit. The marginal cost of a
step is `(time(310 steps) - time(10 steps)) / 300`: import, agent loading
and store set-up are paid once by both and cancel out. Minimum and median
over RUNS runs (default 5) of each of the four commands.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
AGENT_DIR = REPO_ROOT / "agents" / "math_agent"
QUERY = "Add and multiply, step after step"
FEW, MANY = 10, 310


def tool_calls(steps: int) -> list[tuple[str, dict[str, Any]]]:
  """The model's calls: `steps - 1` of them, then the answer is one more step."""
  return [("add" if i % 2 == 0 else "multiply", {"a": i, "b": 2}) for i in range(steps - 1)]


async def play_engine(steps: int, folder: Path) -> None:
  sys.path.insert(0, str(REPO_ROOT))
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatedAgentConfig
  from adk_simulator.engine.config.model import SimulatorConfig
  from adk_simulator.engine.moves.script import ScriptPlayer
  from adk_simulator.engine.moves.script import parse_script
  from adk_simulator.engine.runtime.phase import Phase
  from adk_simulator.engine.workspace import Workspace

  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name="Math", agent=str(AGENT_DIR), eval_set_path=folder / "math.evalset.json"
      )
    ],
    session_service_uri=f"sqlite:///{(folder / 'sessions.db').as_posix()}",
    base_dir=folder,
  )
  workspace = Workspace(config)
  agent = workspace.load_agent(config.agents[0])
  assert isinstance(agent, LoadedAgent)
  script = parse_script(
    {
      "agent": "Math",
      "steps": [
        {"user": QUERY},
        *({"call": name, "args": args} for name, args in tool_calls(steps)),
        {"respond": "done"},
      ],
    }
  )
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await ScriptPlayer(simulation, script, echo=lambda _line: None).play()
  assert simulation.phase is Phase.COMPLETED
  await workspace.close()


async def play_bare(steps: int, folder: Path) -> None:
  from collections.abc import AsyncGenerator

  from google.adk.apps import App
  from google.adk.models.base_llm import BaseLlm
  from google.adk.models.llm_request import LlmRequest
  from google.adk.models.llm_response import LlmResponse
  from google.adk.runners import Runner
  from google.adk.sessions.sqlite_session_service import SqliteSessionService
  from google.genai import types

  sys.path.insert(0, str(AGENT_DIR.parent))
  from math_agent.agent import root_agent  # type: ignore[import-not-found]

  responses = [
    LlmResponse(
      content=types.Content(
        role="model",
        parts=[types.Part(function_call=types.FunctionCall(name=name, args=dict(args)))],
      )
    )
    for name, args in tool_calls(steps)
  ]
  responses.append(
    LlmResponse(content=types.Content(role="model", parts=[types.Part(text="done")]))
  )

  class ScriptedModel(BaseLlm):
    """Answers each model call with the script's next response."""

    async def generate_content_async(
      self, llm_request: LlmRequest, stream: bool = False
    ) -> AsyncGenerator[LlmResponse, None]:
      yield responses.pop(0)

  root_agent.model = ScriptedModel(model="gemini-2.5-flash")
  service = SqliteSessionService(db_path=str(folder / "sessions.db"))
  runner = Runner(app=App(name="math_agent", root_agent=root_agent), session_service=service)
  session = await service.create_session(app_name="math_agent", user_id="user")
  message = types.Content(role="user", parts=[types.Part(text=QUERY)])
  async for _event in runner.run_async(user_id="user", session_id=session.id, new_message=message):
    pass
  assert not responses
  await runner.close()


def one_process(mode: str, steps: int) -> None:
  play = {"engine": play_engine, "bare": play_bare}[mode]
  with tempfile.TemporaryDirectory() as folder:
    asyncio.run(play(steps, Path(folder)))


def timed(mode: str, steps: int) -> float:
  started = time.perf_counter()
  subprocess.run(
    [sys.executable, __file__, mode, str(steps)], check=True, capture_output=True, timeout=600
  )
  return time.perf_counter() - started


def main() -> None:
  runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
  timed("engine", FEW)  # warm the file cache and the bytecode
  times: dict[tuple[str, int], list[float]] = {}
  for _ in range(runs):
    for mode in ("engine", "bare"):
      for steps in (FEW, MANY):
        times.setdefault((mode, steps), []).append(timed(mode, steps))
  print(f"{runs} runs of each, whole processes, seconds (min / median)")
  per_step: dict[str, dict[str, float]] = {}
  for mode in ("engine", "bare"):
    for steps in (FEW, MANY):
      values = times[mode, steps]
      print(f"  {mode:<6} {steps:>3} steps  {min(values):6.2f} / {statistics.median(values):6.2f}")
    per_step[mode] = {
      how: (pick(times[mode, MANY]) - pick(times[mode, FEW])) / (MANY - FEW)
      for how, pick in (("min", min), ("median", statistics.median))
    }
  for how in ("min", "median"):
    engine, bare = per_step["engine"][how], per_step["bare"][how]
    print(
      f"per step ({how}s): engine {engine * 1000:.1f} ms, bare Runner {bare * 1000:.1f} ms,"
      f" ratio {engine / bare:.2f}"
    )


if __name__ == "__main__":
  if len(sys.argv) == 3:
    one_process(sys.argv[1], int(sys.argv[2]))
  else:
    main()
