"""The user's message (AWAITING_QUERY): what the user says to the agent.

Text for most agents; a form for an agent with an `input_schema`. Before the
session's first turn the initial session state is shown as JSON and can be
edited; after that the state belongs to the session.
"""

from __future__ import annotations

import json
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Collapsible
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import Static
from textual.widgets import TextArea

from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.tui.screens.session import SessionScreen
from adk_simulator.tui.type_ahead import drop_keys_typed_ahead
from adk_simulator.tui.widgets.footer import KeyFooter
from adk_simulator.tui.widgets.json_text import JsonTextArea


def parse_state(text: str) -> tuple[dict[str, Any] | None, str | None]:
  """The initial state typed as JSON, or why it is not a JSON object."""
  if not text.strip():
    return {}, None
  try:
    value = json.loads(text)
  except json.JSONDecodeError as error:
    return None, f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
  if not isinstance(value, dict):
    return None, 'The session state must be a JSON object: {"key": value, ...}.'
  return value, None


EMPTY_MESSAGE = "Type the user's message first."


class QueryScreen(SessionScreen):
  """Type the user's message; ctrl+s sends it and the agent starts."""

  CSS_PATH = "query.tcss"

  BINDINGS = [
    Binding("ctrl+s", "submit", "Send message", priority=True, id="query.submit"),
    Binding("escape", "leave", "Back to agents", id="query.leave"),
  ]

  class Rejected(Message):
    """The engine refused the message or the state."""

    def __init__(self, error: TurnValidationError) -> None:
      super().__init__()
      self.error = error

  def __init__(self) -> None:
    super().__init__()
    self._sending = False
    self._empty_message_shown = False

  @property
  def first_turn(self) -> bool:
    return self.simulation.session_id is None

  @property
  def input_schema(self) -> dict[str, Any] | None:
    agent = self.simulation.agent
    return agent.input_schema if agent is not None else None

  def compose(self) -> ComposeResult:
    simulation = self.simulation
    agent = simulation.agent
    name = agent.name if agent is not None else "the agent"
    turn = simulation.history.turns + 1
    yield Header()
    with VerticalScroll(id="query-body"):
      title = Content.from_markup("The user's message to [bold]$name[/]", name=name)
      if turn > 1:
        title += Content.styled(f"  ·  turn {turn} of this session", "$text-muted")
      yield Label(title, id="query-title")
      if self.input_schema is not None:
        from adk_simulator.tui.forms.structured_query_form import StructuredQueryForm

        yield Label(
          Content.styled("This agent takes structured input: fill in the form.", "$text-muted")
        )
        yield StructuredQueryForm(self.input_schema, id="query-form")
      else:
        yield TextArea(id="query-text", soft_wrap=True, tab_behavior="focus")
      yield Static("", id="query-error", classes="error-text")
      if self.first_turn:
        with Collapsible(title="Initial session state (JSON)", collapsed=False, id="state-box"):
          yield JsonTextArea(
            json.dumps(simulation.initial_state, indent=2, ensure_ascii=False),
            id="state-text",
            soft_wrap=True,
            tab_behavior="indent",
          )
          yield Static("", id="state-error", classes="error-text")
    yield KeyFooter()

  def on_mount(self) -> None:
    self._show_error("query-error", None)
    if self.first_turn:
      self._show_error("state-error", None)
    if self.input_schema is not None:
      from adk_simulator.tui.forms.structured_query_form import StructuredQueryForm

      self.query_one("#query-form", StructuredQueryForm).focus_first()
    else:
      self.query_one("#query-text", TextArea).focus()

  @on(TextArea.Changed, "#query-text")
  def _message_typed(self, event: TextArea.Changed) -> None:
    # "Type the user's message first" no longer holds once there is one.
    if event.text_area.text.strip() and self._empty_message_shown:
      self._show_error("query-error", None)

  def _show_error(self, widget_id: str, message: str | None) -> None:
    if widget_id == "query-error":
      self._empty_message_shown = message == EMPTY_MESSAGE
    box = self.query_one(f"#{widget_id}", Static)
    box.update(message or "")
    box.display = bool(message)
    if message:
      drop_keys_typed_ahead(self)

  def action_submit(self) -> None:
    if self._sending:
      return
    state: dict[str, Any] | None = None
    if self.first_turn:
      state, problem = parse_state(self.query_one("#state-text", TextArea).text)
      self._show_error("state-error", problem)
      if problem is not None:
        self.query_one("#state-text", TextArea).focus()
        return
    query: str | dict[str, Any]
    if self.input_schema is not None:
      from adk_simulator.tui.forms.structured_query_form import StructuredQueryForm

      payload, errors = self.query_one("#query-form", StructuredQueryForm).get_payload()
      if errors:
        self._show_error("query-error", "Fix the fields marked in the form.")
        return
      query = payload
    else:
      query = self.query_one("#query-text", TextArea).text
      if not query.strip():
        self._show_error("query-error", EMPTY_MESSAGE)
        self.query_one("#query-text", TextArea).focus()
        return
    self._show_error("query-error", None)
    self._sending = True
    self.run_engine(self._submit(query, state), name="send the user's message")

  async def _submit(self, query: str | dict[str, Any], state: dict[str, Any] | None) -> None:
    try:
      await self.simulation.submit_query(query, initial_state=state)
    except TurnValidationError as error:
      self.post_message(self.Rejected(error))
    finally:
      self._sending = False

  def on_query_screen_rejected(self, message: QueryScreen.Rejected) -> None:
    self._show_error("query-error", str(message.error))

  def action_leave(self) -> None:
    self.simulator.leave_session()
