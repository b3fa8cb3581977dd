"""Headless runs that meet faults: hung tools, signals, leaked threads, failed scripts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agents"
DEADLINE_S = 60.0
"""How long a process may take to do what it must: ten times and more what it takes."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
  (tmp_path / "adk-simulator.toml").write_text(
    'session_service_uri = "sqlite:///sessions.db"\n\n[[agents]]\nname = "Unruly"\n'
    'agent = "unruly_agent.agent:root_agent"\n',
    encoding="utf-8",
  )
  return tmp_path


def script(project: Path, *steps: dict) -> Path:
  path = project / "s.json"
  path.write_text(json.dumps({"steps": [{"user": "misbehave"}, *steps]}), encoding="utf-8")
  return path


def process(project: Path, *args: str) -> subprocess.Popen[str]:
  env = {**os.environ, "PYTHONPATH": str(FIXTURES)}
  return subprocess.Popen(
    [sys.executable, "-m", "adk_simulator", *args],
    cwd=project,
    env=env,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
  )


@pytest.fixture(autouse=True)
def _fixture_agents_importable(monkeypatch: pytest.MonkeyPatch) -> None:
  monkeypatch.syspath_prepend(str(FIXTURES))


def test_a_call_past_the_tool_timeout_is_an_error_and_the_session_goes_on(project: Path):
  path = script(project, {"call": "hangs"}, {"call": "nothing"}, {"respond": "Done."})
  code, out, err = run(project, "play", str(path), "--tool-timeout", "0.5", "--no-export")
  assert code == 0, err
  assert "error     hangs → ToolTimeoutError: ran past the tool timeout of 0.5 s" in out
  assert "answer    Done." in out


