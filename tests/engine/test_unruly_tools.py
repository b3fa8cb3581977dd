"""Tools that raise, hang, print, or return odd values never end the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


async def start(tmp_path: Path, attribute: str = "root_agent") -> Simulation:
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name="Unruly",
        agent=f"unruly_agent.agent:{attribute}",
        eval_set_path=tmp_path / "u.evalset.json",
        base_dir=FIXTURES,
      )
    ],
    session_service_uri=f"sqlite:///{(tmp_path / 's.db').as_posix()}",
    base_dir=tmp_path,
  )
  workspace = Workspace(config)
  loaded = workspace.load_agent(config.agents[0])
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)  # type: ignore[arg-type]
  await simulation.submit_query("misbehave")
  return simulation


def last(simulation: Simulation):
  return simulation.history.entries[-1]


async def test_a_raising_tool_becomes_an_error_the_model_sees(tmp_path):
  simulation = await start(tmp_path)
  await simulation.submit_turn(call("raises", reason="too many calls"))
  error = last(simulation)
  assert isinstance(error, ToolError)
  assert error.error_type == "QuotaExceededError"
  assert error.message == "quota exceeded: too many calls"
  assert "raise QuotaExceededError" in (error.traceback or "")
  assert simulation.phase is Phase.ACTIVE and simulation.pending is not None


async def test_the_agents_own_error_callback_decides_what_the_model_sees(tmp_path):
  simulation = await start(tmp_path, "careful_agent")
  await simulation.submit_turn(call("raises", reason="x"))
  response = simulation.events[-1].content.parts[0].function_response.response  # type: ignore[union-attr]
  assert response == {"status": "failed", "why": "quota exceeded: x"}
  assert isinstance(last(simulation), ToolError), "still shown as an error frame"


async def test_a_hanging_async_tool_is_cancelled_and_the_session_goes_on(tmp_path):
  import asyncio

  simulation = await start(tmp_path)
  turn = asyncio.create_task(simulation.submit_turn(call("hangs")))
  while not simulation.running_tools:
    await asyncio.sleep(0.01)
  assert simulation.cancel_tools() == ["hangs"]
  await turn
  error = last(simulation)
  assert isinstance(error, ToolError) and error.cancelled
  await simulation.submit_turn(call("nothing"))
  await simulation.submit_turn(answer("survived"))
  assert simulation.phase is Phase.COMPLETED


async def test_printing_to_stdout_does_not_disturb_the_session(tmp_path, capsys):
  simulation = await start(tmp_path)
  await simulation.submit_turn(call("chatty"))
  output = last(simulation)
  assert isinstance(output, ToolOutput) and output.output == {"result": "done"}


@pytest.mark.parametrize(
  ("tool", "expected"),
  [
    ("nothing", {"result": None}),
    ("stamped", {"when": "2026-01-02T03:04:05"}),
  ],
)
async def test_odd_but_serialisable_results_are_kept(tmp_path, tool, expected):
  simulation = await start(tmp_path)
  await simulation.submit_turn(call(tool))
  output = last(simulation)
  assert isinstance(output, ToolOutput) and output.output == expected
  stored = await simulation.stored_session()
  assert read_events(stored.events) == simulation.history


async def test_a_result_that_is_not_json_becomes_an_error_not_a_crash(tmp_path):
  simulation = await start(tmp_path)
  await simulation.submit_turn(call("opaque"))
  error = last(simulation)
  assert isinstance(error, ToolError) and error.error_type == "ToolResultError"
  assert "cannot be sent to the model as JSON" in error.message
  assert simulation.run_error is None and simulation.phase is Phase.ACTIVE
  await simulation.submit_turn(answer("ok"))
  assert simulation.phase is Phase.COMPLETED


@pytest.mark.parametrize(
  ("turn", "shown_type", "message"),
  [
    (call("exits", code=3), "SystemExit", "the tool called sys.exit(3)"),
    (call("exits_on_the_loop"), "SystemExit", "the tool called sys.exit(5)"),
    (call("interrupts"), "KeyboardInterrupt", "the tool raised KeyboardInterrupt"),
  ],
)
async def test_a_tool_that_would_end_the_process_fails_its_call_instead(
  tmp_path, turn, shown_type, message
):
  simulation = await start(tmp_path)
  await simulation.submit_turn(turn)
  error = last(simulation)
  assert isinstance(error, ToolError)
  assert error.error_type == shown_type
  assert error.message.startswith(message)
  assert error.response == {"error": {"type": shown_type, "message": error.message}}
  # The session goes on: the model is asked again, and the next call runs.
  assert simulation.phase is Phase.ACTIVE and simulation.pending is not None
  await simulation.submit_turn(call("nothing"))
  assert isinstance(last(simulation), ToolOutput)


async def test_numbers_json_lacks_are_refused_in_calls_and_flagged_in_outputs(tmp_path):
  from adk_simulator.engine.export.golden_trace import trace_warnings
  from adk_simulator.engine.runtime.turns import TurnValidationError

  simulation = await start(tmp_path)
  events = len(simulation.events)
  with pytest.raises(TurnValidationError, match=r"call 1 \(sleeps.seconds\): NaN and Infinity"):
    await simulation.submit_turn(call("sleeps", seconds=float("nan")))
  assert len(simulation.events) == events  # nothing ran
  await simulation.submit_turn(call("not_a_number"))
  output = last(simulation)
  assert isinstance(output, ToolOutput)
  await simulation.submit_turn(answer("Odd numbers."))
  warnings = trace_warnings(await simulation.stored_session())
  assert any("returned NaN or Infinity at $.ratio, $.ceiling" in w for w in warnings), warnings
