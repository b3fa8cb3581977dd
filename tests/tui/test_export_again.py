"""Exporting a session again asks: replace its case, or add it as a new one (Pilot)."""

from __future__ import annotations

from pathlib import Path

from google.adk.evaluation.eval_set import EvalSet
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.export_choice import ExportChoiceScreen


def cases(tmp_path: Path) -> list:
  path = tmp_path / "evalsets" / "math.evalset.json"
  return EvalSet.model_validate_json(path.read_text(encoding="utf-8")).eval_cases


async def another_turn(pilot, query: str, a: str, b: str, result: str) -> None:
  await pilot.press("c")
  await settle(pilot)
  await send_query(pilot, query)
  await call_tool(pilot, "add", a, b)
  await answer(pilot, result)


async def test_export_again_asks_replace_or_add_as_new(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2+3?")
    await call_tool(pilot, "add", "2", "3")
    await answer(pilot, "5")
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen), "the first export asks nothing"
    (first,) = cases(tmp_path)

    # The conversation goes on; exporting again asks, and replace keeps the case's id.
    await another_turn(pilot, "and 4+4?", "4", "4", "8")
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportChoiceScreen)
    text = screen_text(app)
    assert "This session is in the eval set already" in text
    assert f"exported as {first.eval_id}" in text
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)
    assert "Exported (replaced its earlier case)" in screen_text(app)
    (replaced,) = cases(tmp_path)
    assert replaced.eval_id == first.eval_id and len(replaced.conversation or []) == 2

    # Once more: escape exports nothing; then add as new keeps the old case.
    await another_turn(pilot, "and 1+1?", "1", "1", "2")
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)
    assert "Not exported: the eval set is as it was." in screen_text(app)
    assert len(cases(tmp_path)) == 1 and app.has_unexported_work
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportChoiceScreen)
    await pilot.press("a")
    await settle(pilot)
    assert "The eval set now holds 2 cases." in screen_text(app)
    old, new = cases(tmp_path)
    assert old.eval_id == first.eval_id and len(old.conversation or []) == 2
    assert new.eval_id != first.eval_id and len(new.conversation or []) == 3
    assert not app.has_unexported_work
