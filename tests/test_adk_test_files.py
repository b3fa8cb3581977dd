"""`adk-sim sessions export --adk-test`: files ADK's own `adk test` runner replays and passes.

Each test plays sessions through the CLI on a copy of the agents, writes their
`adk test` files, and runs `adk test` on that copy in a subprocess: the real
runner, its mock model answering with the recorded model turns, the real tools.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run
from cli_helpers import write_script

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]

CAREFUL_AGENT = '''\
from google.adk.agents import Agent


def divide(a: float, b: float) -> dict:
  """Divides a by b."""
  return {"result": a / b}


def explain(tool, args, tool_context, error):
  return {"error": {"type": type(error).__name__, "message": str(error)}}


root_agent = Agent(
  name="careful_agent",
  model="gemini-2.5-flash",
  instruction="Divide.",
  tools=[divide],
  on_tool_error_callback=explain,
)
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
  """A copy of the math agent and an agent that turns tool errors into responses."""
  agents = tmp_path / "agents"
  shutil.copytree(
    REPO_ROOT / "agents" / "math_agent",
    agents / "math_agent",
    ignore=shutil.ignore_patterns("__pycache__", "tests"),
  )
  (agents / "careful_agent").mkdir()
  (agents / "careful_agent" / "agent.py").write_text(CAREFUL_AGENT, encoding="utf-8")
  (agents / "careful_agent" / "__init__.py").write_text("from . import agent\n", encoding="utf-8")
  (tmp_path / "adk-simulator.toml").write_text(
    'session_service_uri = "sqlite:///sessions.db"\n\n'
    '[[agents]]\nname = "Math"\nagent = "agents/math_agent"\n\n'
    '[[agents]]\nname = "Careful"\nagent = "agents/careful_agent"\n',
    encoding="utf-8",
  )
  return tmp_path


def play(project: Path, agent: str, steps: list[dict], **extra: object) -> str:
  """Plays a script without exporting it; the session's id."""
  write_script(project, {"agent": agent, "steps": steps, **extra})
  code, out, err = run(project, "play", "s.json", "--no-export")
  assert code == 0, err
  found = re.search(r"^session (\S+) \(not exported", out, re.MULTILINE)
  assert found, out
  return found.group(1)


def play_with_an_undo(project: Path) -> str:
  """Plays a session in the project's store with a wrong call undone; the session's id."""

  async def played() -> str:
    ws = Workspace(load_config(cwd=project))
    agent = ws.load_agent(ws.agents[0])
    assert isinstance(agent, LoadedAgent), agent
    simulation = ws.new_simulation()
    await simulation.select_agent(agent)
    await simulation.submit_query("What is 6*7?")
    await simulation.submit_turn(call("add", a=6, b=7))
    await simulation.undo()
    await simulation.submit_turn(call("multiply", a=6, b=7))
    await simulation.submit_turn(answer("42"))
    assert simulation.session_id is not None
    return simulation.session_id

  return asyncio.run(played())


def adk_test(project: Path) -> subprocess.CompletedProcess[str]:
  """ADK's `adk test` on the project's agents, one pytest process (no xdist workers)."""
  adk = Path(sys.executable).with_name("adk")
  return subprocess.run(
    [str(adk), "test", str(project / "agents"), "--", "-n", "0", "-p", "no:cacheprovider"],
    cwd=project,
    capture_output=True,
    text=True,
    timeout=600,
  )


def results(output: str) -> dict[str, str]:
  """`agent/file.json` → PASSED or FAILED, from the runner's verbose output."""
  return dict(re.findall(r"test_agent_replay\[([^\]]+)\] (PASSED|FAILED)", output))


