"""Golden traces: real math-agent sessions exported as ADK eval cases and files."""

from __future__ import annotations

import importlib
import json
import re
import stat
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest
from export_helpers import AGENTS_DIR
from export_helpers import APP_NAME
from export_helpers import USER_ID
from export_helpers import answer
from export_helpers import calls
from export_helpers import read_json
from export_helpers import run_session
from google.adk.agents.base_agent import BaseAgent
from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_case import IntermediateData
from google.adk.evaluation.eval_case import get_all_tool_calls
from google.adk.evaluation.eval_set import EvalSet
from google.adk.evaluation.evaluation_generator import EvaluationGenerator
from google.adk.evaluation.local_eval_sets_manager import load_eval_set_from_file
from google.adk.sessions.session import Session
from google.adk.sessions.sqlite_session_service import SqliteSessionService
from process_race import append_in_process
from process_race import race

from adk_simulator.engine.export.evalset_file import EvalSetFileError
from adk_simulator.engine.export.evalset_file import EvalSetWriter
from adk_simulator.engine.export.evalset_file import validate_eval_set
from adk_simulator.engine.export.golden_trace import GoldenTraceBuilder
from adk_simulator.engine.export.golden_trace import NothingToExportError
from adk_simulator.engine.export.golden_trace import case_warnings
from adk_simulator.engine.export.golden_trace import snake_case
from adk_simulator.engine.export.golden_trace import trace_warnings

NOW = datetime(2026, 11, 22, 3, 15, 0, 123456, tzinfo=UTC)
STATE = {"precision": 2, "user:name": "Ada", "history": [1, 2.5, "x"]}


@pytest.fixture
def math_agent(monkeypatch: pytest.MonkeyPatch) -> BaseAgent:
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module("math_agent.agent").root_agent


@pytest.fixture
async def parallel_session(math_agent: BaseAgent) -> Session:
  """One turn: a parallel model turn (add and multiply), then the answer."""
  return await run_session(
    math_agent,
    [
      (
        "What are 2+3 and 4*5?",
        [calls(("add", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5.5})), answer("5 and 22.")],
      )
    ],
    state=STATE,
  )


def build(session: Session, now: datetime = NOW, **kwargs) -> EvalCase:
  return GoldenTraceBuilder(session, agent_name="Math Agent", initial_state=STATE, now=now).build(
    **kwargs
  )


def intermediate(case: EvalCase, turn: int = 0) -> IntermediateData:
  assert case.conversation is not None
  data = case.conversation[turn].intermediate_data
  assert isinstance(data, IntermediateData)
  return data


# --- GoldenTraceBuilder -----------------------------------------------------


async def test_parallel_calls_keep_order_ids_and_arg_types(parallel_session: Session) -> None:
  case = build(parallel_session)

  data = intermediate(case)
  assert [(c.name, c.args) for c in data.tool_uses] == [
    ("add", {"a": 2, "b": 3}),
    ("multiply", {"a": 4, "b": 5.5}),
  ]
  assert [type(v) for v in data.tool_uses[0].args.values()] == [int, int]
  assert [r.id for r in data.tool_responses] == [c.id for c in data.tool_uses]
  assert all(c.id for c in data.tool_uses)
  assert [r.response for r in data.tool_responses] == [{"result": 5}, {"result": 22.0}]
  assert trace_warnings(parallel_session) == []


async def test_invocation_carries_user_turn_answer_and_timestamps(
  parallel_session: Session,
) -> None:
  case = build(parallel_session)

  assert case.conversation is not None
  (invocation,) = case.conversation
  user_event = parallel_session.events[0]
  assert invocation.invocation_id == user_event.invocation_id
  assert invocation.creation_timestamp == user_event.timestamp
  assert invocation.user_content == user_event.content
  assert invocation.final_response is not None
  assert invocation.final_response.role == "model"
  assert [p.text for p in invocation.final_response.parts or []] == ["5 and 22."]
  assert case.creation_timestamp == NOW.timestamp()