def test_the_config_sets_the_tool_timeout(project: Path):
  config = project / "adk-simulator.toml"
  config.write_text("tool_timeout = 0.5\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
  path = script(project, {"call": "hangs"}, {"respond": "Done."})
  code, out, err = run(project, "play", str(path), "--no-export")
  assert code == 0, err
  assert "ToolTimeoutError" in out


@pytest.mark.parametrize(("which", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_play_while_a_tool_hangs_and_keeps_the_session(
  project: Path, which: signal.Signals, code: int
):
  marker = project / "started"
  path = script(project, {"call": "hangs_after_marking", "args": {"marker": str(marker)}})
  player = process(project, "play", str(path))
  deadline = time.monotonic() + DEADLINE_S
  while not marker.exists():  # the hanging call has started
    assert player.poll() is None, player.communicate()
    assert time.monotonic() < deadline, "the call never started"
    time.sleep(0.05)
  player.send_signal(which)
  _, err = player.communicate(timeout=DEADLINE_S)
  assert player.returncode == code, err
  assert f"adk-sim: stopped by {which.name}: session " in err
  assert "kept up to model call 1; nothing was exported" in err
  assert "Traceback" not in err
  code_, out, _ = run(project, "sessions", "list")
  assert code_ == 0 and "in_progress" in out


def test_threads_a_tool_leaves_running_do_not_hold_up_the_exit(project: Path):
  path = script(project, {"call": "leaks_a_thread"}, {"respond": "Done."})
  started = time.monotonic()
  player = process(project, "play", str(path), "--no-export")
  out, err = player.communicate(timeout=DEADLINE_S)
  assert player.returncode == 0, err
  assert "answer    Done." in out
  assert time.monotonic() - started < DEADLINE_S  # the leaked thread sleeps 600 s


def test_a_failed_play_marks_its_session_failed_and_replay_all_leaves_it_out(project: Path):
  path = script(project, {"call": "nothing"}, {"call": "no_such_tool"})
  code, _, err = run(project, "play", str(path))
  assert code == 1
  assert "marked failed" in err
  code, out, _ = run(project, "sessions", "list", "--json")
  (row,) = json.loads(out)
  assert row["status"] == "failed"
  code, out, err = run(project, "replay", "--all", "--check")
  assert code == 0, out + err
  assert "skipping 1 unfinished session: resume them first" in err


def test_stderr_holds_only_the_commands_own_lines_unless_verbose(project: Path):
  path = script(project, {"call": "raises", "args": {"reason": "x"}}, {"call": "no_such_tool"})
  quiet = process(project, "play", str(path))
  _, err = quiet.communicate(timeout=DEADLINE_S)
  assert quiet.returncode == 1
  lines = [line for line in err.splitlines() if line.strip()]
  assert lines and all(line.startswith("adk-sim: ") for line in lines), err
  loud = process(project, "--verbose", "play", str(path))
  _, err = loud.communicate(timeout=DEADLINE_S)
  assert loud.returncode == 1
  assert "Skipping missing token usage metadata" in err


def test_replay_takes_the_tool_timeout_and_stops_on_a_signal(project: Path):
  marker = project / "started"
  path = script(
    project,
    {"call": "hangs_after_marking", "args": {"marker": str(marker)}},
    {"respond": "It hung."},
  )
  code, out, err = run(project, "play", str(path), "--tool-timeout", "0.5", "--no-export")
  assert code == 0, err
  code, out, err = run(project, "replay", "--all", "--check", "--tool-timeout", "0.5")
  assert code == 0, out + err
  assert "1 identical" in out
  marker.unlink()
  replayer = process(project, "replay", "--all")
  deadline = time.monotonic() + DEADLINE_S
  while not marker.exists():  # the replayed call hangs now: no timeout
    assert replayer.poll() is None, replayer.communicate()
    assert time.monotonic() < deadline, "the replayed call never started"
    time.sleep(0.05)
  replayer.send_signal(signal.SIGINT)
  _, err = replayer.communicate(timeout=DEADLINE_S)
  assert replayer.returncode == 130, err
  assert "adk-sim: stopped by SIGINT: the replays in progress were dropped" in err


@pytest.mark.parametrize("kind", ["folder", "not a database"])
def test_a_store_that_cannot_be_used_exits_2_and_is_left_as_it_was(project: Path, kind: str):
  store = project / "sessions.db"
  if kind == "folder":
    store.mkdir()
    expected = "this is a folder, not a SQLite file"
  else:
    store.write_bytes(b"\x89random bytes that are no database" * 50)
    expected = "not a SQLite database, so nothing was written to it"
  before = store.read_bytes() if store.is_file() else None
  path = script(project, {"respond": "Hi."})
  for args in (["play", str(path)], ["sessions", "list"], ["replay", "--all"]):
    code, _, err = run(project, *args)
    assert code == 2, (args, err)
    assert f"adk-sim: session store 'sqlite:///{store.as_posix()}' ({store}): {expected}" in err
    assert "point session_service_uri (or --session-service-uri) at another file" in err
    assert "Traceback" not in err
  if before is not None:
    assert store.read_bytes() == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_store_exits_2(project: Path):
  folder = project / "locked"
  folder.mkdir()
  config = project / "adk-simulator.toml"
  config.write_text(
    config.read_text(encoding="utf-8").replace("sqlite:///sessions.db", "sqlite:///locked/s.db"),
    encoding="utf-8",
  )
  folder.chmod(0o555)
  try:
    code, _, err = run(project, "play", str(script(project, {"respond": "Hi."})))
  finally:
    folder.chmod(0o755)
  assert code == 2 and "is read-only" in err


def test_a_store_that_breaks_mid_session_is_one_clear_line_and_exit_1(project: Path):
  store = project / "sessions.db"
  path = script(
    project, {"call": "breaks_the_store", "args": {"path": str(store)}}, {"respond": "Oops."}
  )
  code, out, err = run(project, "play", str(path))
  assert code == 1, err
  assert f"adk-sim: the session store sqlite:///{store.as_posix()} failed: " in err
  assert "nothing was exported" in err
  assert "kept up to" not in err  # it cannot be read back, so it is not said
  assert "Traceback" not in err
