"""Steps of the app's flow driven with keys, and what the screen shows, for the app's tests."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets import TextArea

from adk_simulator.engine.workspace import Workspace
from adk_simulator.tui.screens.agent_picker import AgentList
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen

WorkspaceFactory = Callable[..., Workspace]
"""The `tui_workspace` fixture: `tui_workspace("Math", extra={...}, session_service_uri=...)`."""


async def settle(pilot: Pilot[Any]) -> None:
  """Waits until no worker runs, no key typed ahead waits, and every posted message is handled."""
  app = pilot.app
  type_ahead = getattr(app, "type_ahead", None)

  def keys_waiting() -> bool:
    return type_ahead is not None and not type_ahead.idle

  for _ in range(1000):
    await pilot.pause()
    running = [worker for worker in app.workers if worker.is_running]
    if not running:
      await pilot.pause()
      if not any(worker.is_running for worker in app.workers) and not keys_waiting():
        return
      continue
    await app.workers.wait_for_complete(running)
  raise AssertionError("the app did not settle")


async def pick_agent(pilot: Pilot[Any], name: str) -> None:
  """On the agent picker: waits for the agents, highlights `name`, presses enter."""
  await settle(pilot)
  screen = pilot.app.screen
  assert isinstance(screen, AgentPickerScreen), screen
  names = [row.config.name for row in screen.rows]
  screen.query_one(AgentList).index = names.index(name)
  await pilot.press("enter")
  await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
  """Types `text` into the focused widget, key by key (newlines as enter)."""
  for char in text:
    await pilot.press("enter" if char == "\n" else char)


async def send_query(pilot: Pilot[Any], text: str) -> None:
  """On the query screen: types the user's message and sends it."""
  await type_text(pilot, text)
  await pilot.press("ctrl+s")
  await settle(pilot)


async def pick_tool(pilot: Pilot[Any], words: str, *values: str) -> None:
  """In the tool picker: filter the tools by `words`, pick the first, fill its fields
  in order (tab between them). Sends nothing."""
  await type_text(pilot, words)
  await pilot.press("enter")
  await settle(pilot)
  for index, value in enumerate(values):
    if index:
      await pilot.press("tab")
    await type_text(pilot, value)


async def call_tool(pilot: Pilot[Any], words: str, *values: str) -> None:
  """On the session screen: `t`, pick the tool and fill it (`pick_tool`), send with ctrl+s."""
  await pilot.press("t")
  await settle(pilot)
  await pick_tool(pilot, words, *values)
  await pilot.press("ctrl+s")
  await settle(pilot)


async def answer(pilot: Pilot[Any], text: str) -> None:
  """On the session screen: `f`, type the final response, send."""
  await pilot.press("f")
  await settle(pilot)
  await type_text(pilot, text)
  await pilot.press("ctrl+s")
  await settle(pilot)


def stop_blinking(pilot: Pilot[Any]) -> None:
  """Freezes text cursors so screenshots do not depend on when they are taken."""
  for widget in pilot.app.screen.query("Input, TextArea"):
    if isinstance(widget, Input | TextArea):
      widget.cursor_blink = False


def screen_text(app: App[Any]) -> str:
  """The current screen (modals over what they cover) as plain text lines."""
  width, height = app.size
  console = Console(
    width=width,
    height=height,
    file=io.StringIO(),
    force_terminal=True,
    color_system="truecolor",
    record=True,
    legacy_windows=False,
    safe_box=False,
  )
  console.print(
    app.screen._compositor.render_update(  # noqa: SLF001 - what save_screenshot renders
      full=True,
      screen_stack=app._background_screens,  # noqa: SLF001
    )
  )
  return console.export_text(styles=False)


async def wait_until(
  pilot: Pilot[Any], condition: Callable[[], bool], *, timeout: float = 30.0
) -> None:
  """Lets the app run until `condition()` holds (for things no worker waits on)."""
  deadline = time.monotonic() + timeout
  while not condition():
    if time.monotonic() > deadline:
      raise AssertionError(f"still false after {timeout} s: {condition}")
    await pilot.pause()