async def test_session_input_carries_the_real_initial_state(parallel_session: Session) -> None:
  case = build(parallel_session)

  assert case.session_input is not None
  assert case.session_input.app_name == APP_NAME
  assert case.session_input.user_id == USER_ID
  assert case.session_input.state == STATE
  # A copy: later changes to the caller's dict do not leak into the case.
  assert case.session_input.state is not STATE


async def test_two_user_turns_make_two_invocations(math_agent: BaseAgent) -> None:
  session = await run_session(
    math_agent,
    [
      ("What is 7-2?", [calls(("subtract", {"a": 7, "b": 2})), answer("It is 5.")]),
      ("And times 3?", [calls(("multiply", {"a": 5, "b": 3})), answer("It is 15.")]),
    ],
  )

  case = build(session)

  assert case.conversation is not None
  assert [i.user_content.parts[0].text for i in case.conversation] == [  # type: ignore[index]
    "What is 7-2?",
    "And times 3?",
  ]
  assert [[c.name for c in intermediate(case, n).tool_uses] for n in (0, 1)] == [
    ["subtract"],
    ["multiply"],
  ]
  assert [i.final_response.parts[0].text for i in case.conversation] == [  # type: ignore[union-attr,index]
    "It is 5.",
    "It is 15.",
  ]


async def test_agrees_with_adks_own_converter(math_agent: BaseAgent) -> None:
  session = await run_session(
    math_agent,
    [
      (
        "2+3 and 4*5?",
        [calls(("add", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})), answer("5, 20")],
      ),
      ("10/4?", [calls(("divide", {"a": 10, "b": 4})), answer("2.5")]),
    ],
  )

  ours = build(session).conversation
  adks = EvaluationGenerator.convert_events_to_eval_invocations(session.events)

  assert ours is not None and len(ours) == len(adks) == 2
  for mine, theirs in zip(ours, adks, strict=True):
    assert mine.invocation_id == theirs.invocation_id
    assert mine.user_content == theirs.user_content
    assert mine.final_response == theirs.final_response
    assert get_all_tool_calls(mine.intermediate_data) == get_all_tool_calls(
      theirs.intermediate_data
    )


async def test_structured_answer_is_the_json_adk_produces(monkeypatch: pytest.MonkeyPatch) -> None:
  from google.adk.agents import Agent
  from pydantic import BaseModel

  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  tools = importlib.import_module("math_agent.agent")

  class Result(BaseModel):
    value: float
    note: str

  agent = Agent(
    name="schema_agent", model="gemini-2.5-flash", tools=[tools.add], output_schema=Result
  )
  session = await run_session(
    agent,
    [
      (
        "1+2?",
        [
          calls(("add", {"a": 1, "b": 2})),
          calls(("set_model_response", {"value": 3, "note": "é"})),
        ],
      )
    ],
  )

  case = build(session)

  assert case.conversation is not None
  final = case.conversation[0].final_response
  assert final is not None and final.parts is not None
  assert json.loads(final.parts[0].text or "") == {"value": 3.0, "note": "é"}
  assert [c.name for c in intermediate(case).tool_uses] == ["add", "set_model_response"]
  adks = EvaluationGenerator.convert_events_to_eval_invocations(session.events)
  assert final == adks[0].final_response


async def test_session_reloaded_from_sqlite_exports_the_same_case(
  math_agent: BaseAgent, tmp_path: Path
) -> None:
  service = SqliteSessionService(str(tmp_path / "sessions.db"))
  session = await run_session(
    math_agent,
    [("2+3?", [calls(("add", {"a": 2, "b": 3})), answer("5")])],
    state=STATE,
    session_service=service,
  )
  reloaded = await SqliteSessionService(str(tmp_path / "sessions.db")).get_session(
    app_name=APP_NAME, user_id=USER_ID, session_id=session.id
  )

  assert reloaded is not None
  assert build(reloaded) == build(session)


