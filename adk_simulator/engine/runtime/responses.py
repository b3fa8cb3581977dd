"""From the person's decision to what the runtime receives, and back.

The engine hands the runner exactly what a model would: an `LlmResponse` with
function calls (one, or several for a parallel turn) or the final answer.
Everything here checks a decision against the request it answers before
anything runs, and builds the response; it holds no session state.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError

from adk_simulator.engine.runtime.turns import SET_MODEL_RESPONSE
from adk_simulator.engine.runtime.turns import CallErrors
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import validate_arguments

if TYPE_CHECKING:
  from google.adk.models.llm_response import LlmResponse


def schema_model(value: Any) -> type[BaseModel] | None:
  if isinstance(value, type) and issubclass(value, BaseModel):
    return value
  return None


def instruction_text(instruction: Any) -> str:
  """The system instruction as one string, whatever form the request holds."""
  if instruction is None:
    return ""
  if isinstance(instruction, str):
    return instruction
  parts = getattr(instruction, "parts", None)
  if parts is not None:
    return "".join(getattr(p, "text", None) or "" for p in parts)
  if isinstance(instruction, list):
    return "\n".join(instruction_text(i) for i in instruction)
  return str(instruction)


def pydantic_errors(error: ValidationError) -> list[FieldError]:
  return [
    FieldError(
      path=".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in e["loc"]).replace(
        ".[", "["
      ),
      message=e["msg"],
    )
    for e in error.errors()
  ]


def structured(model: type[BaseModel], given: Any, subject: str, not_json: str) -> BaseModel:
  """`given` (an object, or its JSON text) validated as `model`, or the refusal."""
  if isinstance(given, str):
    try:
      given = json.loads(given)
    except ValueError:
      raise TurnValidationError.about(subject, not_json.format(model.__name__)) from None
  try:
    return model.model_validate(given)
  except ValidationError as error:
    raise TurnValidationError.about(subject, pydantic_errors(error)) from None


def query_text(root_agent: Any, query: str | dict[str, Any]) -> str:
  """The user message to send: the text, or the JSON of an `input_schema` object."""
  model = schema_model(getattr(root_agent, "input_schema", None))
  if model is None:
    if not isinstance(query, str):
      raise TurnValidationError.about(
        "user query", "this agent takes a text message, not an object"
      )
    if not query.strip():
      raise TurnValidationError.about("user query", "the message is empty")
    return query
  value = structured(model, query, "user query", "this agent takes a {} object as input (JSON)")
  return value.model_dump_json()


def non_finite_paths(value: Any, path: str = "$") -> list[str]:
  """Where `value` holds NaN or an infinity, as JSON paths (`$.a[2].b`).

  JSON has no such numbers: stored, they turn into something else.
  """
  if isinstance(value, float) and not math.isfinite(value):
    return [path]
  if isinstance(value, dict):
    return [p for k, v in value.items() for p in non_finite_paths(v, f"{path}.{k}")]
  if isinstance(value, list | tuple):
    return [p for i, v in enumerate(value) for p in non_finite_paths(v, f"{path}[{i}]")]
  return []


def finite_errors(args: dict[str, Any]) -> list[FieldError]:
  """A field error for every NaN or infinity in `args` (paths relative to the arguments)."""
  return [
    FieldError(
      path=found.removeprefix("$.").removeprefix("$"),
      message="NaN and Infinity are not JSON numbers; give a finite number",
    )
    for found in non_finite_paths(args)
  ]


def json_object(subject: str, value: Any) -> dict[str, Any]:
  """`value` if it is a JSON object that survives the trip to storage, or the refusal.

  NaN and infinities are refused: JSON has no such numbers, so the stored
  value would not be the one given.
  """
  if not isinstance(value, dict):
    raise TurnValidationError.about(subject, "it must be a JSON object ({...})")
  try:
    json.dumps(value, allow_nan=False)
  except (TypeError, ValueError) as error:
    raise TurnValidationError.about(subject, f"not JSON: {error}") from None
  return value


def response_for(
  request: ModelRequest, output_model: type[BaseModel] | None, turn: ToolCallsTurn | FinalTurn
) -> LlmResponse:
  """The model response for `turn`, or `TurnValidationError` before anything runs."""
  from google.adk.models.llm_response import LlmResponse
  from google.genai import types

  parts: list[types.Part] = []
  if isinstance(turn, ToolCallsTurn):
    problems = []
    for index, call in enumerate(turn.calls):
      spec = request.tool(call.tool)
      if spec is None:
        offered = ", ".join(t.name for t in request.tools) or "none"
        problems.append(
          CallErrors(
            index=index,
            tool=call.tool,
            errors=[FieldError(path="", message=f"unknown tool; the request offers: {offered}")],
          )
        )
        continue
      errors = finite_errors(call.args) or validate_arguments(spec, call.args)
      if errors:
        problems.append(CallErrors(index=index, tool=call.tool, errors=errors))
    if problems:
      raise TurnValidationError(problems)
    parts = [
      types.Part(function_call=types.FunctionCall(name=c.tool, args=dict(c.args)))
      for c in turn.calls
    ]
  else:
    parts = [_final_part(request, output_model, turn)]
  return LlmResponse(content=types.Content(role="model", parts=parts))


def _final_part(request: ModelRequest, model: type[BaseModel] | None, turn: FinalTurn) -> Any:
  from google.genai import types

  if model is None:
    text = (
      turn.text
      if turn.text is not None
      else (json.dumps(turn.payload) if turn.payload is not None else "")
    )
    if not text.strip():
      raise TurnValidationError.about("final response", "the answer is empty")
    return types.Part(text=text)
  given = turn.payload if turn.payload is not None else (turn.text or "")
  value = structured(model, given, "final response", "the agent answers with a {} object (JSON)")
  data = value.model_dump(mode="json")
  if request.offers_set_model_response:
    # With tools and an output schema, ADK expects the answer through its
    # set_model_response tool, as a model would give it.
    return types.Part(function_call=types.FunctionCall(name=SET_MODEL_RESPONSE, args=data))
  return types.Part(text=json.dumps(data))
