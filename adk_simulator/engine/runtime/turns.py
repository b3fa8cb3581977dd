"""What passes between the human and the engine: requests, turns, events.

Plain Pydantic models, free of ADK and Textual, so every driver (the TUI, the
headless player, the tests) speaks the same language.
"""

from __future__ import annotations

import traceback
from functools import cached_property
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import ToolSpec

SET_MODEL_RESPONSE = "set_model_response"
"""ADK's tool for a structured answer when an agent has tools and an output schema."""


class ModelRequest(BaseModel):
  """One "what next?" from the runtime: exactly what the model would see."""

  model_config = ConfigDict(frozen=True)

  step: int
  """1 for the first model call of the session, then 2, 3, ..."""
  agent_name: str
  """The agent that asks (after a transfer, the sub-agent; in an AgentTool, its agent)."""
  within_call: str | None = None
  """For an AgentTool's agent: the id of the call whose inner run asks."""
  system_instruction: str
  """The system instruction as sent: after instruction providers and `{state}` templating."""
  tools: list[ToolSpec]
  """The tool declarations offered, normalised to JSON Schema, in request order."""
  builtin_tools: list[str] = Field(default_factory=list)
  """Built-in tools the request carries (`google_search`, ...): the model's own, not callable."""
  raw_contents: list[Any] = Field(default_factory=list, repr=False, exclude=True)
  """The request's `google.genai.types.Content` objects, as ADK built them."""
  output_schema: dict[str, Any] | None = None
  """JSON Schema of the asking agent's `output_schema`, if it has one."""

  @cached_property
  def contents(self) -> list[dict[str, Any]]:
    """The conversation so far, as `Content` JSON; built on first read only,
    since a session with large tool outputs makes it costly."""
    return [c.model_dump(mode="json", exclude_none=True) for c in self.raw_contents]

  def tool(self, name: str) -> ToolSpec | None:
    return next((t for t in self.tools if t.name == name), None)

  @property
  def offers_set_model_response(self) -> bool:
    return self.tool(SET_MODEL_RESPONSE) is not None


class CallRequest(BaseModel):
  """One function call the human makes."""

  tool: str
  args: dict[str, Any] = Field(default_factory=dict)


class ToolCallsTurn(BaseModel):
  """A model turn that calls one tool, or several in parallel."""

  kind: Literal["calls"] = "calls"
  calls: list[CallRequest] = Field(min_length=1)
  agent: str | None = None
  """The agent expected to ask (a replay knows it); another agent asking refuses the turn."""


class FinalTurn(BaseModel):
  """A model turn that answers: text, or an object for an `output_schema`."""

  kind: Literal["final"] = "final"
  text: str | None = None
  payload: dict[str, Any] | None = None
  agent: str | None = None
  """The agent expected to ask (a replay knows it); another agent asking refuses the turn."""


ModelTurn = Annotated[ToolCallsTurn | FinalTurn, Field(discriminator="kind")]


def call(tool: str, **args: Any) -> ToolCallsTurn:
  """A turn calling one tool: `call("add", a=1, b=2)`."""
  return ToolCallsTurn(calls=[CallRequest(tool=tool, args=args)])


def parallel(*calls: CallRequest | tuple[str, dict[str, Any]]) -> ToolCallsTurn:
  """A turn calling several tools at once."""
  return ToolCallsTurn(
    calls=[c if isinstance(c, CallRequest) else CallRequest(tool=c[0], args=c[1]) for c in calls]
  )


def answer(text: str | None = None, payload: dict[str, Any] | None = None) -> FinalTurn:
  """A final-response turn."""
  return FinalTurn(text=text, payload=payload)


class CallErrors(BaseModel):
  """The field errors of one call in a turn, or of the query or the answer."""

  index: int | None
  """The call's position in the turn; None for a user query or a final response."""
  tool: str
  """The tool's name, or "user query" / "final response"."""
  errors: list[FieldError]