def test_adk_test_passes_on_exported_sessions_and_fails_when_a_tool_drifts(project: Path):
  parallel = play(
    project,
    "Math",
    [
      {"user": "What is 5*5+10?"},
      {"call": "multiply", "args": {"a": 5, "b": 5}},
      {
        "calls": [
          {"call": "add", "args": {"a": 25, "b": 10}},
          {"call": "subtract", "args": {"a": 25, "b": 10}},
        ]
      },
      {"respond": "35"},
    ],
  )
  two_turns = play(
    project,
    "Math",
    [
      {"user": "What is 2+3?"},
      {"call": "add", "args": {"a": 2, "b": 3}},
      {"respond": "5"},
      {"user": "and doubled?"},
      {"call": "multiply", "args": {"a": 5, "b": 2}},
      {"respond": "10"},
    ],
  )
  handled = play(
    project,
    "Careful",
    [{"user": "1/0?"}, {"call": "divide", "args": {"a": 1, "b": 0}}, {"respond": "Undefined."}],
  )
  undone = play_with_an_undo(project)
  for session_id, path in [
    (undone, "agents/math_agent/tests/undone.json"),
    (parallel, "agents/math_agent/tests/parallel.json"),
    (two_turns, "agents/math_agent/tests/two_turns.json"),
    (handled, "agents/careful_agent/tests/handled_error.json"),
  ]:
    code, out, err = run(project, "sessions", "export", session_id, "--adk-test", "-o", path)
    assert code == 0, err
    assert out.strip() == f"wrote {path}" and "note:" not in err
  written = json.loads((project / "agents/math_agent/tests/parallel.json").read_text("utf-8"))
  calls = [
    p["functionCall"]["id"]
    for e in written["events"]
    for p in e.get("content", {}).get("parts", [])
    if "functionCall" in p
  ]
  assert calls == ["fc-1", "fc-2", "fc-3"]
  assert not any("customMetadata" in e for e in written["events"])
  assert written["events"][0]["content"]["parts"] == [{"text": "What is 5*5+10?"}]
  # The undone call is in no file: only the kept path is replayed.
  undone_file = (project / "agents/math_agent/tests/undone.json").read_text("utf-8")
  assert '"add"' not in undone_file and '"multiply"' in undone_file
  assert "rewind" not in undone_file.lower()

  ran = adk_test(project)
  assert results(ran.stdout) == {
    "math_agent/undone.json": "PASSED",
    "math_agent/parallel.json": "PASSED",
    "math_agent/two_turns.json": "PASSED",
    "careful_agent/handled_error.json": "PASSED",
  }, ran.stdout + ran.stderr
  assert ran.returncode == 0

  # The tool's result drifts: the replay of every session that called it fails.
  agent_py = project / "agents" / "math_agent" / "agent.py"
  code = agent_py.read_text(encoding="utf-8")
  drifted = code.replace('return {"result": a + b}', 'return {"result": a + b + 1}')
  assert drifted != code
  agent_py.write_text(drifted, encoding="utf-8")
  ran = adk_test(project)
  assert results(ran.stdout) == {
    "math_agent/undone.json": "PASSED",
    "math_agent/parallel.json": "FAILED",
    "math_agent/two_turns.json": "FAILED",
    "careful_agent/handled_error.json": "PASSED",
  }, ran.stdout + ran.stderr
  assert ran.returncode == 1


def test_a_session_adk_test_cannot_replay_is_refused_with_the_reason(project: Path):
  error_frame = play(
    project,
    "Math",
    [{"user": "1/0?"}, {"call": "divide", "args": {"a": 1, "b": 0}}, {"respond": "Undefined."}],
  )
  code, out, err = run(
    project, "sessions", "export", error_frame, "--adk-test", "-o", "agents/math_agent/tests/e.json"
  )
  assert code == 1, out
  assert f"session {error_frame} cannot be replayed by `adk test`, so no file was written" in err
  assert "`divide` (call " in err and "raised ZeroDivisionError: division by zero" in err
  assert "agent `math_agent` has no on_tool_error_callback" in err
  assert not (project / "agents/math_agent/tests/e.json").exists()

  with_state = play(
    project,
    "Math",
    [{"user": "2+2?"}, {"call": "add", "args": {"a": 2, "b": 2}}, {"respond": "4"}],
    state={"precision": 2},
  )
  code, _, err = run(project, "sessions", "export", with_state, "--adk-test", "-o", "w.json")
  assert code == 1
  assert "the session started with state (precision)" in err
  assert "starts every replay from an empty state" in err
  assert not (project / "w.json").exists()


def test_an_adk_test_file_outside_an_agents_tests_folder_gets_a_note_and_never_overwrites(
  project: Path,
):
  session_id = play(
    project, "Math", [{"user": "2+2?"}, {"call": "add", "args": {"a": 2, "b": 2}}, {"respond": "4"}]
  )
  code, out, err = run(project, "sessions", "export", session_id, "--adk-test", "-o", "t.json")
  assert code == 0 and "wrote t.json" in out
  assert "finds test files at AGENTS_DIR/<agent>/tests/*.json" in err
  before = (project / "t.json").read_text(encoding="utf-8")
  code, _, err = run(project, "sessions", "export", session_id, "--adk-test", "-o", "t.json")
  assert code == 1 and "already exists" in err
  assert (project / "t.json").read_text(encoding="utf-8") == before
