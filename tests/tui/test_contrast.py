"""Text contrast in both themes: at least 4.5:1 (WCAG AA) for every character drawn.

A Math session is played with keys; on every screen and modal it opens, the
screen is drawn in Textual's dark and light themes and every text cell's
colours are checked (see `contrast`).
"""

from __future__ import annotations

from typing import Any

from contrast import low_contrast
from textual.pilot import Pilot
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import stop_blinking
from tui_helpers import type_text

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.evalset_view import EvalSetScreen
from adk_simulator.tui.screens.export_choice import ExportChoiceScreen
from adk_simulator.tui.screens.sessions_browser import SessionsBrowserScreen
from adk_simulator.tui.screens.sessions_browser import workspace_store

THEMES = ("textual-dark", "textual-light")


async def _check(pilot: Pilot[Any], where: str, problems: list[str]) -> None:
  app = pilot.app
  stop_blinking(pilot)
  # The theme the last screen was left in first: one theme switch per screen
  # (a switch makes Textual parse the app's CSS again).
  for theme in sorted(THEMES, key=lambda name: name != app.theme):
    if app.theme != theme:
      app.theme = theme
      await settle(pilot)
    problems.extend(f"{theme} · {where} · {low}" for low in low_contrast(app))


async def test_every_text_on_every_screen_has_aa_contrast_in_both_themes(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  problems: list[str] = []
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    await _check(pilot, "agent picker", problems)
    await pick_agent(pilot, "Math")
    await _check(pilot, "user message", problems)
    await send_query(pilot, "1/0 and 2+3?")
    await _check(pilot, "session", problems)
    await pilot.press("t")
    await settle(pilot)
    await _check(pilot, "tool list", problems)
    await type_text(pilot, "div")
    await pilot.press("enter")
    await settle(pilot)
    await type_text(pilot, "1")
    await _check(pilot, "tool form", problems)
    await pilot.press("tab", "0", "ctrl+t")
    await settle(pilot)
    await _check(pilot, "tool list with the turn's calls", problems)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await _check(pilot, "session with an error", problems)
    await pilot.press("x")
    await settle(pilot)
    await _check(pilot, "traceback", problems)
    await pilot.press("escape", "enter")
    await settle(pilot)
    await _check(pilot, "value viewer", problems)
    await pilot.press("escape", "f")
    await settle(pilot)
    await type_text(pilot, "It cannot be divided.")
    await _check(pilot, "final response", problems)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await _check(pilot, "session complete", problems)
    await pilot.press("question_mark")
    await settle(pilot)
    await _check(pilot, "help", problems)
    await pilot.press("escape", "q")
    await settle(pilot)
    await _check(pilot, "question", problems)
    await pilot.press("n", "e")
    await settle(pilot)
    await _check(pilot, "exported", problems)
    await app.push_screen(EvalSetScreen("Math", app.workspace.agents[0].eval_set_path))
    await settle(pilot)
    await _check(pilot, "eval set", problems)
    await app.pop_screen()
    await app.push_screen(SessionsBrowserScreen(workspace_store(app)))
    await settle(pilot)
    await _check(pilot, "saved sessions", problems)
    await pilot.press("down", "enter")
    await settle(pilot)
    await _check(pilot, "saved session", problems)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportChoiceScreen)
    await _check(pilot, "exporting again", problems)
    await pilot.press("escape")
    await settle(pilot)
  assert not problems, f"{len(problems)} texts below 4.5:1:\n" + "\n".join(problems)
