"""The engine on the real ADK runtime: transitions, turns, errors, history."""

from __future__ import annotations

import asyncio
import time

import pytest

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.runtime.phase import IllegalTransitionError
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel


async def start(make_workspace, folder: str = "math_agent") -> Simulation:
  workspace = make_workspace(folder)
  loaded = workspace.load_agent(workspace.agents[0])
  assert isinstance(loaded, LoadedAgent), loaded
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)
  return simulation


async def test_whole_session_walks_every_phase(make_workspace):
  phases = []
  workspace = make_workspace("math_agent")
  loaded = workspace.load_agent(workspace.agents[0])
  simulation = workspace.new_simulation(
    listener=lambda e: phases.append(e.phase) if e.kind == "phase_changed" else None
  )
  assert simulation.phase is Phase.SELECTING_AGENT
  await simulation.select_agent(loaded)
  assert simulation.phase is Phase.AWAITING_QUERY
  await simulation.submit_query("What is 5*5+10?")
  assert simulation.phase is Phase.ACTIVE
  request = simulation.pending
  assert request is not None and request.step == 1
  assert request.agent_name == "math_agent"
  assert "careful calculator" in request.system_instruction
  assert [t.name for t in request.tools] == ["add", "subtract", "multiply", "divide"]
  assert request.tool("multiply").parameters["properties"]["a"]["type"] == "number"
  await simulation.submit_turn(call("multiply", a=5, b=5))
  assert simulation.pending.step == 2
  # The conversation so far is what the model sees: query, call, response.
  assert len(simulation.pending.contents) == 3
  await simulation.submit_turn(call("add", a=25, b=10))
  await simulation.submit_turn(answer("The answer is 35"))
  assert simulation.phase is Phase.COMPLETED
  simulation.continue_conversation()
  assert simulation.phase is Phase.AWAITING_QUERY
  await simulation.back_to_agents()
  assert simulation.phase is Phase.SELECTING_AGENT
  assert phases == [
    Phase.AWAITING_QUERY,
    Phase.ACTIVE,
    Phase.COMPLETED,
    Phase.AWAITING_QUERY,
    Phase.SELECTING_AGENT,
  ]


async def test_illegal_moves_raise(make_workspace):
  workspace = make_workspace("math_agent")
  loaded = workspace.load_agent(workspace.agents[0])
  simulation = workspace.new_simulation()
  with pytest.raises(IllegalTransitionError, match="submit a user query"):
    await simulation.submit_query("hi")
  with pytest.raises(IllegalTransitionError):
    await simulation.submit_turn(call("add", a=1, b=2))
  with pytest.raises(IllegalTransitionError):
    simulation.continue_conversation()
  await simulation.select_agent(loaded)
  with pytest.raises(IllegalTransitionError, match="select an agent"):
    await simulation.select_agent(loaded)
  with pytest.raises(IllegalTransitionError):
    await simulation.submit_turn(answer("too early"))
  with pytest.raises(IllegalTransitionError):
    simulation.continue_conversation()
  await simulation.submit_query("1+1?")
  with pytest.raises(IllegalTransitionError):
    await simulation.submit_query("again")
  with pytest.raises(IllegalTransitionError):
    simulation.continue_conversation()
  await simulation.submit_turn(answer("2"))
  with pytest.raises(IllegalTransitionError):
    await simulation.submit_turn(answer("3"))
  with pytest.raises(IllegalTransitionError):
    await simulation.submit_query("not before continuing")