class TurnValidationError(ValueError):
  """A user query or model turn the engine refused before anything ran."""

  def __init__(self, problems: list[CallErrors]) -> None:
    self.problems = problems
    lines = []
    for p in problems:
      for e in p.errors:
        if p.index is None:
          lines.append(f"{p.tool} ({e.path}): {e.message}" if e.path else f"{p.tool}: {e.message}")
        else:
          where = f"{p.tool}.{e.path}" if e.path else p.tool
          lines.append(f"call {p.index + 1} ({where}): {e.message}")
    super().__init__("; ".join(lines) or "invalid model turn")

  @classmethod
  def about(cls, subject: str, errors: list[FieldError] | str) -> TurnValidationError:
    """A refusal of the user query or the final response as a whole."""
    if isinstance(errors, str):
      errors = [FieldError(path="", message=errors)]
    return cls([CallErrors(index=None, tool=subject, errors=errors)])


class RunningTool(BaseModel):
  """A tool call that has started and not finished."""

  call_id: str
  tool_name: str
  args: dict[str, Any]
  agent_name: str
  started_at: float
  """`time.monotonic()` when it started."""
  on_thread: bool = False
  """A synchronous function, run on a thread: cancelled, its thread cannot be stopped."""


# --- Engine events: what a driver hears while the engine works. -------------


class PhaseChanged(BaseModel):
  kind: Literal["phase_changed"] = "phase_changed"
  phase: Phase


class ModelTurnRequested(BaseModel):
  kind: Literal["model_turn_requested"] = "model_turn_requested"
  request: ModelRequest


class ToolStarted(BaseModel):
  kind: Literal["tool_started"] = "tool_started"
  tool: RunningTool


class ToolFinished(BaseModel):
  kind: Literal["tool_finished"] = "tool_finished"
  call_id: str
  tool_name: str
  duration_s: float
  failed: bool
  cancelled: bool = False


class HistoryChanged(BaseModel):
  kind: Literal["history_changed"] = "history_changed"
  size: int


class RunFailed(BaseModel):
  """The ADK run ended with an exception that is not a tool error."""

  kind: Literal["run_failed"] = "run_failed"
  error_type: str
  message: str
  traceback: str
  store: bool = False
  """The session store failed (its database or disk), not the agent."""
  hint: str = ""
  """How to fix it, when the simulator knows (see `failures.failure_hint`)."""

  @property
  def described(self) -> str:
    """The type, the message and the hint, in one line."""
    line = f"{self.error_type}: {self.message}"
    return f"{line} {self.hint}" if self.hint else line


class RunPaused(BaseModel):
  """The run ended waiting for the user's side: a confirmation or a long-running result."""

  kind: Literal["run_paused"] = "run_paused"
  awaiting: int
  """How many confirmations and long-running results wait."""


EngineEvent = Annotated[
  PhaseChanged
  | ModelTurnRequested
  | ToolStarted
  | ToolFinished
  | HistoryChanged
  | RunFailed
  | RunPaused,
  Field(discriminator="kind"),
]


class ToolCancelledError(Exception):
  """Raised into a tool call the person cancelled; the model sees it as an error."""


class ToolExitError(Exception):
  """A tool raised what would end the process (`sys.exit()`, `KeyboardInterrupt`, any
  `BaseException` that is not an `Exception`); its call fails instead.

  The call's error is shown by the type the tool raised (`raised_type`).
  """

  def __init__(self, raised: BaseException) -> None:
    self.raised_type = type(raised).__name__
    if isinstance(raised, SystemExit):
      what = f"the tool called sys.exit({raised.code!r})"
    else:
      detail = str(raised)
      what = f"the tool raised {self.raised_type}" + (f": {detail}" if detail else "")
    super().__init__(f"{what}; a tool cannot end the session, so this call failed instead")


class ToolTimeoutError(Exception):
  """A call ran past the tool timeout and was cancelled; the model sees this error."""


def error_type(error: BaseException) -> str:
  """The type a failed call is shown by: what the tool raised."""
  return error.raised_type if isinstance(error, ToolExitError) else type(error).__name__


class ToolResultError(Exception):
  """A tool returned something that cannot be sent to the model as JSON."""


def format_traceback(error: BaseException) -> str:
  return "".join(traceback.format_exception(type(error), error, error.__traceback__))
