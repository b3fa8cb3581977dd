"""Start-up benchmark: the agent picker paints before ADK could even import.

Run: `uv run python tests/benchmarks/bench_startup.py [RUNS]`. Each run is a
fresh process started from here (interpreter start-up included), timing:

- first paint: the agent picker on screen (headless app, the real config);
- first agent ready: the first agent imported and shown as usable;
- all agents ready;

next to a fresh process that only runs `from google.adk.agents import Agent`.
Medians (and min–max) over RUNS runs, default 5.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
spawned = float(sys.argv[1])
marks = {}
def mark(name):
  marks.setdefault(name, time.time() - spawned)

from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen

# Observe the real picker: wrap its handlers rather than subclass it (Textual
# finds a screen's stylesheet next to the file that defines the class).
mounted, loaded = AgentPickerScreen.on_mount, AgentPickerScreen.on_agent_loaded

def on_mount(self):
  mounted(self)
  self.call_after_refresh(lambda: mark("first paint"))

def after_load(self):
  done = [row for row in self.rows if row.loaded is not None or row.failure is not None]
  if done:
    mark("first agent ready")
  if len(done) == len(self.rows):
    mark("all agents ready")
    self.app.exit()

def on_agent_loaded(self, message):
  loaded(self, message)
  self.call_after_refresh(lambda: after_load(self))

AgentPickerScreen.on_mount = on_mount
AgentPickerScreen.on_agent_loaded = on_agent_loaded
SimulatorApp(Workspace(load_config())).run(headless=True)
print(json.dumps(marks))
"""


def run_app() -> dict[str, float]:
  spawned = time.time()
  done = subprocess.run(
    [sys.executable, "-c", CHILD, str(spawned)],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )
  if done.returncode != 0:
    raise SystemExit(done.stderr)
  return json.loads(done.stdout.strip().splitlines()[-1])


def run_bare_import() -> float:
  spawned = time.time()
  subprocess.run(
    [sys.executable, "-c", "from google.adk.agents import Agent"], check=True, timeout=120
  )
  return time.time() - spawned


def summary(values: list[float]) -> str:
  return f"{statistics.median(values):6.2f} s  (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
  runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
  run_app()  # warm the file cache and the bytecode
  marks: dict[str, list[float]] = {}
  bare = []
  for _ in range(runs):
    for name, value in run_app().items():
      marks.setdefault(name, []).append(value)
    bare.append(run_bare_import())
  print(f"{runs} runs, each a fresh process; seconds from process start")
  for name in ("first paint", "first agent ready", "all agents ready"):
    print(f"  {name:<20} {summary(marks[name])}")
  bare_line = f"  {'bare ADK import':<20} {summary(bare)}"
  print(f"{bare_line}   (python -c 'from google.adk.agents import Agent')")


if __name__ == "__main__":
  main()
