"""`ConfirmationScreen`: in the user's seat, approve or reject a tool call.

ADK pauses a call that needs the user's confirmation (a tool with
`require_confirmation`, or one that called `tool_context.request_confirmation`)
and asks the client. Here the person is that client: they see the call and
its hint, and answer, optionally with a payload (`ToolConfirmation.payload`).
"""

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

from adk_simulator.engine.moves.play import Confirm
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.lines import call_text
from adk_simulator.tui.forms.json_object_editor import JsonObjectEditor


class ConfirmationScreen(ModalScreen[Confirm | None]):
  """Approve or reject `request`; dismisses with the answer, or None to answer later.

  The payload box starts with the payload the tool proposed; left empty, the
  answer carries no payload.
  """

  CSS_PATH = "user_side.tcss"

  BINDINGS = [
    Binding("ctrl+s", "answer(True)", "Approve", id="confirmation.approve"),
    Binding("ctrl+r", "answer(False)", "Reject", id="confirmation.reject"),
    Binding("escape", "later", "Answer later", id="confirmation.later"),
  ]

  def __init__(self, request: ConfirmationRequest) -> None:
    super().__init__()
    self.request = request

  def compose(self) -> ComposeResult:
    request = self.request
    with Vertical(id="dialog") as dialog:
      dialog.border_title = "Confirm a tool call · you are the user now"
      dialog.border_subtitle = f"asked by {request.author}"
      yield Static(
        Content.from_markup(
          "The agent wants to run [bold]$call[/]. It runs only if you approve.",
          call=call_text(request.tool_name, request.args),
        ),
        id="what",
      )
      if request.hint:
        yield Static(Content.styled(request.hint, "italic"), id="hint")
      yield Static("Payload (a JSON object; leave empty for none):", classes="field-label")
      yield JsonObjectEditor(request.payload, id="payload")
      with Horizontal(classes="dialog-buttons"):
        yield Button("Reject", compact=True, variant="error", id="reject")
        yield Button("Approve", compact=True, variant="success", id="approve")
    yield Footer()

  def on_mount(self) -> None:
    self.query_one("#approve", Button).focus()

  def action_answer(self, confirmed: bool) -> None:
    payload, ok = self.query_one(JsonObjectEditor).value()
    if ok:
      self.dismiss(Confirm(confirmed=confirmed, payload=payload, call_id=self.request.call_id))

  def action_later(self) -> None:
    self.dismiss(None)

  @on(Button.Pressed, "#approve")
  def _approve(self) -> None:
    self.action_answer(True)

  @on(Button.Pressed, "#reject")
  def _reject(self) -> None:
    self.action_answer(False)
