"""The typed history of a session: a projection of the ADK session's events.

The ADK `Session` is the record. Everything here is derived from its events
(and the simulator's notes in `event.custom_metadata["adk_simulator"]`), so a
session loaded back from storage yields exactly the same history.
"""

from __future__ import annotations

from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

METADATA_KEY = "adk_simulator"
"""Key of the simulator's notes inside `Event.custom_metadata`."""


class _Entry(BaseModel):
  model_config = ConfigDict(frozen=True)

  timestamp: float
  """Seconds since the epoch, from the ADK event."""
  invocation_id: str
  author: str
  """The agent (or "user") that produced the event."""


class UserQuery(_Entry):
  kind: Literal["user_query"] = "user_query"
  text: str
  payload: dict[str, Any] | None = None
  """The structured input, when the agent has an `input_schema`."""


class ToolCall(_Entry):
  kind: Literal["tool_call"] = "tool_call"
  call_id: str
  tool_name: str
  args: dict[str, Any]


class ToolOutput(_Entry):
  kind: Literal["tool_output"] = "tool_output"
  call_id: str
  tool_name: str
  output: Any
  duration_s: float | None = None


class ToolError(_Entry):
  kind: Literal["tool_error"] = "tool_error"
  call_id: str
  tool_name: str
  error_type: str
  message: str
  traceback: str | None = None
  duration_s: float | None = None
  cancelled: bool = False


class FinalResponse(_Entry):
  kind: Literal["final_response"] = "final_response"
  text: str
  payload: dict[str, Any] | None = None
  """The structured answer, when the agent has an `output_schema`."""


HistoryEntry = Annotated[
  UserQuery | ToolCall | ToolOutput | ToolError | FinalResponse,
  Field(discriminator="kind"),
]


class History(BaseModel):
  """A whole session's history, in event order."""

  entries: list[HistoryEntry] = Field(default_factory=list)

  @property
  def turns(self) -> int:
    return sum(isinstance(e, UserQuery) for e in self.entries)

  @property
  def tool_calls(self) -> int:
    return sum(isinstance(e, ToolCall) for e in self.entries)

  @property
  def errors(self) -> int:
    return sum(isinstance(e, ToolError) for e in self.entries)