async def test_every_math_tool_and_the_division_error(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("Exercise every tool")
  await simulation.submit_turn(call("add", a=2, b=3))
  await simulation.submit_turn(call("subtract", a=2, b=3))
  await simulation.submit_turn(call("multiply", a=2.5, b=4))
  await simulation.submit_turn(call("divide", a=9, b=3))
  await simulation.submit_turn(call("divide", a=1, b=0))
  assert simulation.phase is Phase.ACTIVE, "a tool error does not end the session"
  await simulation.submit_turn(answer("done"))
  entries = simulation.history.entries
  outputs = [e.output for e in entries if isinstance(e, ToolOutput)]
  assert outputs == [{"result": 5}, {"result": -1}, {"result": 10.0}, {"result": 3.0}]
  (error,) = [e for e in entries if isinstance(e, ToolError)]
  assert (error.tool_name, error.error_type, error.message) == (
    "divide",
    "ZeroDivisionError",
    "division by zero",
  )
  assert "ZeroDivisionError" in error.traceback and error.duration_s is not None
  # The model saw the error as a function response and was asked again.
  last_contents = simulation.events[-2].content.parts[0].function_response.response
  assert last_contents == {"error": {"type": "ZeroDivisionError", "message": "division by zero"}}


async def test_arguments_are_validated_before_anything_runs(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("Multiply")
  with pytest.raises(TurnValidationError) as caught:
    await simulation.submit_turn(call("multiply", a="5"))
  message = str(caught.value)
  assert "multiply.a" in message and "string" in message
  assert "b" in message and "required" in message
  with pytest.raises(TurnValidationError, match="unknown tool; the request offers: add, subtract"):
    await simulation.submit_turn(call("power", a=2, b=8))
  assert simulation.history.tool_calls == 0, "nothing ran"
  assert simulation.pending.step == 1, "the same request still waits"
  await simulation.submit_turn(call("multiply", a=7, b=6))
  (made,) = [e for e in simulation.history.entries if isinstance(e, ToolCall)]
  assert made.args == {"a": 7, "b": 6} and isinstance(made.args["a"], int), (
    "an integer stays an integer"
  )


async def test_parallel_calls_keep_order_and_pair_ids(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("Two sums at once")
  await simulation.submit_turn(parallel(("add", {"a": 1, "b": 2}), ("multiply", {"a": 3, "b": 4})))
  entries = simulation.history.entries
  calls = [e for e in entries if isinstance(e, ToolCall)]
  outputs = [e for e in entries if isinstance(e, ToolOutput)]
  assert [c.tool_name for c in calls] == ["add", "multiply"]
  assert [o.call_id for o in outputs] == [c.call_id for c in calls]
  assert [o.output for o in outputs] == [{"result": 3}, {"result": 12}]
  assert simulation.pending.step == 2


async def test_multi_turn_conversation_in_one_session(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("What is 2+2?")
  await simulation.submit_turn(call("add", a=2, b=2))
  await simulation.submit_turn(answer("4"))
  session_id = simulation.session_id
  simulation.continue_conversation()
  await simulation.submit_query("And doubled?")
  # The second turn's model sees the first turn too.
  assert len(simulation.pending.contents) == 5
  await simulation.submit_turn(call("multiply", a=4, b=2))
  await simulation.submit_turn(answer("8"))
  assert simulation.session_id == session_id
  history = simulation.history
  assert history.turns == 2 and history.tool_calls == 2
  assert [e.text for e in history.entries if isinstance(e, FinalResponse)] == ["4", "8"]


async def test_history_is_a_projection_of_the_stored_session(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("5*5 then fail")
  await simulation.submit_turn(call("multiply", a=5, b=5))
  await simulation.submit_turn(call("divide", a=1, b=0))
  await simulation.submit_turn(answer("25"))
  stored = await simulation.stored_session()
  assert read_events(stored.events) == simulation.history
  kinds = [type(e) for e in simulation.history.entries]
  assert kinds == [UserQuery, ToolCall, ToolOutput, ToolCall, ToolError, FinalResponse]


async def test_blocking_tool_leaves_the_loop_free_and_can_be_cancelled(make_workspace):
  simulation = await start(make_workspace, "helpdesk_agent")
  await simulation.submit_query("Run the diagnostics of ticket 1")
  ticks = 0

  async def ticker() -> None:
    nonlocal ticks
    while True:
      ticks += 1
      await asyncio.sleep(0.01)

  ticking = asyncio.create_task(ticker())
  turn = asyncio.create_task(
    simulation.submit_turn(call("run_diagnostics", ticket_id=1, seconds=2))
  )
  while not simulation.running_tools:
    await asyncio.sleep(0.01)
  started = time.monotonic()
  ticks_before = ticks
  await asyncio.sleep(0.3)
  assert ticks - ticks_before >= 10, "the event loop kept running while the tool blocked"
  assert [t.tool_name for t in simulation.running_tools] == ["run_diagnostics"]
  assert simulation.cancel_tools() == ["run_diagnostics"]
  await turn
  assert time.monotonic() - started < 1.5, "cancel did not wait for the thread"
  ticking.cancel()
  assert simulation.phase is Phase.ACTIVE and simulation.pending is not None
  (error,) = [e for e in simulation.history.entries if isinstance(e, ToolError)]
  assert error.cancelled and error.error_type == "ToolCancelledError"
  assert "cancelled by the user" in error.message
  # The session goes on after a cancel.
  await simulation.submit_turn(call("search_tickets", query="refund"))
  assert simulation.history.tool_calls == 2


async def test_blocking_tool_runs_to_completion_when_not_cancelled(make_workspace):
  simulation = await start(make_workspace, "helpdesk_agent")
  await simulation.submit_query("Diagnose ticket 1")
  await simulation.submit_turn(call("run_diagnostics", ticket_id=1, seconds=0.2))
  (output,) = [e for e in simulation.history.entries if isinstance(e, ToolOutput)]
  assert output.output["ticket_id"] == 1
  assert output.duration_s >= 0.2


async def test_back_to_agents_abandons_a_waiting_run(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("abandon me")
  assert simulation.pending is not None
  await simulation.back_to_agents()
  assert simulation.phase is Phase.SELECTING_AGENT and simulation.pending is None


async def test_tool_requests_with_explicit_calls_turn(make_workspace):
  simulation = await start(make_workspace)
  await simulation.submit_query("sum")
  await simulation.submit_turn(
    ToolCallsTurn(calls=[CallRequest(tool="add", args={"a": 1, "b": 1})])
  )
  assert simulation.history.tool_calls == 1
