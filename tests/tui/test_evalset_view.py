"""The eval set view, opened from the agent picker: list the cases, view one, delete one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.adk.evaluation.eval_set import EvalSet
from textual.pilot import Pilot
from tui_helpers import WorkspaceFactory
from tui_helpers import screen_text
from tui_helpers import settle

from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.clock import FrozenClock
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen
from adk_simulator.tui.screens.evalset_view import EvalSetScreen
from adk_simulator.tui.widgets.timeline import Timeline
from adk_simulator.tui.widgets.timeline import TimelineEntry

pytestmark = pytest.mark.usefixtures("utc")


def eval_set_path(tmp_path: Path) -> Path:
  return tmp_path / "evalsets" / "math.evalset.json"


async def export_sessions(workspace, plays: list[tuple[str, str, int, int, str]]) -> None:
  """Plays and exports math sessions on the engine, before the app starts."""
  (agent,) = workspace.load_all()
  try:
    for query, tool, a, b, result in plays:
      simulation = workspace.new_simulation()
      await simulation.select_agent(agent)
      await simulation.submit_query(query)
      await simulation.submit_turn(call(tool, a=a, b=b))
      await simulation.submit_turn(answer(result))
      await simulation.export()
  finally:
    await workspace.close()


def kinds(app: SimulatorApp) -> list[str]:
  return [entry.entry.kind for entry in app.screen.query_one(Timeline).entries]


async def test_the_eval_set_view_lists_shows_and_deletes_cases(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  await export_sessions(
    tui_workspace("Math"),
    [("2+3?", "add", 2, 3, "5"), ("Divide 1 by 0", "divide", 1, 0, "Cannot.")],
  )
  first, second = (
    c.eval_id
    for c in EvalSet.model_validate_json(
      eval_set_path(tmp_path).read_text(encoding="utf-8")
    ).eval_cases
  )
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, EvalSetScreen)
    assert screen.case_ids == [first, second]
    text = screen_text(app)
    assert "2 cases · enter views one · d deletes it" in text
    assert "2+3?" in text and "Divide 1 by 0" in text
    # The highlighted case shows as a timeline; moving down shows the next one.
    assert kinds(app) == ["user_query", "tool_call", "tool_output", "final_response"]
    await pilot.press("down")
    await settle(pilot)
    assert kinds(app) == ["user_query", "tool_call", "tool_error", "final_response"]
    assert "ZeroDivisionError" in screen_text(app)
    # enter goes into the timeline; escape comes back to the table.
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.focused, TimelineEntry)
    await pilot.press("escape")
    await settle(pilot)
    assert app.focused is screen.table

    # Delete asks first: n keeps the case, y deletes it from the file.
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    assert f"Delete case {second}?" in screen_text(app)
    await pilot.press("n")
    await settle(pilot)
    assert screen.case_ids == [first, second]
    await pilot.press("d")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert app.screen is screen and screen.case_ids == [first]
    kept = EvalSet.model_validate_json(eval_set_path(tmp_path).read_text(encoding="utf-8"))
    assert [c.eval_id for c in kept.eval_cases] == [first]

    # Back on the picker, the count is the file's.
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen)
    assert "evalsets/math.evalset.json (1 case)" in screen_text(app)


async def test_a_missing_or_broken_eval_set_says_so(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert "No file yet: export a session of this agent to create it." in screen_text(app)
    assert isinstance(app.screen, EvalSetScreen)
    await pilot.press("d")  # nothing to delete: the key does not apply
    await settle(pilot)
    assert isinstance(app.screen, EvalSetScreen)
    await pilot.press("escape")
    await settle(pilot)
    path = eval_set_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"eval_set_id": 3', encoding="utf-8")
    await pilot.press("v")
    await settle(pilot)
    assert "is not valid JSON" in " ".join(screen_text(app).split())  # however it wraps
    assert path.read_text(encoding="utf-8") == '{"eval_set_id": 3'


def _fixed_eval_set() -> dict[str, Any]:
  """Two math cases with fixed ids and times, as an export writes them."""

  def case(eval_id: str, at: float, query: str, calls: list[tuple[str, dict, Any]], final: str):
    return {
      "eval_id": eval_id,
      "conversation": [
        {
          "invocation_id": f"e-{eval_id}",
          "user_content": {"role": "user", "parts": [{"text": query}]},
          "final_response": {"role": "model", "parts": [{"text": final}]},
          "intermediate_data": {
            "tool_uses": [
              {"id": f"c{n}", "name": name, "args": args} for n, (name, args, _) in enumerate(calls)
            ],
            "tool_responses": [
              {"id": f"c{n}", "name": name, "response": response}
              for n, (name, _, response) in enumerate(calls)
            ],
            "intermediate_responses": [],
          },
          "creation_timestamp": at,
        }
      ],
      "session_input": {"app_name": "math_agent", "user_id": "user", "state": {}},
      "creation_timestamp": at,
      "final_session_state": {},
    }

  return {
    "eval_set_id": "math_evals",
    "name": "math_evals",
    "eval_cases": [
      case(
        "math_20250603T100000_000000",
        1748944800.0,
        "What is 5*5+10?",
        [
          ("multiply", {"a": 5, "b": 5}, {"result": 25}),
          ("add", {"a": 25, "b": 10}, {"result": 35}),
        ],
        "5*5+10 is 35.",
      ),
      case(
        "math_20250603T110000_000000",
        1748948400.0,
        "Divide 1 by 0",
        [
          (
            "divide",
            {"a": 1, "b": 0},
            {"error": {"type": "ZeroDivisionError", "message": "division by zero"}},
          )
        ],
        "Dividing by zero is undefined.",
      ),
    ],
    "creation_timestamp": 1748944800.0,
  }


def test_eval_set_view(snap_compare: Any, tui_workspace: WorkspaceFactory, tmp_path: Path) -> None:
  path = eval_set_path(tmp_path)
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(json.dumps(_fixed_eval_set(), indent=2), encoding="utf-8")

  async def run_before(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)

  app = SimulatorApp(tui_workspace("Math"), clock=FrozenClock(1.0))
  assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
