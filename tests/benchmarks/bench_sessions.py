"""Sessions benchmark: listing thousands of stored sessions, in the CLI and the app.

Run: `uv run python tests/benchmarks/bench_sessions.py [--sessions 3000] [--runs 5]
[--keep FOLDER]`. It plays a few sessions of the bundled math agent on the
real ADK runner into a SQLite store (completed, exported, unfinished, a longer
one with a failing call), then copies their rows, exactly as ADK wrote them,
into thousands of sessions with their own ids, times and first queries. Then:

- `adk-sim sessions list` as a whole process: once on a fresh store (every
  session summarised from its events) and then in turn with
  `list_sessions_baseline.py`, ADK's own `SqliteSessionService.list_sessions`
  on the same file; it prints min and median of each and the median of the
  pairwise ratios;
- the sessions browser, driven with Pilot: from the list arriving to the
  table on screen, and to every row in the table.

With `--keep FOLDER` the store stays in FOLDER (made if missing, reused if it
holds a store already), and the two commands are printed for timing them with
any other tool.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from rich.console import Console

if TYPE_CHECKING:
  from textual.app import App

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

BASELINE = Path(__file__).resolve().parent / "list_sessions_baseline.py"
QUERIES = [
  "What is 5*5+10?",
  "Add up my receipts",
  "Divide the bill by four",
  "How much is 17% of 230?",
  "Convert 3 feet to metres",
  "Sum of the first ten primes",
]


def write_config(folder: Path) -> Path:
  config = folder / "adk-simulator.toml"
  agent = (REPO_ROOT / "agents" / "math_agent").as_posix()
  config.write_text(f'[[agents]]\nname = "Math"\nagent = "{agent}"\n', encoding="utf-8")
  return config


async def play_templates(folder: Path) -> str:
  """Plays the sessions to copy; returns the agent's ADK app name."""
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.files import load_config
  from adk_simulator.engine.runtime.turns import answer
  from adk_simulator.engine.runtime.turns import call
  from adk_simulator.engine.runtime.turns import parallel
  from adk_simulator.engine.workspace import Workspace

  workspace = Workspace(load_config(folder / "adk-simulator.toml"))
  agent = workspace.load_agent(workspace.agents[0])
  assert isinstance(agent, LoadedAgent), agent

  async def finished(export: bool) -> None:
    simulation = workspace.new_simulation()
    await simulation.select_agent(agent)
    await simulation.submit_query(QUERIES[0])
    await simulation.submit_turn(call("multiply", a=5, b=5))
    await simulation.submit_turn(
      parallel(("add", {"a": 25, "b": 10}), ("divide", {"a": 1, "b": 0}))
    )
    await simulation.submit_turn(answer("35"))
    if export:
      await simulation.export(folder / "math.evalset.json")

  await finished(export=False)
  await finished(export=True)
  unfinished = workspace.new_simulation()
  await unfinished.select_agent(agent)
  await unfinished.submit_query(QUERIES[0])
  await unfinished.submit_turn(call("add", a=1, b=1))
  await unfinished.abandon()
  longer = workspace.new_simulation()
  await longer.select_agent(agent)
  await longer.submit_query(QUERIES[0])
  for index in range(6):
    await longer.submit_turn(call("add", a=index, b=1))
  await longer.submit_turn(call("divide", a=1, b=0))
  await longer.submit_turn(answer("done"))
  await workspace.close()
  return agent.app_name


def copy_sessions(db_path: Path, count: int) -> None:
  """Fills the store up to `count` sessions with copies of the played ones' rows."""
  rng = random.Random(8)
  db = sqlite3.connect(db_path)
  templates = db.execute("SELECT app_name, user_id, id, state FROM sessions").fetchall()
  events = {
    t[2]: db.execute(
      "SELECT invocation_id, timestamp, event_data FROM events WHERE session_id = ?"
      " ORDER BY timestamp",
      (t[2],),
    ).fetchall()
    for t in templates
  }
  now = time.time()
  session_rows, event_rows = [], []
  for number in range(count - len(templates)):
    app_name, user_id, template_id, state = templates[number % len(templates)]
    session_id = str(uuid.uuid4())
    first = events[template_id][0][1]
    shift = now - number * 600 - rng.random() * 300 - first
    query = f"{rng.choice(QUERIES)} (#{number})"
    last = first
    for invocation_id, timestamp, data in events[template_id]:
      event = json.loads(data)
      event["id"] = str(uuid.uuid4())
      event["timestamp"] = timestamp + shift
      parts = (event.get("content") or {}).get("parts") or []
      if event.get("author") == "user" and parts and "text" in parts[0]:
        parts[0]["text"] = query
      last = timestamp + shift
      event_rows.append(
        (event["id"], app_name, user_id, session_id, invocation_id, last, json.dumps(event))
      )
    session_rows.append((app_name, user_id, session_id, state, first + shift, last))
  with db:
    db.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", session_rows)
    db.executemany(
      "INSERT INTO events (id, app_name, user_id, session_id, invocation_id, timestamp,"
      " event_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
      event_rows,
    )
  db.close()