async def test_empty_session_has_nothing_to_export(math_agent: BaseAgent) -> None:
  session = await run_session(math_agent, [])

  with pytest.raises(NothingToExportError, match=session.id):
    build(session)


def test_initial_state_must_be_storable_as_json() -> None:
  session = Session(id="s", app_name=APP_NAME, user_id=USER_ID)

  with pytest.raises(ValueError, match="initial state"):
    GoldenTraceBuilder(session, agent_name="Math", initial_state={"lock": object()})


# --- eval ids -----------------------------------------------------------------


@pytest.mark.parametrize(
  ("name", "expected"),
  [
    ("Math Agent", "math_agent"),
    ("MathAgent", "math_agent"),
    ("math_agent", "math_agent"),
    ("HTTPServer bot v2", "http_server_bot_v2"),
    ("Café: a,b", "cafe_a_b"),
    ("???", "agent"),
  ],
)
def test_snake_case(name: str, expected: str) -> None:
  assert snake_case(name) == expected


async def test_eval_id_is_snake_name_and_utc_time(parallel_session: Session) -> None:
  local = NOW.astimezone(timezone(timedelta(hours=-5)))

  case = build(parallel_session, now=local)

  assert case.eval_id == "math_agent_20261122T031500_123456"
  assert re.fullmatch(r"[A-Za-z0-9_]+", case.eval_id)


async def test_eval_id_avoids_given_ids(parallel_session: Session) -> None:
  taken = {"math_agent_20261122T031500_123456", "math_agent_20261122T031500_123456_2"}

  assert build(parallel_session, existing_ids=taken).eval_id == (
    "math_agent_20261122T031500_123456_3"
  )


# --- warnings -------------------------------------------------------------------


async def test_error_frame_warns_that_adk_eval_reraises(
  math_agent: BaseAgent, tmp_path: Path
) -> None:
  session = await run_session(
    math_agent,
    [("1/0?", [calls(("divide", {"a": 1, "b": 0})), answer("Cannot divide by zero.")])],
  )
  case = build(session)
  call_id = intermediate(case).tool_uses[0].id
  assert intermediate(case).tool_responses[0].response == {
    "error": {"type": "ZeroDivisionError", "message": "division by zero"}
  }

  warnings = trace_warnings(session)

  assert len(warnings) == 1
  assert "divide" in warnings[0] and str(call_id) in warnings[0]
  assert "ZeroDivisionError" in warnings[0] and "on_tool_error_callback" in warnings[0]
  result = EvalSetWriter(tmp_path / "m.evalset.json").append(case, agent_name="Math Agent")
  assert result.warnings == warnings


async def test_turn_without_final_response_warns(math_agent: BaseAgent) -> None:
  from google.adk.models.llm_response import LlmResponse
  from google.genai import types

  silent = LlmResponse(content=types.Content(role="model", parts=[]))
  session = await run_session(math_agent, [("2+2?", [calls(("add", {"a": 2, "b": 2})), silent])])

  case = build(session)

  assert case.conversation is not None and case.conversation[0].final_response is None
  (warning,) = trace_warnings(session)
  assert warning.startswith("Turn 1: no final response")
  assert case_warnings(case) == [warning]


async def test_call_without_response_warns(parallel_session: Session) -> None:
  case = build(parallel_session)
  data = intermediate(case)
  # As a hand-edited or interrupted trace would have it: multiply never answered.
  data.tool_responses = data.tool_responses[:1]

  (warning,) = case_warnings(case)

  assert "multiply" in warning and str(data.tool_uses[1].id) in warning
  assert "no recorded response" in warning


# --- EvalSetWriter ----------------------------------------------------------------


