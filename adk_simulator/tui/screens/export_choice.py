"""The question an export asks when the session is in the eval set already: replace, or add.

One session, one case: exporting a session again replaces the case it was
exported as (same `eval_id`, same place in the file). Adding it as new keeps
that case and writes a separate one.
"""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets import Label
from textual.widgets import Static

ExportChoice = Literal["replace", "new"]


class ExportChoiceScreen(ModalScreen[ExportChoice | None]):
  """Replace the session's case, add a new one, or export nothing (None)."""

  CSS_PATH = "dialogs.tcss"

  BINDINGS = [
    Binding("r", "choose('replace')", "Replace its case", id="export_choice.replace"),
    Binding("a", "choose('new')", "Add as a new case", id="export_choice.new"),
    Binding("escape", "choose(None)", "Cancel the export", id="export_choice.cancel"),
  ]

  def __init__(self, eval_id: str, eval_set: str) -> None:
    super().__init__(classes="dialog-screen")
    self._eval_id = eval_id
    self._eval_set = eval_set

  def compose(self) -> ComposeResult:
    with Vertical(classes="dialog"):
      yield Label("This session is in the eval set already", classes="dialog-title")
      yield Static(
        f"It was exported as {self._eval_id} to {self._eval_set}. Replace that case with the"
        " session as it is now (same eval_id, same place), or add it as a new case and keep"
        " the old one?",
        classes="dialog-detail",
        markup=False,
      )
      with Horizontal(classes="dialog-buttons"):
        yield Button("Replace (r)", id="replace", variant="primary")
        yield Button("Add as new (a)", id="new")
        yield Button("Cancel (esc)", id="cancel")

  def on_mount(self) -> None:
    self.query_one("#replace", Button).focus()

  def on_button_pressed(self, event: Button.Pressed) -> None:
    event.stop()
    if event.button.id == "replace":
      self.dismiss("replace")
    elif event.button.id == "new":
      self.dismiss("new")
    else:
      self.dismiss(None)

  def action_choose(self, choice: ExportChoice | None) -> None:
    self.dismiss(choice)
