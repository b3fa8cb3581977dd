"""Small modals: a yes/no question, and a read-only text (a traceback)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets import Label
from textual.widgets import Static
from textual.widgets import TextArea


class ConfirmScreen(ModalScreen[bool]):
  """Asks a yes/no question; dismisses with True for yes."""

  CSS_PATH = "dialogs.tcss"

  BINDINGS = [
    Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    Binding("n,escape", "answer(False)", "No", id="confirm.no"),
  ]

  def __init__(self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No") -> None:
    super().__init__(classes="dialog-screen")
    self._question = question
    self._detail = detail
    self._yes = yes
    self._no = no

  def compose(self) -> ComposeResult:
    with Vertical(classes="dialog"):
      yield Label(self._question, classes="dialog-title")
      if self._detail:
        yield Static(self._detail, classes="dialog-detail", markup=False)
      with Horizontal(classes="dialog-buttons"):
        yield Button(f"{self._yes} (y)", id="yes", variant="error")
        yield Button(f"{self._no} (n)", id="no", variant="primary")

  def on_mount(self) -> None:
    self.query_one("#no", Button).focus()

  def on_button_pressed(self, event: Button.Pressed) -> None:
    event.stop()
    self.dismiss(event.button.id == "yes")

  def action_answer(self, answer: bool) -> None:
    self.dismiss(answer)


class TextScreen(ModalScreen[None]):
  """Shows a long read-only text, such as a traceback, selectable for copying."""

  CSS_PATH = "dialogs.tcss"

  BINDINGS = [
    Binding("escape,q", "close", "Close", id="text.close"),
  ]

  def __init__(self, title: str, text: str) -> None:
    super().__init__(classes="dialog-screen")
    self._title = title
    self._text = text

  def compose(self) -> ComposeResult:
    with Vertical(classes="dialog -wide"):
      yield Label(self._title, classes="dialog-title")
      # Wrapped: a traceback's file and line stay in sight at 80 columns.
      yield TextArea(self._text, read_only=True, soft_wrap=True, id="text-body")
      yield Static("escape closes · the text can be selected and copied", classes="dialog-hint")

  def on_mount(self) -> None:
    self.query_one("#text-body", TextArea).focus()

  def action_close(self) -> None:
    self.dismiss(None)
