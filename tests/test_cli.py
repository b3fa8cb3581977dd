"""The `adk-sim` command line: play, validate, agents, and their errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import fixture_project
from cli_helpers import run
from cli_helpers import write_script
from google.adk.evaluation.eval_set import EvalSet

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture
def project(tmp_path: Path) -> Path:
  """A project folder whose config points at the bundled agents."""
  agents = (REPO_ROOT / "agents").as_posix()
  (tmp_path / "adk-simulator.toml").write_text(
    f"""
session_service_uri = "sqlite:///sessions.db"

[[agents]]
name = "Math"
agent = "{agents}/math_agent"

[[agents]]
name = "Quote"
agent = "{agents}/quote_agent"
""",
    encoding="utf-8",
  )
  return tmp_path


def test_play_exports_and_prints_the_eval_set_and_id_last(project: Path):
  code, out, err = run(project, "play", str(SCRIPTS / "math_two_turns.json"))
  assert code == 0, err
  lines = out.strip().splitlines()
  assert lines[0] == "user      What is 5*5+10?"
  assert any(line.startswith("error     divide → ZeroDivisionError") for line in lines)
  assert lines[-2].startswith("eval set: ") and lines[-2].endswith("math.evalset.json (1 cases)")
  eval_id = lines[-1].removeprefix("eval_id: ")
  stored = EvalSet.model_validate_json((project / "evalsets" / "math.evalset.json").read_text())
  assert [c.eval_id for c in stored.eval_cases] == [eval_id]
  assert len(stored.eval_cases[0].conversation) == 2
  assert "tool `divide`" in err, "the error frame is warned about"
  code, out, _ = run(project, "validate", "evalsets/math.evalset.json")
  assert code == 0 and "with 1 cases" in out


def test_play_yaml_with_structured_input_and_output(project: Path):
  script = project / "quote.yaml"
  script.write_text(
    """
agent: Quote
steps:
  - user: {origin: Lyon, destination: Lisbon, nights: 2, travellers: 1}
  - call: nightly_rate
    args: {city: Lisbon}
  - respond:
      total: 228.0
      currency: EUR
      line_items:
        - {description: Standard room, quantity: 2, unit_price: 110.0, amount: 220.0}
        - {description: City tax, quantity: 2, unit_price: 4.0, amount: 8.0}