def timed(command: list[str], cwd: Path) -> float:
  before = time.perf_counter()
  subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
  return time.perf_counter() - before


def figures(name: str, seconds: list[float]) -> str:
  return f"{name:<44} median {statistics.median(seconds):6.2f} s   min {min(seconds):6.2f} s"


def screen_text(app: App[Any]) -> str:
  """What the app's screen shows, as plain text (as the Pilot tests read it)."""
  width, height = app.size
  console = Console(width=width, height=height, file=io.StringIO(), record=True)
  console.print(app.screen._compositor.render_update(full=True))  # noqa: SLF001
  return console.export_text(styles=False)


async def time_browser(folder: Path, sessions: int) -> tuple[float, float, float]:
  """Seconds from the list arriving to its newest row on screen, to every row, and listing."""
  from textual.widgets import DataTable

  from adk_simulator.engine.config.files import load_config
  from adk_simulator.engine.workspace import Workspace
  from adk_simulator.tui.app import SimulatorApp
  from adk_simulator.tui.screens import sessions_browser
  from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
  from adk_simulator.tui.screens.sessions_browser import workspace_store

  class TimedBrowser(SessionsBrowserScreen):
    CSS_PATH = Path(sessions_browser.__file__).with_suffix(".tcss")
    opened = listed = 0.0

    def on_sessions_browser_screen_listed(self, message: SessionsBrowserScreen.Listed) -> None:
      # Textual calls the browser's own handler after this one.
      self.listed = time.perf_counter()

  app = SimulatorApp(Workspace(load_config(folder / "adk-simulator.toml")))
  async with app.run_test(size=(120, 40)):
    screen = TimedBrowser(workspace_store(app))
    screen.opened = time.perf_counter()
    await app.push_screen(screen)
    table = screen.query_one(DataTable)
    while not screen.listed:
      await asyncio.sleep(0.005)
    newest = screen.rows[0].id[:8]
    # Polled, not awaited: the app keeps running between looks.
    while newest not in screen_text(app):
      await asyncio.sleep(0.02)
    shown = time.perf_counter()
    while table.row_count < sessions:
      await asyncio.sleep(0.02)
    every = time.perf_counter()
  return shown - screen.listed, every - screen.listed, screen.listed - screen.opened


def main() -> None:
  parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
  parser.add_argument("--sessions", type=int, default=3000)
  parser.add_argument("--runs", type=int, default=5)
  parser.add_argument("--keep", type=Path, help="Build the store here and leave it.")
  args = parser.parse_args()
  with tempfile.TemporaryDirectory() as scratch:
    folder = (args.keep or Path(scratch)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / ".adk-simulator" / "sessions.db"
    adk_sim = str(Path(sys.executable).parent / "adk-sim")
    if not db_path.exists():
      write_config(folder)
      before = time.perf_counter()
      app_name = asyncio.run(play_templates(folder))
      copy_sessions(db_path, args.sessions)
      print(f"store of {args.sessions} sessions built in {time.perf_counter() - before:.1f} s")
    else:
      app_name = sqlite3.connect(db_path).execute("SELECT app_name FROM sessions").fetchone()[0]
    listing = [adk_sim, "sessions", "list"]
    baseline = [sys.executable, str(BASELINE), str(db_path), app_name]
    if args.keep:
      print("in", folder)
      print("  ", " ".join(listing))
      print("  ", " ".join(baseline))
    for index in (folder / ".adk-simulator" / "summaries").glob("*.db"):
      index.unlink()
    print(figures("`adk-sim sessions list`, no summaries kept yet", [timed(listing, folder)]))
    ours, theirs = [], []
    for _ in range(args.runs):
      ours.append(timed(listing, folder))
      theirs.append(timed(baseline, folder))
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    print(figures("`adk-sim sessions list`", ours))
    print(figures("ADK's SqliteSessionService.list_sessions", theirs))
    print(f"{'ratio (pairwise), median':<44} {statistics.median(ratios):6.2f}×")
    browser = [asyncio.run(time_browser(folder, args.sessions)) for _ in range(3)]
    shown, every, listed = (sorted(column) for column in zip(*browser, strict=True))
    print(f"browser: list arrives → table on screen      median {statistics.median(shown):.3f} s")
    print(f"browser: list arrives → all rows in table    median {statistics.median(every):.3f} s")
    print(f"browser: opened → list arrives (in the app)  median {statistics.median(listed):.3f} s")


if __name__ == "__main__":
  main()
