"""The help screen: every key of the app, by where it applies.

Built from the `BINDINGS` of the app, its screens and widgets, so it cannot
drift from what the keys do.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.binding import BindingType
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.tui.services import APP_BINDINGS


def keymap() -> list[tuple[str, list[Binding]]]:
  """Every binding with a description, grouped by where it applies."""
  from adk_simulator.tui.forms.confirmation_screen import ConfirmationScreen
  from adk_simulator.tui.forms.final_response_screen import FinalResponseScreen
  from adk_simulator.tui.forms.schema_form import SchemaForm
  from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen
  from adk_simulator.tui.forms.tool_picker import ToolPicker
  from adk_simulator.tui.forms.tool_result_screen import ToolResultScreen
  from adk_simulator.tui.forms.turn_queue import TurnQueue
  from adk_simulator.tui.screens.active import ActiveScreen
  from adk_simulator.tui.screens.agent_picker import AgentList
  from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
  from adk_simulator.tui.screens.completed import CompletedScreen
  from adk_simulator.tui.screens.dialogs import ConfirmScreen
  from adk_simulator.tui.screens.evalset_view import CaseTable
  from adk_simulator.tui.screens.evalset_view import EvalSetScreen
  from adk_simulator.tui.screens.export_choice import ExportChoiceScreen
  from adk_simulator.tui.screens.query import QueryScreen
  from adk_simulator.tui.screens.replay_view import ReplayViewScreen
  from adk_simulator.tui.screens.session_view import SessionViewScreen
  from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
  from adk_simulator.tui.screens.sessions_browser import SessionTable
  from adk_simulator.tui.screens.value_viewer import ValueScreen
  from adk_simulator.tui.widgets.state_panel import StatePanel
  from adk_simulator.tui.widgets.timeline import EarlierEntries
  from adk_simulator.tui.widgets.timeline import TimelineEntry

  groups: list[tuple[str, list[BindingType]]] = [
    ("Everywhere", [*APP_BINDINGS, Binding("ctrl+p", "command_palette", "Commands")]),
    ("Agent picker", [*AgentList.BINDINGS, *AgentPickerScreen.BINDINGS]),
    ("User message", QueryScreen.BINDINGS),
    ("Session", ActiveScreen.BINDINGS),
    ("Timeline entry (focused)", [*TimelineEntry.BINDINGS, EarlierEntries.BINDINGS[0]]),
    ("State panel (focused)", StatePanel.BINDINGS),
    ("Calling tools", [*ToolPicker.BINDINGS, *ToolCallScreen.BINDINGS]),
    ("The turn's calls (shift+tab from the filter)", TurnQueue.BINDINGS),
    ("Forms (tool calls, answers, structured messages)", SchemaForm.BINDINGS),
    ("Final response", FinalResponseScreen.BINDINGS),
    ("Confirmation (the user's side)", ConfirmationScreen.BINDINGS),
    ("Tool result (the user's side)", ToolResultScreen.BINDINGS),
    ("Session complete", CompletedScreen.BINDINGS),
    ("Saved sessions", [*SessionTable.BINDINGS, *SessionsBrowserScreen.BINDINGS]),
    ("Saved session", SessionViewScreen.BINDINGS),
    ("Replay", ReplayViewScreen.BINDINGS),
    ("Eval set", [*CaseTable.BINDINGS, *EvalSetScreen.BINDINGS]),
    ("Value viewer", ValueScreen.BINDINGS),
    ("Questions", ConfirmScreen.BINDINGS),
    ("Exporting again", ExportChoiceScreen.BINDINGS),
  ]
  return [
    (title, [b for b in bindings if isinstance(b, Binding) and b.description])
    for title, bindings in groups
  ]


class HelpScreen(ModalScreen[None]):
  """Lists every key binding of the app."""

  CSS_PATH = "help.tcss"

  BINDINGS = [
    Binding("escape,question_mark,q", "close", "Close", id="help.close"),
  ]

  def __init__(self) -> None:
    super().__init__(classes="dialog-screen")

  def compose(self) -> ComposeResult:
    with Vertical(classes="dialog -wide"):
      yield Label("Keys", classes="dialog-title")
      with VerticalScroll(id="help-body"):
        for title, bindings in keymap():
          yield Label(title, classes="panel-title")
          yield Static(self._lines(bindings), classes="help-group")
      yield Static(
        "ctrl+p opens the command palette: every action by name. escape closes.",
        classes="dialog-hint",
      )

  def _lines(self, bindings: list[Binding]) -> Content:
    rows = []
    for binding in bindings:
      keys = " / ".join(
        self.app.get_key_display(Binding(key.strip(), binding.action))
        for key in binding.key.split(",")
      )
      rows.append(
        Content.styled(f"{keys:>14}", "bold $text-accent") + Content(f"  {binding.description}")
      )
    return Content("\n").join(rows)

  def on_mount(self) -> None:
    self.query_one("#help-body").focus()

  def action_close(self) -> None:
    self.dismiss(None)
