"""The whole flow with keys, on the real ADK runtime: pick, ask, call, answer, export."""

from __future__ import annotations

from pathlib import Path

from google.adk.evaluation.eval_set import EvalSet
from textual.widgets import TextArea
from tui_helpers import WorkspaceFactory
from tui_helpers import answer
from tui_helpers import call_tool
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text
from tui_helpers import wait_until

from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.screens.completed import CompletedScreen
from adk_simulator.tui.screens.dialogs import ConfirmScreen
from adk_simulator.tui.screens.dialogs import TextScreen
from adk_simulator.tui.screens.query import QueryScreen
from adk_simulator.tui.screens.value_viewer import ValueScreen
from adk_simulator.tui.screens.value_viewer import ValueTree
from adk_simulator.tui.widgets.model_view import ToolCatalog
from adk_simulator.tui.widgets.timeline import Timeline


def _kinds(app: SimulatorApp) -> list[str]:
  return [entry.entry.kind for entry in app.screen.query_one(Timeline).entries]


def _kinds_of(simulation: Simulation) -> list[str]:
  return [entry.kind for entry in simulation.history.entries]


async def test_math_session_from_picker_to_exported_eval_case(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Math", "Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    assert isinstance(app.screen, QueryScreen)
    assert isinstance(app.focused, TextArea) and app.focused.id == "query-text"

    await send_query(pilot, "5*5?")
    assert isinstance(app.screen, ActiveScreen)
    assert app.simulation is not None and app.simulation.pending is not None
    text = screen_text(app)
    assert "What the model sees" in text
    assert "You are a careful calculator." in text  # the instruction as sent
    assert _kinds(app) == ["user_query"]

    # The tool catalog filters as you type.
    catalog = app.screen.query_one(ToolCatalog)
    catalog.query_one("#catalog-filter").focus()
    await type_text(pilot, "mul")
    assert catalog.visible_tools() == ["multiply"]
    app.screen.query_one(Timeline).focus_last()

    await call_tool(pilot, "mul", "5", "5")
    assert isinstance(app.screen, ActiveScreen)
    assert _kinds(app) == ["user_query", "tool_call", "tool_output"]
    entries = app.screen.query_one(Timeline).entries
    output = entries[-1].entry
    assert isinstance(output, ToolOutput) and output.output == {"result": 25}
    assert "OUTPUT  multiply" in screen_text(app)
    # The newest entry has the focus; arrows move through the timeline.
    assert app.focused is entries[-1]
    await pilot.press("up", "up")
    assert app.focused is entries[0]
    await pilot.press("down")
    assert app.focused is entries[1]

    await answer(pilot, "25")
    assert isinstance(app.screen, CompletedScreen)
    assert app.simulation.phase is Phase.COMPLETED
    summary = screen_text(app)
    assert "1 turn · 1 tool call · 0 errors" in summary

    await pilot.press("e")
    await settle(pilot)
    assert "The eval set now holds 1 case." in screen_text(app)
    assert not app.has_unexported_work
    await pilot.press("escape")  # exported: back to the agents without asking
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen)
    assert "evalsets/math.evalset.json (1 case)" in screen_text(app)
    await pilot.press("q")
  assert app.return_code == 0

  eval_set = EvalSet.model_validate_json(
    (tmp_path / "evalsets" / "math.evalset.json").read_text(encoding="utf-8")
  )
  (case,) = eval_set.eval_cases
  (invocation,) = case.conversation or []
  assert invocation.user_content.parts is not None
  assert invocation.user_content.parts[0].text == "5*5?"
  assert invocation.final_response is not None and invocation.final_response.parts is not None
  assert invocation.final_response.parts[0].text == "25"
  assert invocation.intermediate_data is not None
  (use,) = invocation.intermediate_data.tool_uses  # type: ignore[union-attr]
  assert use.name == "multiply" and use.args == {"a": 5, "b": 5}


async def test_divide_by_zero_shows_the_error_its_traceback_and_an_export_warning(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "1/0?")
    await call_tool(pilot, "div", "1", "0")

    assert _kinds(app) == ["user_query", "tool_call", "tool_error"]
    entry = app.screen.query_one(Timeline).entries[-1]
    assert isinstance(entry.entry, ToolError)
    assert entry.entry.error_type == "ZeroDivisionError"
    assert entry.has_class("-tool-error")
    # The timeline follows the end once layout has caught up (late on a busy machine).
    await wait_until(pilot, lambda: "division by zero" in screen_text(app))
    assert "ERROR  divide · ZeroDivisionError" in screen_text(app)
    # The session goes on: the model is asked again.
    assert app.simulation is not None and app.simulation.pending is not None

    await wait_until(pilot, lambda: app.focused is entry)
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(app.screen, TextScreen)
    assert "ZeroDivisionError" in app.screen.query_one(TextArea).text
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)

    await answer(pilot, "Undefined.")
    await pilot.press("e")
    await settle(pilot)
    text = screen_text(app)
    assert "The eval set now holds 1 case." in text
    assert "1 warning:" in text  # adk eval cannot replay the error as it happened here


