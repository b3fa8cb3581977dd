"""Every action has a key, a line in the help screen and a command in the palette."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandPalette
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.final_response_screen import FinalResponseScreen
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.help import HelpScreen
from adk_simulator.tui.screens.help import keymap
from adk_simulator.tui.screens.query import QueryScreen


def test_every_binding_has_a_description_and_an_id() -> None:
  for _, bindings in keymap():
    for binding in bindings:
      assert binding.description
  for screen in (AgentPickerScreen, QueryScreen, ActiveScreen, CompletedScreen, SimulatorApp):
    for binding in screen.BINDINGS:
      assert isinstance(binding, Binding) and binding.description and binding.id, binding


def test_the_session_keys_are_in_the_keymap() -> None:
  described = {(b.key, b.description) for _, bindings in keymap() for b in bindings}
  for expected in [
    ("t", "Call a tool"),
    ("f", "Final response"),
    ("escape", "Cancel tools"),
    ("e", "Export to eval set"),
    ("c", "Continue conversation"),
    ("n", "New session"),
    ("x", "Traceback"),
    ("question_mark,f1", "Help"),
    ("q", "Quit"),
    ("s", "Saved sessions"),
    ("p", "Replay"),
    ("r", "Resume"),
  ]:
    assert expected in described


async def test_help_lists_the_keys_and_the_palette_runs_actions_by_name(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    text = screen_text(app)
    for line in ("Start session", "Send message", "Call a tool", "Final response"):
      assert line in text
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen)

    await pick_agent(pilot, "Math")
    await send_query(pilot, "Hi")
    assert isinstance(app.screen, ActiveScreen)
    titles = {command.title for command in app.get_system_commands(app.screen)}
    assert {"Call a tool", "Final response", "Model view", "Filter tools"} <= titles
    assert {"Back to agents", "Help", "Quit", "Theme"} <= titles
    assert "Cancel tools" not in titles  # nothing runs: the action does not apply

    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(app.screen, CommandPalette)
    await type_text(pilot, "final response")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, FinalResponseScreen)


async def test_f1_opens_the_help_even_from_a_text_field(tui_workspace: WorkspaceFactory) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    assert isinstance(app.screen, QueryScreen)
    await type_text(pilot, "why?")  # in a text field, ? is text
    assert not isinstance(app.screen, HelpScreen)
    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)


async def test_escape_leaves_the_tool_filter_to_the_session(
  tui_workspace: WorkspaceFactory,
) -> None:
  from textual.widgets import Input

  from adk_simulator.tui.widgets.timeline import TimelineEntry

  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2+2?")
    await pilot.press("slash")
    await settle(pilot)
    filter_box = app.screen.query_one("#catalog-filter", Input)
    assert app.focused is filter_box
    await type_text(pilot, "add")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.focused, TimelineEntry)
    await pilot.press("m")  # the screen's key again, not filter text
    assert filter_box.value == "add"
    assert isinstance(app.screen, ActiveScreen)
