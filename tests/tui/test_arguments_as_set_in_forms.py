"""In the app, on the real runtime: a call sends what the person set, a default only on purpose."""

from __future__ import annotations

import json

from textual.widgets import Input
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen


async def open_search(pilot) -> ToolCallScreen:
  await pilot.press("t")
  await settle(pilot)
  await pick_tool(pilot, "search")
  screen = pilot.app.screen
  assert isinstance(screen, ToolCallScreen)
  return screen


async def test_untouched_defaults_are_not_sent_and_ctrl_o_sends_one(
  tui_workspace: WorkspaceFactory, tmp_path
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    await send_query(pilot, "Refund tickets?")

    screen = await open_search(pilot)
    limit = screen.editor.form.control("limit")
    assert isinstance(limit, Input)
    assert limit.value == "" and "tool default 10" in limit.placeholder
    # An empty required string is refused before anything runs.
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert app.screen is screen
    assert screen.editor.form.errors_at("query") == [
      'required: type a value (the schema does not say "" is wanted)'
    ]
    await type_text(pilot, "refund")
    await pilot.press("ctrl+s")
    await settle(pilot)

    screen = await open_search(pilot)
    await type_text(pilot, "refund")
    screen.editor.form.control("limit").focus()
    await pilot.pause()
    assert "Fill in the default" in {b.binding.description for b in screen.active_bindings.values()}
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert screen.editor.form.control("limit").value == "10"
    await pilot.press("ctrl+s")
    await settle(pilot)

    # Raw JSON sends exactly what is typed: the empty query a form refuses.
    screen = await open_search(pilot)
    await pilot.press("ctrl+j")
    await settle(pilot)
    text = screen.editor.json_text
    text.text = '{"query": ""}'
    await pilot.press("ctrl+s")
    await settle(pilot)
    await answer(pilot, "Found them.")
    await pilot.press("e")
    await settle(pilot)

  eval_set = json.loads((tmp_path / "evalsets" / "helpdesk.evalset.json").read_text())
  (case,) = eval_set["eval_cases"]
  (turn,) = case["conversation"]
  assert [u["args"] for u in turn["intermediate_data"]["tool_uses"]] == [
    {"query": "refund"},
    {"query": "refund", "limit": 10},
    {"query": ""},
  ]