async def test_a_turn_the_engine_refuses_reopens_its_form_with_the_reasons(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "5*5?")
    screen = app.screen
    assert isinstance(screen, ActiveScreen)
    screen.send_turn(ToolCallsTurn(calls=[CallRequest(tool="multiply", args={"a": "five"})]))
    await settle(pilot)
    assert isinstance(app.screen, ToolCallScreen)
    assert "The engine refused this turn" in screen_text(app)
    assert app.simulation is not None
    assert _kinds_of(app.simulation) == ["user_query"]  # nothing ran


async def test_a_folded_output_opens_whole_in_the_value_viewer(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    await send_query(pilot, "Tickets?")
    await call_tool(pilot, "search", "billing")
    entry = app.screen.query_one(Timeline).entries[-1]
    assert entry.entry.kind == "tool_output"
    assert entry.folded  # a list of tickets is longer than the preview
    entry.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ValueScreen)
    tree = app.screen.query_one(ValueTree)
    assert tree.root.children  # the first level is there, deeper ones open on demand
    await pilot.press("r")
    await settle(pilot)
    assert '"tickets"' in app.screen.query_one("#value-text", TextArea).text
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)


async def test_continue_new_session_and_quit_ask_first_while_not_exported(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await send_query(pilot, "2+3?")
    await answer(pilot, "5")
    assert isinstance(app.screen, CompletedScreen)

    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, QueryScreen)
    assert not app.screen.query("#state-text")  # the state belongs to the session now
    assert "turn 2 of this session" in screen_text(app)
    await send_query(pilot, "*2?")
    await answer(pilot, "10")
    assert isinstance(app.screen, CompletedScreen)
    assert app.simulation is not None and app.simulation.history.turns == 2
    first_session = app.simulation.session_id
    assert first_session is not None

    await pilot.press("q")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)  # nothing exported yet
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)

    await pilot.press("n")  # a new session with the same agent: asks too
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, QueryScreen)
    assert app.simulation.session_id is None
    assert app.simulation.agent is not None and app.simulation.agent.name == "Math"
    assert app.screen.query_one("#state-text")  # a new session: the state is editable again


async def test_initial_state_is_checked_as_json_and_reaches_the_session(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Helpdesk")
    state = app.screen.query_one("#state-text", TextArea)
    assert '"desk_name": "Acme Support"' in state.text
    state.load_text('{"desk_name": "Night Desk",')
    app.screen.query_one("#query-text", TextArea).focus()
    await send_query(pilot, "Hi")
    assert isinstance(app.screen, QueryScreen)
    assert "Not valid JSON" in screen_text(app)
    assert app.focused is state

    state.load_text('{"desk_name": "Night Desk"}')
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, ActiveScreen)
    assert app.simulation is not None and app.simulation.pending is not None
    assert "Night Desk" in app.simulation.pending.system_instruction
    assert "Night Desk help desk" in screen_text(app)


async def test_a_failed_agent_shows_its_error_and_the_others_stay_usable(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  broken = tmp_path / "broken_agent"
  broken.mkdir()
  (broken / "__init__.py").write_text("from . import agent\n", encoding="utf-8")
  (broken / "agent.py").write_text("raise RuntimeError('no such model')\n", encoding="utf-8")
  app = SimulatorApp(tui_workspace("Math", extra={"Broken": {"agent": broken}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    picker = app.screen
    assert isinstance(picker, AgentPickerScreen)
    math, failed = picker.rows
    assert failed.failure is not None and math.loaded is not None
    assert "no such model" in screen_text(app)

    await pick_agent(pilot, "Broken")  # enter on a failed agent does not start anything
    assert isinstance(app.screen, AgentPickerScreen)
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(app.screen, TextScreen)
    assert "raise RuntimeError('no such model')" in app.screen.query_one(TextArea).text
    await pilot.press("escape")
    await settle(pilot)

    await pick_agent(pilot, "Math")
    assert isinstance(app.screen, QueryScreen)
    await pilot.press("escape")  # back to the agents: nothing to lose yet
    await settle(pilot)
    assert isinstance(app.screen, AgentPickerScreen)


async def test_the_empty_message_warning_goes_once_a_message_is_typed(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Math")
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert "Type the user's message first." in screen_text(app)
    await type_text(pilot, "2+2?")
    await settle(pilot)
    assert "Type the user's message first." not in screen_text(app)
