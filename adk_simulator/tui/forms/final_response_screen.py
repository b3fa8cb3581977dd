"""`FinalResponseScreen`: the person, as the model, answers instead of calling tools."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets import Footer
from textual.widgets import Static
from textual.widgets import TextArea

from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.tui.forms.arguments_editor import ArgumentsEditor
from adk_simulator.tui.forms.arguments_editor import schema_spec
from adk_simulator.tui.forms.tool_call_screen import engine_error_lines
from adk_simulator.tui.type_ahead import drop_keys_typed_ahead


class FinalResponseScreen(ModalScreen[FinalTurn | None]):
  """Write the final answer: free text, or the agent's output-schema object.

  With `request.output_schema` the answer is a form generated from that
  schema (or its raw JSON, ctrl+j), checked against the schema before it is
  sent; otherwise it is a multi-line text, which must not be empty.

  Dismisses with `FinalTurn(text=...)` or `FinalTurn(payload=...)`, or None
  when cancelled.

  Args:
    request: The model request being answered.
    turn: An answer to start from (e.g. one the engine refused).
    errors: What the engine said about `turn`, shown above and under the fields.
  """

  CSS_PATH = "final_response_screen.tcss"

  BINDINGS = [
    Binding("ctrl+s", "send", "Send answer", id="final_response.send"),
    Binding("ctrl+j", "toggle_json", "Form/raw JSON", id="final_response.toggle_json"),
    Binding("escape", "cancel", "Cancel", id="final_response.cancel"),
  ]

  def __init__(
    self,
    request: ModelRequest,
    *,
    turn: FinalTurn | None = None,
    errors: TurnValidationError | None = None,
    name: str | None = None,
    id: str | None = None,
    classes: str | None = None,
  ) -> None:
    super().__init__(name=name, id=id, classes=classes)
    self.request = request
    self._turn = turn
    self._engine_errors = errors
    self.text_errors: list[str] = []
    """The messages shown under the text answer now."""
    self._text_in_error = ""

  @property
  def structured(self) -> bool:
    """Whether the answer is an output-schema object rather than text."""
    return self.request.output_schema is not None

  def compose(self) -> ComposeResult:
    turn = self._turn
    with Vertical(id="dialog") as dialog:
      dialog.border_title = "Final response"
      dialog.border_subtitle = f"{self.request.agent_name} · model turn {self.request.step}"
      yield Static("", id="engine-errors")
      if self.request.output_schema is not None:
        spec = schema_spec(self.request.output_schema, name="final response")
        hint = f"Answer with a {spec.name} object (the agent's output schema)."
        if spec.description:
          hint += f" {spec.description}"
        yield Static(Content(hint), id="answer-hint")
        yield ArgumentsEditor(spec, args=turn.payload if turn else None, id="answer-form")
      else:
        yield Static("The answer the user gets, as the model would write it.", id="answer-hint")
        yield TextArea(
          (turn.text or "") if turn else "",
          soft_wrap=True,
          placeholder="Write the final answer…",
          id="answer-text",
        )
        yield Static("", id="answer-errors")
      with Horizontal(id="answer-buttons"):
        if self.structured:
          yield Button("Raw JSON", compact=True, id="toggle-json")
        yield Button("Send answer", compact=True, variant="primary", id="send")
    yield Footer()

  def on_mount(self) -> None:
    if self.structured:
      self.editor.focus_first()
    else:
      self.query_one("#answer-text", TextArea).focus()
    if self._engine_errors is not None:
      self.show_engine_errors(self._engine_errors)

  @property
  def editor(self) -> ArgumentsEditor:
    """The output-schema form (structured answers only)."""
    return self.query_one("#answer-form", ArgumentsEditor)

  def show_engine_errors(self, error: TurnValidationError) -> None:
    """Shows why the engine refused the answer, above and under the fields."""
    box = self.query_one("#engine-errors", Static)
    lines = ["The engine refused this answer:", *engine_error_lines(error)]
    box.update(Content("\n".join(f"⚠ {line}" if i else line for i, line in enumerate(lines))))
    box.display = True
    field_errors = [e for problem in error.problems for e in problem.errors]
    if self.structured:
      self.editor.show_errors(field_errors)
    else:
      self._show_text_errors([e.message for e in field_errors])

  def _show_text_errors(self, messages: list[str]) -> None:
    self.text_errors = list(messages)
    self._text_in_error = self.query_one("#answer-text", TextArea).text
    box = self.query_one("#answer-errors", Static)
    box.update(Content("\n".join(f"⚠ {m}" for m in messages)))
    box.display = bool(messages)
    if messages:
      drop_keys_typed_ahead(self)

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "toggle_json":
      return self.structured
    return True

  def action_send(self) -> None:
    if self.structured:
      payload, errors = self.editor.check()
      if not errors:
        self.dismiss(FinalTurn(payload=payload))
      return
    text = self.query_one("#answer-text", TextArea).text
    if not text.strip():
      self._show_text_errors(["the answer is empty"])
      return
    self.dismiss(FinalTurn(text=text))

  async def action_toggle_json(self) -> None:
    if not self.structured:
      return
    editor = self.editor
    if await editor.toggle_json():
      self.query_one("#toggle-json", Button).label = "Form" if editor.json_mode else "Raw JSON"

  def action_cancel(self) -> None:
    self.dismiss(None)

  @on(TextArea.Changed, "#answer-text")
  def _text_edited(self, event: TextArea.Changed) -> None:
    # Only an edit clears the message (a text area also reports its first text).
    if self.text_errors and event.text_area.text != self._text_in_error:
      self._show_text_errors([])

  @on(Button.Pressed, "#toggle-json")
  async def _toggle_pressed(self) -> None:
    await self.action_toggle_json()

  @on(Button.Pressed, "#send")
  def _send_pressed(self) -> None:
    self.action_send()
