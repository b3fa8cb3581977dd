"""Eval cases in brief and as a timeline, in both forms ADK writes a turn's intermediate data."""

from __future__ import annotations

from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_case import IntermediateData
from google.adk.evaluation.eval_case import Invocation
from google.adk.evaluation.eval_case import InvocationEvent
from google.adk.evaluation.eval_case import InvocationEvents
from google.genai import types

from adk_simulator.engine.export.evalset_cases import case_history
from adk_simulator.engine.export.evalset_cases import case_row
from adk_simulator.engine.record.lines import describe_entry


def _content(role: str, *parts: types.Part) -> types.Content:
  return types.Content(role=role, parts=list(parts))


CALL = types.Part(function_call=types.FunctionCall(id="c1", name="add", args={"a": 1, "b": 2}))
RESULT = types.Part(
  function_response=types.FunctionResponse(id="c1", name="add", response={"result": 3})
)
FAILED = types.Part(
  function_response=types.FunctionResponse(
    id="c2", name="divide", response={"error": {"type": "ZeroDivisionError", "message": "no"}}
  )
)


def _case(data: IntermediateData | InvocationEvents) -> EvalCase:
  return EvalCase(
    eval_id="c",
    conversation=[
      Invocation(
        invocation_id="i",
        user_content=_content("user", types.Part(text="1+2, then 1/0?")),
        final_response=_content("model", types.Part(text="3; no.")),
        intermediate_data=data,
        creation_timestamp=5.0,
      )
    ],
    creation_timestamp=7.0,
  )


def test_intermediate_data_shows_each_call_with_its_response_then_the_answer():
  divide = types.FunctionCall(id="c2", name="divide", args={"a": 1, "b": 0})
  case = _case(
    IntermediateData(
      tool_uses=[CALL.function_call, divide],  # type: ignore[list-item]
      tool_responses=[FAILED.function_response, RESULT.function_response],  # type: ignore[list-item]
      intermediate_responses=[("helper", [types.Part(text="thinking")])],
    )
  )
  lines = [describe_entry(e) for e in case_history(case).entries]
  assert lines == [
    "user      1+2, then 1/0?",
    "call      add(a=1, b=2)",
    'output    add → {"result": 3}',
    "call      divide(a=1, b=0)",
    "error     divide → ZeroDivisionError: no",
    "says      thinking  [helper]",
    "answer    3; no.",
  ]
  row = case_row(case)
  assert (row.turns, row.calls, row.first_query, row.created) == (1, 2, "1+2, then 1/0?", 7.0)


def test_invocation_events_show_in_their_order():
  case = _case(
    InvocationEvents(
      invocation_events=[
        InvocationEvent(author="calc", content=_content("model", CALL)),
        InvocationEvent(author="calc", content=_content("user", RESULT)),
      ]
    )
  )
  kinds = [e.kind for e in case_history(case).entries]
  assert kinds == ["user_query", "tool_call", "tool_output", "final_response"]
  assert case_row(case).calls == 1
