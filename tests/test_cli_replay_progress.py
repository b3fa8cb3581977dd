"""`adk-sim replay`: how far it has got, on stderr, while stdout keeps the reports."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from cli_helpers import run

from adk_simulator.cli.replay import _Progress
from adk_simulator.engine.replay.replayer import ReplayProgress
from adk_simulator.engine.replay.replayer import ReplayReport

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).parent / "scripts" / "math_two_turns.json"


def test_replay_all_says_how_many_sessions_are_done(tmp_path: Path) -> None:
  agents = (REPO_ROOT / "agents").as_posix()
  (tmp_path / "adk-simulator.toml").write_text(
    f'session_service_uri = "sqlite:///sessions.db"\n\n[[agents]]\nname = "Math"\n'
    f'agent = "{agents}/math_agent"\n',
    encoding="utf-8",
  )
  for _ in range(3):
    code, _, err = run(tmp_path, "play", str(SCRIPT))
    assert code == 0, err
  code, out, err = run(tmp_path, "replay", "--all", "--check", "--concurrency", "2")
  assert code == 0, out + err
  lines = [line for line in err.splitlines() if line.startswith("adk-sim: ")]
  assert lines == [
    "adk-sim: replaying 3 sessions, 2 at a time",
    "adk-sim: 1 of 3 sessions replayed",
    "adk-sim: 2 of 3 sessions replayed",
    "adk-sim: 3 of 3 sessions replayed",
  ]
  assert "adk-sim" not in out and out.count(": identical") == 3


def test_on_a_terminal_one_line_follows_the_current_move(monkeypatch: pytest.MonkeyPatch) -> None:
  class Terminal(io.StringIO):
    def isatty(self) -> bool:
      return True

  stderr, stdout = Terminal(), io.StringIO()
  monkeypatch.setattr(sys, "stderr", stderr)
  monkeypatch.setattr(sys, "stdout", stdout)
  monkeypatch.setenv("COLUMNS", "200")
  progress = _Progress(2, batch=True)
  progress.moved(
    ReplayProgress(
      session_id="abcdef0123456789", move=2, moves=4, doing="call add", steps=1, calls=3
    )
  )
  assert stderr.getvalue() == (
    "\r\x1b[Kadk-sim: 0 of 2 replayed · abcdef01: move 2 of 4 (call add) · 1 of 3 steps compared"
  )
  progress.report(ReplayReport(session_id="abcdef0123456789", agent="Math"), steps=False)
  # The live line is wiped before the report; the count goes on stderr.
  assert stderr.getvalue().endswith("\r\x1b[Kadk-sim: 1 of 2 sessions replayed\n")
  assert stdout.getvalue() == "session abcdef0123456789 (Math): identical\n"


def test_the_live_line_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
  class Terminal(io.StringIO):
    def isatty(self) -> bool:
      return True

  stderr = Terminal()
  monkeypatch.setattr(sys, "stderr", stderr)
  monkeypatch.setenv("COLUMNS", "40")
  progress = _Progress(1, batch=False)
  progress.moved(
    ReplayProgress(session_id="abcdef0123456789", move=1, moves=9, doing="user", steps=0, calls=8)
  )
  assert stderr.getvalue() == "\r\x1b[K" + "adk-sim: abcdef01: move 1 of 9 (user) · 0"[:39]