async def test_creates_the_file_and_folders(parallel_session: Session, tmp_path: Path) -> None:
  path = tmp_path / "deep" / "evalsets" / "math.evalset.json"

  result = EvalSetWriter(path).append(build(parallel_session), agent_name="Math Agent")

  assert result.created is True
  assert result.path == path.resolve()
  assert result.case_count == 1
  assert result.eval_id == "math_agent_20261122T031500_123456"
  assert result.eval_set_id == "math_agent_evals"
  data = read_json(path)
  assert data["eval_set_id"] == "math_agent_evals"
  assert data["name"] and "Math Agent" in data["description"]
  assert data["creation_timestamp"] > 0
  # Read back exactly as `adk eval` reads it, and equal to what was built.
  loaded = load_eval_set_from_file(str(path), "ignored")
  assert loaded.eval_cases == [build(parallel_session)]
  assert validate_eval_set(path).case_ids == [result.eval_id]
  left = {p.name for p in path.parent.iterdir()}
  assert "math.evalset.json" in left
  assert left <= {"math.evalset.json", "math.evalset.json.lock"}


async def test_arg_types_survive_the_file(math_agent: BaseAgent, tmp_path: Path) -> None:
  session = await run_session(
    math_agent,
    [("2+0.5?", [calls(("add", {"a": 2, "b": 0.5})), answer("2.5")])],
  )
  path = tmp_path / "m.evalset.json"

  EvalSetWriter(path).append(build(session), agent_name="Math Agent")

  (case,) = load_eval_set_from_file(str(path), "x").eval_cases
  args = intermediate(case).tool_uses[0].args or {}
  assert args == {"a": 2, "b": 0.5}
  assert (type(args["a"]), type(args["b"])) == (int, float)


async def test_append_keeps_existing_cases_exactly(
  parallel_session: Session, tmp_path: Path
) -> None:
  path = tmp_path / "m.evalset.json"
  # Written by another tool: camelCase keys, an extra field, defaults spelled
  # out, and a top-level key this tool does not know.
  foreign = {
    "evalId": "hand_written",
    "conversation": [
      {
        "invocationId": "inv-1",
        "userContent": {"role": "user", "parts": [{"text": "hi"}]},
        "finalResponse": {"role": "model", "parts": [{"text": "hello"}]},
        "intermediateData": {"toolUses": [], "toolResponses": []},
        "creationTimestamp": 0.0,
      }
    ],
    "sessionInput": {"appName": "math_agent", "userId": "u", "state": {}},
    "reviewer": "someone",
  }
  original = {
    "eval_set_id": "math_agent_evals",
    "name": "Math",
    "eval_cases": [foreign],
    "creation_timestamp": 1.5,
    "owner": "team-calc",
  }
  path.write_text(json.dumps(original), encoding="utf-8")

  result = EvalSetWriter(path).append(build(parallel_session), agent_name="Something Else")

  assert (result.created, result.case_count, result.eval_set_id) == (False, 2, "math_agent_evals")
  after = read_json(path)
  assert after["eval_cases"][0] == foreign
  assert {k: v for k, v in after.items() if k != "eval_cases"} == {
    k: v for k, v in original.items() if k != "eval_cases"
  }
  assert EvalSet.model_validate_json(path.read_text(encoding="utf-8")).eval_cases[1].eval_id == (
    result.eval_id
  )


async def test_same_timestamp_gets_unique_ids(parallel_session: Session, tmp_path: Path) -> None:
  writer = EvalSetWriter(tmp_path / "m.evalset.json")

  ids = [writer.append(build(parallel_session), agent_name="Math Agent").eval_id for _ in range(3)]

  base = "math_agent_20261122T031500_123456"
  assert ids == [base, f"{base}_2", f"{base}_3"]
  assert validate_eval_set(writer.path).case_ids == ids


async def test_keeps_the_files_permissions(parallel_session: Session, tmp_path: Path) -> None:
  path = tmp_path / "m.evalset.json"
  writer = EvalSetWriter(path)
  writer.append(build(parallel_session), agent_name="Math Agent")
  path.chmod(0o640)

  writer.append(build(parallel_session), agent_name="Math Agent")

  assert stat.S_IMODE(path.stat().st_mode) == 0o640


