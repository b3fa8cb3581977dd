"""Viewers wrap: a traceback's file and line, and a long value, are read whole at 80 columns."""

from __future__ import annotations

import re

from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.dialogs import TextScreen
from adk_simulator.tui.screens.value_viewer import ValueScreen
from adk_simulator.tui.widgets.timeline import Timeline


def _flat(text: str) -> str:
  """The screen's text without the dialog's frame, its scrollbar and the line breaks."""
  return re.sub(r"[\s│▏▕▎▊▌▐█▔▁▂▃▅▆▇▀▄]+", "", text)


async def test_a_traceback_wraps_so_its_files_and_lines_are_in_sight_at_80_columns(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(80, 24)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "1/0?")
    await call_tool(pilot, "div", "1", "0")
    entry = app.screen.query_one(Timeline).entries[-1]
    assert entry.entry.kind == "tool_error"
    entry.focus()
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(app.screen, TextScreen)
    body = app.screen.query_one("#text-body", TextArea)
    region = body.content_region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    shown = _flat("".join(line[region.x : region.right] for line in lines))
    frames = re.findall(r'File "([^"]+)", line (\d+)', body.text)
    assert frames
    # The first frames (at the top of the box) show their whole path and line number.
    for path, line in frames[:2]:
      assert _flat(f'File "{path}", line {line}') in shown, (path, line)


async def test_a_long_string_value_is_shown_whole_and_wrapped(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  long = "word " * 60 + "THE END"
  async with app.run_test(size=(80, 24)) as pilot:
    await settle(pilot)
    await app.push_screen(ValueScreen("A long value", {"message": long, "n": 1}))
    await settle(pilot)
    text = app.screen.query_one("#value-text", TextArea)
    assert app.focused is text, "a small value opens as text"
    assert text.soft_wrap
    assert "THEEND" in _flat(screen_text(app))
