"""`adk-sim export`, `adk-sim evalset list/show/delete` and import twice, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run
from cli_helpers import write_script
from process_race import append_in_process
from process_race import delete_in_process
from process_race import race

REPO_ROOT = Path(__file__).resolve().parents[1]
MATH = (REPO_ROOT / "agents" / "math_agent").as_posix()


@pytest.fixture
def project(tmp_path: Path) -> Path:
  """The math agent, its eval set in the project, one session played and exported."""
  (tmp_path / "adk-simulator.toml").write_text(
    'session_service_uri = "sqlite:///sessions.db"\n\n[[agents]]\nname = "Math"\n'
    f'agent = "{MATH}"\neval_set = "math.evalset.json"\n',
    encoding="utf-8",
  )
  write_script(
    tmp_path,
    {
      "steps": [
        {"user": "What is 2+3?"},
        {"call": "add", "args": {"a": 2, "b": 3}},
        {"respond": "5"},
      ]
    },
  )
  code, out, err = run(tmp_path, "play", "s.json")
  assert code == 0, err
  return tmp_path


def sessions(project: Path) -> list[dict]:
  code, out, _ = run(project, "sessions", "list", "--json")
  assert code == 0
  return json.loads(out)


def cases(project: Path) -> list[dict]:
  return json.loads((project / "math.evalset.json").read_text(encoding="utf-8"))["eval_cases"]


def test_export_replaces_the_sessions_case_and_new_adds_one(project: Path):
  (session,) = sessions(project)
  (played,) = cases(project)
  code, out, err = run(project, "export", session["id"][:8])
  assert code == 0, err
  assert "1 case; replaced its case" in out and f"eval_id: {played['eval_id']}" in out
  assert [c["eval_id"] for c in cases(project)] == [played["eval_id"]]

  code, out, err = run(project, "export", session["id"], "--new")
  assert code == 0, err
  assert "2 cases; added a new case" in out
  ids = [c["eval_id"] for c in cases(project)]
  assert len(set(ids)) == 2 and ids[0] == played["eval_id"]

  other = project / "other.evalset.json"
  code, out, err = run(project, "export", session["id"], "--eval-set", str(other))
  assert code == 0, err
  assert "1 case; added a new case" in out, "another file holds no case of it yet"
  assert len(cases(project)) == 2


def test_export_refuses_an_unfinished_session_and_names_a_broken_eval_set(project: Path):
  write_script(project, {"steps": [{"user": "Half"}, {"call": "add", "args": {"a": 1, "b": 1}}]})
  code, _, err = run(project, "play", "s.json", "--no-export")
  assert code == 1
  unfinished = next(s for s in sessions(project) if s["first_query"] == "Half")
  code, _, err = run(project, "export", unfinished["id"])
  assert code == 1
  assert "is not finished" in err and "nothing was exported" in err
  broken = project / "broken.evalset.json"
  broken.write_text("{not json", encoding="utf-8")
  finished = next(s for s in sessions(project) if s["first_query"] == "What is 2+3?")
  code, _, err = run(project, "export", finished["id"], "--eval-set", str(broken))
  assert code == 1 and "is not valid JSON" in err and "is kept as it was" in err
  assert broken.read_text(encoding="utf-8") == "{not json"
  code, _, err = run(project, "export", "nope")
  assert code == 1 and "no stored session 'nope'" in err


def test_importing_the_same_file_twice_says_so(project: Path, tmp_path: Path):
  (session,) = sessions(project)
  code, _, err = run(project, "sessions", "export", session["id"], "-o", "m.session.json")
  assert code == 0, err
  other = f"sqlite:///{(tmp_path / 'other.db').as_posix()}"
  code, out, err = run(
    project, "sessions", "import", "m.session.json", "--session-service-uri", other
  )
  assert code == 0 and f"as session {session['id']}" in out, err
  code, out, err = run(
    project, "sessions", "import", "m.session.json", "--session-service-uri", other
  )
  assert code == 0, err
  assert out.startswith("already imported: m.session.json is already in the store as session")
  assert session["id"] in out and "nothing was imported" in out
  code, out, _ = run(project, "sessions", "list", "--json", "--session-service-uri", other)
  assert [s["id"] for s in json.loads(out)] == [session["id"]]


def test_evalset_list_show_and_delete(project: Path):
  write_script(
    project,
    {
      "steps": [
        {"user": "Divide 1 by 0, then 6 by 3"},
        {"call": "divide", "args": {"a": 1, "b": 0}},
        {"call": "divide", "args": {"a": 6, "b": 3}},
        {"respond": "Cannot divide by 0; 6/3 is 2."},
      ]
    },
  )
  code, _, err = run(project, "play", "s.json")
  assert code == 0, err
  first, second = (c["eval_id"] for c in cases(project))

  code, out, err = run(project, "evalset", "list", "math.evalset.json")
  assert code == 0, err
  header, *lines = out.strip().splitlines()
  assert header.split() == ["ID", "TURNS", "CALLS", "CREATED", "FIRST", "QUERY"]
  assert [line.split()[:3] for line in lines] == [[first, "1", "1"], [second, "1", "2"]]
  assert lines[1].endswith("Divide 1 by 0, then 6 by 3")
  code, out, _ = run(project, "evalset", "list", "math.evalset.json", "--json")
  rows = json.loads(out)
  assert [(r["eval_id"], r["turns"], r["calls"]) for r in rows] == [(first, 1, 1), (second, 1, 2)]
  assert all(r["created"] > 0 for r in rows)

  code, out, err = run(project, "evalset", "show", "math.evalset.json", second)
  assert code == 0, err
  assert f"case {second}: 1 turn, 2 tool calls" in out
  assert "user      Divide 1 by 0, then 6 by 3" in out
  assert "call      divide(a=1, b=0)" in out
  assert "error     divide → ZeroDivisionError: division by zero" in out
  assert 'output    divide → {"result": 2.0}' in out
  assert out.index("divide(a=1, b=0)") < out.index("ZeroDivisionError") < out.index("b=3")
  assert "answer    Cannot divide by 0; 6/3 is 2." in out
  code, out, _ = run(project, "evalset", "show", "math.evalset.json", second, "--json")
  assert json.loads(out)["eval_id"] == second
  code, _, err = run(project, "evalset", "show", "math.evalset.json", "nope")
  assert code == 1 and "no case 'nope'" in err and first in err

  code, out, _ = run(project, "evalset", "delete", "math.evalset.json", first, input="n\n")
  assert code == 0 and out.strip().endswith("kept")
  assert len(cases(project)) == 2
  code, out, _ = run(project, "evalset", "delete", "math.evalset.json", first, input="y\n")
  assert code == 0 and f"deleted {first}" in out and "(1 case left)" in out
  code, out, _ = run(project, "evalset", "delete", "math.evalset.json", second, "--yes")
  assert code == 0 and "(0 cases left)" in out
  code, out, _ = run(project, "evalset", "list", "math.evalset.json")
  assert out.strip() == "math.evalset.json: no cases"
  code, _, err = run(project, "evalset", "list", "missing.evalset.json")
  assert code == 1 and "missing.evalset.json: does not exist" in err
  assert not (project / "missing.evalset.json.lock").exists(), (
    "reading a missing file locks nothing"
  )


def test_an_export_and_a_delete_at_the_same_time_lose_nothing(project: Path):
  """One process appends 30 cases while another deletes the 20 the file held: under the
  lock, each sees the other's writes, so exactly the 30 new cases are left."""
  from google.adk.evaluation.eval_case import EvalCase

  from adk_simulator.engine.export.evalset_file import EvalSetWriter

  path = project / "math.evalset.json"
  (played,) = cases(project)
  case = EvalCase.model_validate(played)
  writer = EvalSetWriter(path)
  for n in range(19):
    writer.append(case.model_copy(update={"eval_id": f"old_{n}"}), agent_name="Math")
  old_ids = [c["eval_id"] for c in cases(project)]
  assert len(old_ids) == 20
  new_case = case.model_copy(update={"eval_id": "new"}).model_dump_json()

  exits = race(
    (append_in_process, (str(path), new_case, 30, "Math")),
    (delete_in_process, (str(path), old_ids)),
  )
  assert exits == [0, 0]
  left = [c["eval_id"] for c in cases(project)]
  assert sorted(left) == sorted(["new", *(f"new_{n}" for n in range(2, 31))])
  code, out, _ = run(project, "validate", str(path))
  assert code == 0 and "with 30 cases" in out