MALFORMED = {
  "bad_json": b'{"eval_set_id": "x", "eval_cases": [',
  "old_list_format": b'[{"name": "a", "data": []}]',
  "not_an_object": b'"just a string"',
  "wrong_shape": b'{"eval_set_id": 3, "eval_cases": {}}',
  "case_without_conversation": b'{"eval_set_id": "x", "eval_cases": [{"eval_id": "a"}]}',
  "not_utf8": b'{"eval_set_id": "\xff"}',
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_file_is_never_overwritten(
  parallel_session: Session, tmp_path: Path, content: bytes
) -> None:
  path = tmp_path / "m.evalset.json"
  path.write_bytes(content)

  with pytest.raises(EvalSetFileError) as raised:
    EvalSetWriter(path).append(build(parallel_session), agent_name="Math Agent")

  assert path.read_bytes() == content
  message = str(raised.value)
  assert str(path) in message and "--eval-set" in message
  assert "Nothing was written" in message
  assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
    "m.evalset.json"
  ]
  with pytest.raises(EvalSetFileError, match=re.escape(str(path))):
    validate_eval_set(path)


async def test_folder_in_the_way_is_an_error(parallel_session: Session, tmp_path: Path) -> None:
  path = tmp_path / "m.evalset.json"
  path.mkdir()

  with pytest.raises(EvalSetFileError, match="is a folder"):
    EvalSetWriter(path).append(build(parallel_session), agent_name="Math Agent")


@pytest.mark.parametrize("content", [b"", b"  \n"], ids=["empty", "blank"])
async def test_empty_file_becomes_a_new_eval_set(
  parallel_session: Session, tmp_path: Path, content: bytes
) -> None:
  path = tmp_path / "m.evalset.json"
  path.write_bytes(content)
  with pytest.raises(EvalSetFileError, match="is empty"):
    validate_eval_set(path)

  result = EvalSetWriter(path).append(build(parallel_session), agent_name="Math Agent")

  assert (result.created, result.case_count) == (True, 1)
  assert validate_eval_set(path).eval_set_id == "math_agent_evals"


def test_validate_reports_missing_file_and_duplicate_ids(tmp_path: Path) -> None:
  with pytest.raises(EvalSetFileError, match="does not exist"):
    validate_eval_set(tmp_path / "nope.evalset.json")
  case = {
    "eval_id": "same",
    "conversation": [{"user_content": {"role": "user", "parts": [{"text": "hi"}]}}],
  }
  path = tmp_path / "dup.evalset.json"
  path.write_text(json.dumps({"eval_set_id": "s", "eval_cases": [case, case]}), "utf-8")

  with pytest.raises(EvalSetFileError, match="duplicate eval ids \\(same\\)"):
    validate_eval_set(path)


def test_validate_summarises_and_warns(tmp_path: Path) -> None:
  path = tmp_path / "s.evalset.json"
  case = {
    "eval_id": "a:b",
    "conversation": [{"user_content": {"role": "user", "parts": [{"text": "hi"}]}}],
  }
  path.write_text(json.dumps({"eval_set_id": "s", "name": "S", "eval_cases": [case]}), "utf-8")

  summary = validate_eval_set(path)

  assert (summary.eval_set_id, summary.name, summary.case_count) == ("s", "S", 1)
  assert summary.case_ids == ["a:b"]
  assert any("outside [A-Za-z0-9_]" in w for w in summary.warnings)
  assert any(w.startswith("a:b: Turn 1: no final response") for w in summary.warnings)


async def test_two_processes_appending_50_each_keep_all_100(
  parallel_session: Session, tmp_path: Path
) -> None:
  path = tmp_path / "shared.evalset.json"
  case_json = build(parallel_session).model_dump_json()
  append_50 = (append_in_process, (str(path), case_json, 50, "Math Agent"))
  exits = race(append_50, append_50)
  assert exits == [0, 0]
  summary = validate_eval_set(path)
  assert summary.case_count == 100
  assert len(set(summary.case_ids)) == 100
  assert all(re.fullmatch(r"math_agent_20261122T031500_123456(_\d+)?", i) for i in summary.case_ids)
  assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