""",
    encoding="utf-8",
  )
  code, out, err = run(project, "play", str(script), "--eval-set", "out/q.evalset.json")
  assert code == 0, err
  assert "call      set_model_response(" in out
  stored = EvalSet.model_validate_json((project / "out" / "q.evalset.json").read_text())
  final = stored.eval_cases[0].conversation[0].final_response.parts[0].text
  assert json.loads(final)["total"] == 228.0


def test_no_export_writes_nothing(project: Path):
  code, out, _ = run(project, "play", str(SCRIPTS / "math_two_turns.json"), "--no-export")
  assert code == 0 and "not exported" in out
  assert not (project / "evalsets").exists()


@pytest.mark.parametrize(
  ("script", "expected"),
  [
    ({"steps": []}, "'steps' must be a non-empty list"),
    (
      {"agent": "Math", "steps": [{"call": "add", "args": {}}]},
      "step 1: a script starts with a user message",
    ),
    (
      {"agent": "Math", "steps": [{"user": "hi"}, {"cal": "add"}]},
      "step 2: a step has exactly one of",
    ),
    (
      {"agent": "Math", "steps": [{"user": "hi"}, {"call": "add", "args": 3}]},
      "step 2 (call): args",
    ),
    ({"agent": "Math", "steps": [{"user": "hi"}], "extra": 1}, "unknown key(s) extra"),
    ({"agent": "Nope", "steps": [{"user": "hi"}, {"respond": "x"}]}, "no agent named 'Nope'"),
  ],
)
def test_bad_scripts_exit_2_naming_the_step(project: Path, script: object, expected: str):
  path = write_script(project, script)
  code, _, err = run(project, "play", str(path))
  assert code == 2
  assert expected in err
  assert not (project / "evalsets").exists()


def test_a_call_that_fails_validation_names_step_and_field_and_exports_nothing(project: Path):
  path = write_script(
    project,
    {
      "agent": "Math",
      "steps": [{"user": "hi"}, {"call": "add", "args": {"a": 1, "b": "2"}}, {"respond": "3"}],
    },
  )
  code, out, err = run(project, "play", str(path))
  assert code == 1
  assert "step 2 (call add)" in err and "add.b" in err and "expected number" in err
  assert "nothing was exported" in err
  assert not (project / "evalsets").exists()


@pytest.mark.parametrize(
  ("steps", "expected"),
  [
    (
      [{"user": "hi"}, {"call": "add", "args": {"a": 1, "b": 2}}],
      "ends before the agent's final response",
    ),
    (
      [{"user": "hi"}, {"respond": "x"}, {"call": "add", "args": {"a": 1, "b": 2}}],
      "step 3 (call add): no model turn is expected",
    ),
    ([{"user": "hi"}, {"user": "again"}], "step 2 (user): the agent has not answered"),
    ([{"user": "hi"}, {"call": "pow", "args": {}}], "step 2 (call pow)"),
  ],
)
def test_steps_out_of_order_fail_with_exit_1(project: Path, steps: list, expected: str):
  path = write_script(project, {"agent": "Math", "steps": steps})
  code, _, err = run(project, "play", str(path))
  assert code == 1
  assert expected in err
  assert not (project / "evalsets").exists()


def test_invalid_eval_set_is_reported_and_never_overwritten(project: Path):
  target = project / "evalsets" / "math.evalset.json"
  target.parent.mkdir()
  target.write_text("{not json", encoding="utf-8")
  code, _, err = run(project, "play", str(SCRIPTS / "math_two_turns.json"))
  assert code == 1
  assert str(target) in err and "kept in the store" in err
  assert target.read_text(encoding="utf-8") == "{not json"
  code, _, err = run(project, "validate", str(target))
  assert code == 1 and str(target) in err


def test_config_errors_exit_2(tmp_path: Path):
  (tmp_path / "adk-simulator.toml").write_text(
    "[[agents]]\nname = 'x'\nagnt = 'y'\n", encoding="utf-8"
  )
  code, _, err = run(tmp_path, "agents")
  assert code == 2
  assert "adk-simulator.toml" in err and "agnt" in err


def test_agents_lists_what_loads(project: Path):
  code, out, _ = run(project, "agents")
  assert code == 0
  assert "✓ Math: 4 tools" in out and "✓ Quote: 1 tool →" in out


def test_console_script_runs_as_a_process(project: Path):
  script = SCRIPTS / "math_two_turns.json"
  done = subprocess.run(
    [sys.executable, "-m", "adk_simulator", "play", str(script), "--no-export"],
    cwd=project,
    capture_output=True,
    text=True,
    timeout=120,
  )
  assert done.returncode == 0, done.stderr
  assert "answer    Doubled, it is 70" in done.stdout


def test_the_bundled_example_eval_set_is_valid():
  code, out, err = run(REPO_ROOT, "validate", "evalsets/math_agent.evalset.json")
  assert code == 0, err
  assert "valid EvalSet 'math_evals'" in out


def test_a_session_store_that_cannot_open_is_a_clear_error(project: Path):
  code, _, err = run(
    project, "play", str(SCRIPTS / "math_two_turns.json"), "--session-service-uri", "nodb"
  )
  assert code == 2
  assert "session_service_uri 'nodb' has no scheme" in err


def test_a_database_url_whose_driver_is_missing_says_how_to_install_it(project: Path):
  url = "mysql+aiomysql://user@127.0.0.1/sessions"  # a driver this project never installs
  code, _, err = run(
    project, "play", str(SCRIPTS / "math_two_turns.json"), "--session-service-uri", url
  )
  assert code == 2
  assert "No module named 'aiomysql'" in err
  assert "uv sync --extra postgres" in err


def test_play_prints_an_agent_tool_inner_run_and_replays_it(tmp_path: Path):
  fixture_project(tmp_path, "Concierge", "concierge_agent")
  script = write_script(
    tmp_path,
    {
      "agent": "Concierge",
      "steps": [
        {"user": "Weather in Paris?"},
        {"call": "weather_agent", "args": {"request": "Paris"}},
        {"call": "forecast", "args": {"city": "Paris"}},
        {"respond": "20 degrees."},
        {"respond": "It is 20 degrees in Paris."},
      ],
    },
  )
  code, out, err = run(tmp_path, "play", str(script))
  assert code == 0, err
  lines = out.splitlines()
  assert lines[:7] == [
    "user      Weather in Paris?",
    'call      weather_agent(request="Paris")  [concierge]',
    "inner run weather_agent: agent weather_agent",
    '  call      forecast(city="Paris")  [weather_agent]',
    '  output    forecast → {"city": "Paris", "temp_c": 20}' + lines[4][-10:],
    "  answer    20 degrees.  [weather_agent]",
    'output    weather_agent → {"result": "20 degrees."}' + lines[6][-10:],
  ]
  assert lines[7] == "answer    It is 20 degrees in Paris.  [concierge]"
  code, out, err = run(tmp_path, "replay", "--all", "--check")
  assert code == 0, out + err
  assert "identical" in out


def test_play_answers_confirmations_and_delivers_results_and_replays_them(tmp_path: Path):
  fixture_project(tmp_path, "Approvals", "approvals_agent")
  script = write_script(
    tmp_path,
    {
      "agent": "Approvals",
      "steps": [
        {"user": "Refund order 7."},
        {"call": "refund", "args": {"order_id": "7", "amount": 12.5}},
        {"confirm": True},
        {"respond": "Refunded."},
        {"user": "Book room 12."},
        {"call": "book_room", "args": {"room": "12"}},
        {"respond": "How many nights?"},
        {"confirm": True, "payload": {"nights": 2}},
        {"respond": "Booked for 2 nights."},
        {"user": "Refund order 8."},
        {"call": "refund", "args": {"order_id": "8", "amount": 3}},
        {"confirm": False},
        {"respond": "Not refunded."},
        {"user": "Reimburse 200."},
        {"call": "ask_manager", "args": {"amount": 200}},
        {"respond": "I asked the manager."},
        {"tool_result": "ask_manager", "response": {"status": "approved", "ticket": "T-200"}},
        {"call": "reimburse", "args": {"amount": 200, "ticket": "T-200"}},
        {"respond": "Paid."},
      ],
    },
  )
  code, out, err = run(tmp_path, "play", str(script))
  assert code == 0, err
  lines = out.splitlines()
  assert "user      approved" in lines
  assert 'user      approved with payload {"nights": 2}' in lines
  assert "user      rejected" in lines
  assert "call      ask_manager(amount=200)  [approvals_agent]  (long-running)" in lines
  assert (
    'result    ask_manager → {"status": "approved", "ticket": "T-200"}  (delivered by the user)'
    in lines
  )
  assert sum(line.startswith("confirm?  ") for line in lines) == 3
  # Exported with the reasons adk eval cannot send the answers.
  assert err.count("Function call not found for function response ids") == 4, err
  code, out, err = run(tmp_path, "replay", "--all", "--check")
  assert code == 0, out + err
  assert "identical" in out


def test_play_that_stops_at_a_confirmation_says_what_is_missing(tmp_path: Path):
  fixture_project(tmp_path, "Approvals", "approvals_agent")
  script = write_script(
    tmp_path,
    {
      "steps": [
        {"user": "Refund order 7."},
        {"call": "refund", "args": {"order_id": "7", "amount": 12.5}},
      ]
    },
  )
  code, _, err = run(tmp_path, "play", str(script))
  assert code == 1
  assert "the session waits for the user to approve or reject refund(" in err
  assert "finish with a 'confirm' step" in err
  assert "Traceback" not in err


def adk_sim(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
  """`adk-sim ARGS` as a process of its own: everything it and its MCP servers print."""
  return subprocess.run(
    [sys.executable, "-m", "adk_simulator", *args],
    cwd=cwd,
    capture_output=True,
    text=True,
    timeout=300,
  )


def test_agents_marks_an_mcp_agent_whose_server_cannot_start(
  tmp_path: Path, library_agent: Path, failing_mcp_agents: dict[str, Path]
):
  done = adk_sim(tmp_path, "agents", str(tmp_path / "agents"))

  assert done.returncode == 1
  exiting, library, missing = done.stdout.splitlines()  # in folder order
  assert library.startswith("✓ library_agent: 2 tools →"), done.stdout
  assert missing.startswith(
    '✗ missing_server_agent: agent "missing_server_agent": its MCP server `no-such-mcp-server`'
    " failed to start: command not found: no-such-mcp-server."
  ), done.stdout
  assert exiting.startswith('✗ exiting_server_agent: agent "exiting_server_agent": its MCP')
  assert "failed to start: the server exited or closed its output before answering" in exiting, (
    exiting
  )
  assert "Traceback" not in done.stderr, done.stderr


def test_play_an_mcp_agent_and_a_server_that_cannot_start(
  tmp_path: Path, library_agent: Path, failing_mcp_agents: dict[str, Path]
):
  broken = failing_mcp_agents["exiting_server_agent"].as_posix()
  (tmp_path / "adk-simulator.toml").write_text(
    f'session_service_uri = "sqlite:///sessions.db"\n\n'
    f'[[agents]]\nname = "Library"\nagent = "{library_agent.as_posix()}"\n\n'
    f'[[agents]]\nname = "Broken"\nagent = "{broken}"\n',
    encoding="utf-8",
  )
  steps = [
    {"user": "Anything by Herbert?"},
    {"call": "search_books", "args": {"query": "herbert"}},
    {"respond": "Dune, from 1965."},
  ]
  script = write_script(tmp_path, {"agent": "Library", "steps": steps})

  done = adk_sim(tmp_path, "play", str(script), "--no-export")

  assert done.returncode == 0, done.stderr
  assert 'call      search_books(query="herbert")' in done.stdout
  assert "output    search_books → " in done.stdout and "Dune" in done.stdout

  failed = adk_sim(tmp_path, "play", str(script), "--agent", "Broken", "--no-export")

  assert failed.returncode == 1
  assert "adk-sim: agent 'Broken' failed to load: agent \"Broken\": its MCP server" in (
    failed.stderr
  )
  assert "failed to start: the server exited or closed its output before answering" in (
    failed.stderr
  )
  assert "Traceback" not in failed.stderr, failed.stderr


@pytest.mark.parametrize("what", ["script", "config", "session file"])
def test_a_file_that_is_not_utf8_exits_2_naming_it(project: Path, what: str):
  latin = "caf\xe9".encode("latin-1")
  if what == "script":
    path = project / "s.json"
    path.write_bytes(b'{"steps": [{"user": "' + latin + b'"}]}')
    code, _, err = run(project, "play", str(path), "--agent", "Math")
  elif what == "config":
    path = project / "adk-simulator.toml"
    path.write_bytes(path.read_bytes() + b"\n# " + latin + b"\n")
    code, _, err = run(project, "agents")
  else:
    path = project / "old.session.json"
    path.write_bytes(b'{"id": "' + latin + b'"}')
    code, _, err = run(project, "sessions", "import", str(path))
  assert code == 2, err
  assert f"{path}: not UTF-8 text (byte" in err and "save the file as UTF-8" in err
  assert "Traceback" not in err
