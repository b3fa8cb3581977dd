"""Focus is visible: every kind of control looks 3:1 different focused (WCAG non-text
contrast), in both themes, and the focused control is scrolled into view."""

from __future__ import annotations

import pytest
from contrast import colours_at
from contrast import ratio
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button
from textual.widgets import Input
from textual.widgets import Label
from textual.widgets import ListItem
from textual.widgets import ListView
from textual.widgets import OptionList
from textual.widgets import Select
from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_tool
from tui_helpers import settle
from tui_helpers import stop_blinking

from adk_simulator.tui.app import SimulatorApp


class Controls(Screen[None]):
  """One of each control the app's screens use, with the app's styles."""

  def compose(self) -> ComposeResult:
    with VerticalScroll():
      yield Input("some text", id="input", compact=True)
      yield Input(id="bordered")
      yield TextArea("a message", id="text-area")
      yield Select([("EUR", "EUR"), ("USD", "USD")], id="select", compact=True)
      yield Button("Execute", id="button", compact=True)
      yield Button("Send", id="primary", variant="primary", compact=True)
      yield OptionList("add", "multiply", id="options")
      yield ListView(ListItem(Label("Math")), ListItem(Label("Quote")), id="list")


CONTROLS = ["input", "bordered", "text-area", "select", "button", "primary", "options", "list"]


def _background(app: SimulatorApp, widget: Widget) -> tuple[int, int, int]:
  # The last cell of the first line: clear of the text cursor and of the text.
  region = widget.content_region
  return colours_at(app, region.right - 2, region.y)[1]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_every_control_looks_3_to_1_different_with_the_focus(
  tui_workspace: WorkspaceFactory, theme: str
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(80, 40)) as pilot:
    app.theme = theme
    await settle(pilot)
    await app.push_screen(Controls())
    await settle(pilot)
    stop_blinking(pilot)
    problems = []
    for control in CONTROLS:
      widget = app.screen.query_one(f"#{control}")
      app.screen.set_focus(None)
      await settle(pilot)
      resting = _background(app, widget)
      widget.focus()
      await settle(pilot)
      focused = _background(app, widget)
      value = ratio(resting, focused)
      if value < 3:
        problems.append(f"{control}: {value:.2f}:1 ({resting} → {focused})")
    assert not problems, "\n".join(problems)


async def test_the_focused_field_of_a_long_form_is_scrolled_into_view(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(80, 24)) as pilot:
    await settle(pilot)
    await app.push_screen(Controls())
    await settle(pilot)
    scroll = app.screen.query_one(VerticalScroll)
    for _ in range(len(CONTROLS)):
      await pilot.press("tab")
      await settle(pilot)
      focused = app.focused
      assert focused is not None
      assert (
        scroll.region.contains_region(focused.region)
        or focused.region.height > scroll.region.height
      ), focused


async def test_tab_through_a_long_tool_form_at_80x24_keeps_the_focus_in_view(
  tui_workspace: WorkspaceFactory,
) -> None:
  from tui_helpers import pick_agent
  from tui_helpers import send_query

  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(80, 24)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    await send_query(pilot, "New ticket")
    await pilot.press("t")
    await settle(pilot)
    await pick_tool(pilot, "create_ticket")
    seen = []
    boxes = 0
    for _ in range(14):
      focused = app.focused
      assert focused is not None
      seen.append(focused)
      # Inside every scrolling box around it, not below its fold.
      for box in focused.ancestors:
        if isinstance(box, Widget) and box.is_scrollable and box.allow_vertical_scroll:
          boxes += 1
          assert box.scrollable_content_region.contains_region(focused.region), (focused, box)
      await pilot.press("tab")
      await settle(pilot)
    assert len(set(map(id, seen))) > 6, "tab went through the fields"
    assert boxes, "the form scrolls at 80x24"
