"""`ToolResultScreen`: deliver a long-running call's result, as the client would.

A long-running tool (`LongRunningFunctionTool`) answers at once with an interim
output; the real result comes later from the client, as a function response
with the call's id. The person, in the user's seat, writes that result here.
"""

from __future__ import annotations

from typing import Any

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

from adk_simulator.engine.moves.play import DeliverResult
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.lines import call_text
from adk_simulator.tui.forms.json_object_editor import JsonObjectEditor


class ToolResultScreen(ModalScreen[DeliverResult | None]):
  """Write the result of long-running `call`; the box starts from its interim output.

  Dismisses with the result to deliver, or None when cancelled.
  """

  CSS_PATH = "user_side.tcss"

  BINDINGS = [
    Binding("ctrl+s", "send", "Deliver result", id="tool_result.send"),
    Binding("escape", "cancel", "Cancel", id="tool_result.cancel"),
  ]

  def __init__(self, call: ToolCall, interim: Any = None) -> None:
    super().__init__()
    self.call = call
    self._interim = interim if isinstance(interim, dict) else None

  def compose(self) -> ComposeResult:
    call = self.call
    with Vertical(id="dialog") as dialog:
      dialog.border_title = "Deliver a tool result · you are the user's side now"
      dialog.border_subtitle = f"call {call.call_id}"
      yield Static(
        Content.from_markup(
          "Long-running [bold]$call[/] waits for its result. The agent's model is asked"
          " again once it arrives.",
          call=call_text(call.tool_name, call.args),
        ),
        id="what",
      )
      yield Static("Result (a JSON object):", classes="field-label")
      yield JsonObjectEditor(self._interim, required=True, id="result")
      with Horizontal(classes="dialog-buttons"):
        yield Button("Deliver result", compact=True, variant="primary", id="send")
    yield Footer()

  def on_mount(self) -> None:
    self.query_one("#result TextArea").focus()

  def action_send(self) -> None:
    response, ok = self.query_one(JsonObjectEditor).value()
    if ok and response is not None:
      self.dismiss(
        DeliverResult(tool=self.call.tool_name, response=response, call_id=self.call.call_id)
      )

  def action_cancel(self) -> None:
    self.dismiss(None)

  @on(Button.Pressed, "#send")
  def _send(self) -> None:
    self.action_send()
