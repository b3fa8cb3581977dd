"""The typed history of a session: what the one event reader (`reader`) makes of it.

The ADK `Session` is the record. Every entry here is derived from its events
and the simulator's notes on them (`notes`), so a session loaded back from
storage, or from a file, yields exactly the same history.

Adding a kind: define it here, add it to `HistoryEntry`, read it in
`reader.read_events`; the `match` statements that end in `assert_never`
(the timeline, the printed lines, the export, the replay recording) then fail
the type check until each handles it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

AnsweredBy = Literal["person", "callback"]
"""Who gave a model response: the person in the model's seat, or a callback
(a `before_model_callback` that answered instead of the model, or an agent
callback that spoke for the agent)."""


class _Entry(BaseModel):
  model_config = ConfigDict(frozen=True)

  timestamp: float
  """Seconds since the epoch, from the ADK event."""
  invocation_id: str
  author: str
  """The agent (or "user") that produced the event."""
  event_id: str = ""
  """The ADK event it was read from: the calls of one parallel turn share it."""


class _ModelSaid(_Entry):
  step: int | None = None
  """The person's model call number; None for an answer a callback gave."""
  by: AnsweredBy | None = None
  """None when the session was not recorded by the simulator (imported)."""


class UserQuery(_Entry):
  kind: Literal["user_query"] = "user_query"
  text: str
  payload: dict[str, Any] | None = None
  """The structured input, when the agent has an `input_schema`."""
  content: dict[str, Any] = Field(default_factory=dict, repr=False)
  """The message as sent (`google.genai.types.Content` JSON), attachments included."""


class ToolCall(_ModelSaid):
  kind: Literal["tool_call"] = "tool_call"
  call_id: str
  tool_name: str
  args: dict[str, Any]
  long_running: bool = False
  """A long-running tool: its output is interim, the client delivers the result later."""


class ModelText(_ModelSaid):
  """Text a model turn holds next to its function calls."""

  kind: Literal["model_text"] = "model_text"
  text: str


class ToolOutput(_Entry):
  kind: Literal["tool_output"] = "tool_output"
  call_id: str
  tool_name: str
  output: Any
  duration_s: float | None = None
  awaiting_confirmation: bool = False
  """The tool asked for the user's confirmation: this output stands in until it is answered."""
  non_finite: list[str] = Field(default_factory=list)
  """Where the tool returned NaN or Infinity; the stored output has null there."""


class ToolError(_Entry):
  kind: Literal["tool_error"] = "tool_error"
  call_id: str
  tool_name: str
  error_type: str
  message: str
  traceback: str | None = None
  duration_s: float | None = None
  cancelled: bool = False
  response: Any = Field(default=None, repr=False)
  """The function response the model saw, as stored."""


class FinalResponse(_ModelSaid):
  kind: Literal["final_response"] = "final_response"
  text: str
  payload: dict[str, Any] | None = None
  """The structured answer, when the agent has an `output_schema`."""


class ConfirmationRequest(_Entry):
  """ADK asks the user to approve or reject a tool call (`adk_request_confirmation`).

  Not a call the model made: the flow emits it for a tool with
  `require_confirmation`, or one that called `tool_context.request_confirmation`.
  """

  kind: Literal["confirmation_request"] = "confirmation_request"
  call_id: str
  """The `adk_request_confirmation` call's id: the user's answer names it."""
  original_call_id: str
  tool_name: str
  """The tool whose call waits."""
  args: dict[str, Any]
  hint: str = ""
  payload: Any = None
  """The payload the tool proposed, if any: the user may answer with another."""
  request_args: dict[str, Any] = Field(default_factory=dict, repr=False)
  """The `adk_request_confirmation` call's arguments as ADK made them."""


class ConfirmationAnswer(_Entry):
  """The user's answer to a `ConfirmationRequest`."""

  kind: Literal["confirmation_answer"] = "confirmation_answer"
  call_id: str
  """The `adk_request_confirmation` call it answers."""
  confirmed: bool
  payload: Any = None
  content: dict[str, Any] = Field(default_factory=dict, repr=False)
  """The user message as sent (`Content` JSON)."""


class DeliveredResult(_Entry):
  """The result of a long-running call, delivered later by the user's side (the client)."""

  kind: Literal["delivered_result"] = "delivered_result"
  call_id: str
  """The long-running call it completes."""
  tool_name: str
  output: Any
  content: dict[str, Any] = Field(default_factory=dict, repr=False)
  """The user message as sent (`Content` JSON)."""


ClientAnswer = ConfirmationAnswer | DeliveredResult
"""What the user's side sends instead of a message: it resumes a paused call."""


class InnerRun(_Entry):
  """An AgentTool's run of its agent: the inner calls, outputs and answer."""

  kind: Literal["inner_run"] = "inner_run"
  call_id: str
  """The AgentTool call this run answers."""
  tool_name: str
  agent: str
  entries: list[HistoryEntry] = Field(default_factory=list)
  running: bool = False
  """True while the call runs (a live session); stored runs are complete."""


HistoryEntry = Annotated[
  UserQuery
  | ToolCall
  | ModelText
  | ToolOutput
  | ToolError
  | FinalResponse
  | ConfirmationRequest
  | ConfirmationAnswer
  | DeliveredResult
  | InnerRun,
  Field(discriminator="kind"),
]
InnerRun.model_rebuild()


def walk(entries: list[HistoryEntry]) -> Iterator[tuple[int, HistoryEntry]]:
  """Every entry with its depth: inner runs' entries follow their `InnerRun`, one deeper."""
  for entry in entries:
    yield 0, entry
    if isinstance(entry, InnerRun):
      for depth, inner in walk(entry.entries):
        yield depth + 1, inner


class History(BaseModel):
  """A whole session's history, in event order."""

  entries: list[HistoryEntry] = Field(default_factory=list)

  @property
  def turns(self) -> int:
    return sum(isinstance(e, UserQuery) for e in self.entries)

  @property
  def tool_calls(self) -> int:
    """Every call, inner runs' included."""
    return sum(isinstance(e, ToolCall) for _, e in walk(self.entries))

  @property
  def errors(self) -> int:
    return sum(isinstance(e, ToolError) for _, e in walk(self.entries))

  @property
  def awaiting(self) -> list[ConfirmationRequest | ToolCall]:
    """What waits for the user's side: unanswered confirmation requests, and
    long-running calls whose result has not been delivered, oldest first."""
    answered = {
      e.call_id for e in self.entries if isinstance(e, ConfirmationAnswer | DeliveredResult)
    }
    return [
      e
      for e in self.entries
      if isinstance(e, ConfirmationRequest | ToolCall)
      and (isinstance(e, ConfirmationRequest) or e.long_running)
      and e.call_id not in answered
    ]

  @property
  def paused(self) -> bool:
    """The session waits for the user's side: a confirmation is unanswered, or a
    long-running call's result is due before the agent has answered."""
    awaiting = self.awaiting
    if any(isinstance(e, ConfirmationRequest) for e in awaiting):
      return True
    return bool(awaiting) and not (self.entries and isinstance(self.entries[-1], FinalResponse))

  @property
  def last_step(self) -> int:
    """The highest model call number the person answered, 0 if none."""
    return max((e.step or 0 for _, e in walk(self.entries) if isinstance(e, _ModelSaid)), default=0)
