"""Undo on the real ADK runtime: the session goes back to just before a turn.

Each test plays real tools into a real store, undoes, and reads back what the
store holds: the history, the export and the replay hold only the kept path;
state and artifacts are what they were before the undone turn.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from google.adk.sessions.in_memory_session_service import InMemorySessionService

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.replay.replayer import replay_session
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.undo import UndoError
from adk_simulator.engine.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "agents"
STORES = ["sqlite", "memory"]


def workspace(tmp_path: Path, folder: Path, store: str = "sqlite", **extra) -> Workspace:
  uri = "memory://" if store == "memory" else f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}"
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name=folder.name,
        agent=str(folder),
        eval_set_path=tmp_path / "cases.evalset.json",
        **extra,
      )
    ],
    session_service_uri=uri,
    base_dir=tmp_path,
  )
  return Workspace(config)


async def started(ws: Workspace, **state) -> tuple[Simulation, LoadedAgent]:
  agent = ws.load_agent(ws.agents[0])
  assert isinstance(agent, LoadedAgent), agent
  simulation = ws.new_simulation()
  await simulation.select_agent(agent, initial_state=state or None)
  return simulation, agent


def calls(entries) -> list[tuple[str, dict]]:
  return [(e.tool_name, e.args) for e in entries if isinstance(e, ToolCall)]


async def stored_history(simulation: Simulation):
  return read_events((await simulation.stored_session()).events)


@pytest.mark.parametrize("store", STORES)
async def test_undo_of_the_last_turn_asks_again_and_keeps_only_the_kept_path(tmp_path, store):
  simulation, agent = await started(workspace(tmp_path, REPO / "agents" / "math_agent", store))
  await simulation.submit_query("2*3+4?")
  await simulation.submit_turn(call("multiply", a=2, b=3))
  await simulation.submit_turn(call("add", a=6, b=5))
  assert simulation.pending is not None and simulation.pending.step == 3

  plan = await simulation.undo()

  assert plan.step == 2 and plan.ran == ["add"]
  assert [e.kind for e in plan.entries] == ["tool_call", "tool_output"]
  assert simulation.phase is Phase.ACTIVE
  assert simulation.pending is not None and simulation.pending.step == 2
  # What the model sees is the kept path: the query, the first call and its result.
  assert len(simulation.pending.contents) == 3
  assert "add" not in json.dumps(simulation.pending.contents)
  await simulation.submit_turn(call("add", a=6, b=4))
  await simulation.submit_turn(answer("10"))
  assert simulation.phase is Phase.COMPLETED

  kept = [("multiply", {"a": 2, "b": 3}), ("add", {"a": 6, "b": 4})]
  history = await stored_history(simulation)
  assert history.entries == simulation.history.entries
  assert calls(history.entries) == kept
  assert [e.step for e in history.entries if isinstance(e, ToolCall | FinalResponse)] == [1, 2, 3]

  result = await simulation.export()
  case = json.loads(result.path.read_text())["eval_cases"][0]
  (turn,) = case["conversation"]
  assert [(u["name"], u["args"]) for u in turn["intermediate_data"]["tool_uses"]] == kept
  assert [r["response"] for r in turn["intermediate_data"]["tool_responses"]] == [
    {"result": 6},
    {"result": 10},
  ]
  assert turn["final_response"]["parts"][0]["text"] == "10"

  replayed = await replay_session(
    Simulation(InMemorySessionService()), agent, await simulation.stored_session()
  )
  assert replayed.outcome == "identical"
  assert [(s.tool_name, s.args) for s in replayed.steps] == kept


@pytest.mark.parametrize("store", STORES)
async def test_undo_restores_state_and_artifacts_but_not_effects_outside(tmp_path, store):
  log = tmp_path / "pages.log"
  simulation, _ = await started(
    workspace(tmp_path, FIXTURES / "pages_agent", store), log_file=str(log)
  )
  await simulation.submit_query("Keep notes")
  await simulation.submit_turn(call("write_page", title="plan", text="one"))
  await simulation.submit_turn(call("write_page", title="plan", text="two"))
  await simulation.submit_turn(call("write_page", title="todo", text="milk"))
  assert (await simulation.stored_session()).state["pages"] == ["plan", "plan", "todo"]

  plan = simulation.undo_plan(
    next(
      e for e in simulation.history.entries if isinstance(e, ToolCall) and e.args["text"] == "two"
    )
  )
  assert plan.step == 2 and plan.ran == ["write_page"]
  await simulation.undo(plan)

  session = await simulation.stored_session()
  assert session.state["pages"] == ["plan"]
  assert simulation.pending is not None and "Pages so far: ['plan']" in (
    simulation.pending.system_instruction
  )
  # The page is back at its first version, and the later page is gone.
  await simulation.submit_turn(call("read_page", title="plan"))
  await simulation.submit_turn(call("read_page", title="todo"))
  outputs = [e for e in simulation.history.entries if e.kind in ("tool_output", "tool_error")]
  assert outputs[-2].output == {"title": "plan", "text": "one"}
  assert outputs[-1].kind == "tool_error" and "no page 'todo'" in outputs[-1].message
  # What the tools did outside the session stays done.
  assert log.read_text().splitlines() == ["wrote plan", "wrote plan", "wrote todo"]


async def test_undo_on_an_earlier_turn_drops_every_later_turn(tmp_path):
  simulation, _ = await started(workspace(tmp_path, REPO / "agents" / "math_agent"))
  await simulation.submit_query("1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.submit_turn(answer("2"))
  simulation.continue_conversation()
  await simulation.submit_query("and 2*2?")
  await simulation.submit_turn(call("multiply", a=2, b=2))
  output = next(e for e in simulation.history.entries if isinstance(e, ToolOutput))

  plan = simulation.undo_plan(output)  # an output stands for the turn that made its call

  assert plan.step == 1
  assert [e.kind for e in plan.entries].count("user_query") == 1
  await simulation.undo(plan)
  assert simulation.pending is not None and simulation.pending.step == 1
  history = await stored_history(simulation)
  assert [e.kind for e in history.entries] == ["user_query"]
  assert history.entries == simulation.history.entries


async def test_undoing_a_user_message_waits_for_a_new_one(tmp_path):
  simulation, _ = await started(workspace(tmp_path, REPO / "agents" / "math_agent"))
  await simulation.submit_query("1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.submit_turn(answer("2"))
  simulation.continue_conversation()
  await simulation.submit_query("typo?")
  query = [e for e in simulation.history.entries if isinstance(e, UserQuery)][-1]

  plan = await simulation.undo(simulation.undo_plan(query))

  assert plan.whole_turn and plan.step is None
  assert simulation.phase is Phase.AWAITING_QUERY and simulation.pending is None
  assert [e.kind for e in (await stored_history(simulation)).entries] == [
    "user_query",
    "tool_call",
    "tool_output",
    "final_response",
  ]
  await simulation.submit_query("2*2?")
  await simulation.submit_turn(call("multiply", a=2, b=2))
  await simulation.submit_turn(answer("4"))
  result = await simulation.export()
  case = json.loads(result.path.read_text())["eval_cases"][0]
  assert [t["user_content"]["parts"][0]["text"] for t in case["conversation"]] == ["1+1?", "2*2?"]


async def test_undo_of_a_call_that_waits_for_a_confirmation(tmp_path):
  simulation, _ = await started(workspace(tmp_path, FIXTURES / "approvals_agent"))
  await simulation.submit_query("Refund order 7")
  await simulation.submit_turn(call("refund", order_id="7", amount=10.0))
  assert simulation.paused

  await simulation.undo()

  assert not simulation.paused and simulation.awaiting == []
  assert simulation.pending is not None and simulation.pending.step == 1
  await simulation.submit_turn(call("refund", order_id="8", amount=5.0))
  (request,) = simulation.awaiting
  assert isinstance(request, ConfirmationRequest) and request.args["order_id"] == "8"
  await simulation.answer_confirmation(request.call_id, confirmed=True)
  assert (await simulation.stored_session()).state["refunds"] == ["8"]

  # Undoing the user's answer brings the question back, and the refund it made goes.
  answer_entry = next(e for e in simulation.history.entries if isinstance(e, ConfirmationAnswer))
  plan = await simulation.undo(simulation.undo_plan(answer_entry))
  assert plan.step is None and "refund" in plan.ran
  assert simulation.paused and simulation.phase is Phase.ACTIVE
  # The kept calls are copies with ids of their own (see runtime/undo.py).
  (again,) = simulation.awaiting
  assert isinstance(again, ConfirmationRequest) and again.args == request.args
  # ADK's rewind sets a key the undone turn added to null.
  assert (await simulation.stored_session()).state.get("refunds") is None
  await simulation.answer_confirmation(again.call_id, confirmed=False)
  assert simulation.pending is not None
  await simulation.submit_turn(answer("Not refunded."))
  history = await stored_history(simulation)
  assert [e.confirmed for e in history.entries if isinstance(e, ConfirmationAnswer)] == [False]
  assert history.entries == simulation.history.entries


async def test_undo_of_a_delivered_long_running_result(tmp_path):
  simulation, _ = await started(workspace(tmp_path, FIXTURES / "approvals_agent"))
  await simulation.submit_query("Reimburse 40")
  await simulation.submit_turn(call("ask_manager", amount=40.0))
  await simulation.submit_turn(answer("Asked."))
  # Undoing the answer after a long-running call's interim result asks for it again.
  await simulation.undo()
  assert simulation.pending is not None and simulation.pending.step == 2
  assert [e.tool_name for e in simulation.awaiting] == ["ask_manager"]  # type: ignore[union-attr]
  await simulation.submit_turn(answer("Asked the manager."))
  (waiting,) = simulation.awaiting
  await simulation.deliver_result(waiting.call_id, {"status": "approved"})
  await simulation.submit_turn(answer("Approved."))
  delivered = next(e for e in simulation.history.entries if isinstance(e, DeliveredResult))

  await simulation.undo(simulation.undo_plan(delivered))

  assert simulation.phase is Phase.COMPLETED
  (again,) = simulation.awaiting
  assert isinstance(again, ToolCall) and (again.tool_name, again.args) == (
    "ask_manager",
    waiting.args,
  )
  history = await stored_history(simulation)
  assert [e.kind for e in history.entries][-1] == "final_response"
  assert not any(isinstance(e, DeliveredResult) for e in history.entries)
  await simulation.deliver_result(again.call_id, {"status": "refused"})
  await simulation.submit_turn(answer("Refused."))
  delivered = [e for e in simulation.history.entries if isinstance(e, DeliveredResult)]
  assert [e.output for e in delivered] == [{"status": "refused"}]


async def test_undo_on_a_resumed_session(tmp_path):
  ws = workspace(tmp_path, REPO / "agents" / "math_agent")
  first, agent = await started(ws)
  await first.submit_query("3*3?")
  await first.submit_turn(call("multiply", a=3, b=4))
  await first.abandon()  # the app went away with the person asked again

  resumed = ws.new_simulation()
  await resumed.open_session(agent, await first.stored_session())
  assert resumed.pending is not None and resumed.pending.step == 2
  await resumed.undo()
  assert resumed.pending is not None and resumed.pending.step == 1
  await resumed.submit_turn(call("multiply", a=3, b=3))
  await resumed.submit_turn(answer("9"))
  assert calls((await stored_history(resumed)).entries) == [("multiply", {"a": 3, "b": 3})]


async def test_undo_keeps_an_agent_tool_inner_run_with_its_call(tmp_path):
  simulation, _ = await started(workspace(tmp_path, FIXTURES / "concierge_agent"))
  # The agent's callbacks count model calls in state; the first turn makes the
  # counters, so no undo below goes back before they exist (see the README:
  # a key an undo takes back before its creation reads null).
  await simulation.submit_query("A table for two?")
  await simulation.submit_turn(call("book_table", restaurant="Chez B", people=2))
  await simulation.submit_turn(answer("Booked."))
  simulation.continue_conversation()
  await simulation.submit_query("Weather in Paris, then a table")
  await simulation.submit_turn(call("weather_agent", request="Paris"))
  assert simulation.pending is not None and simulation.pending.within_call is not None
  await simulation.submit_turn(call("forecast", city="Paris"))
  await simulation.submit_turn(answer("20 degrees."))
  await simulation.submit_turn(call("book_table", restaurant="Chez A", people=2))

  await simulation.undo()  # the table goes, the weather call and its inner run stay

  (run,) = [e for e in (await stored_history(simulation)).entries if isinstance(e, InnerRun)]
  assert calls(run.entries) == [("forecast", {"city": "Paris"})]
  assert [e.text for e in run.entries if isinstance(e, FinalResponse)] == ["20 degrees."]
  assert simulation.history.entries == (await stored_history(simulation)).entries
  assert simulation.pending is not None and simulation.pending.within_call is None

  # Asked inside the AgentTool's run, undo takes back the AgentTool call itself.
  await simulation.undo(simulation.undo_plan(run))
  await simulation.submit_turn(call("weather_agent", request="Rome"))
  assert simulation.pending is not None and simulation.pending.within_call is not None
  plan = await simulation.undo()
  assert calls(plan.entries) == [("weather_agent", {"request": "Rome"})]
  assert simulation.pending is not None and simulation.pending.within_call is None
  history = await stored_history(simulation)
  assert [e.kind for e in history.entries] == [
    "user_query",
    "tool_call",
    "tool_output",
    "final_response",
    "user_query",
  ]
  assert history.entries == simulation.history.entries


async def test_nothing_to_undo_and_busy_runs_are_refused(tmp_path):
  simulation, _ = await started(workspace(tmp_path, FIXTURES / "unruly_agent"))
  with pytest.raises(UndoError, match="has not started"):
    simulation.undo_plan()
  await simulation.submit_query("go")
  with pytest.raises(UndoError, match="nothing to undo yet"):
    simulation.undo_plan()
  turn = asyncio.create_task(simulation.submit_turn(call("hangs")))
  while not simulation.running_tools:
    await asyncio.sleep(0.01)
  with pytest.raises(UndoError, match="tools are running"):
    await simulation.undo()
  simulation.cancel_tools()
  await turn
  await simulation.undo()
  assert simulation.pending is not None and simulation.pending.step == 1


async def test_undo_of_a_structured_answer_takes_back_its_set_model_response_call(tmp_path):
  simulation, _ = await started(workspace(tmp_path, REPO / "agents" / "quote_agent"))
  await simulation.submit_query(
    {"origin": "Lyon", "destination": "Lisbon", "nights": 1, "travellers": 1}
  )
  await simulation.submit_turn(call("nightly_rate", city="Lisbon"))
  quote = {"total": 110.0, "currency": "EUR", "line_items": []}
  await simulation.submit_turn(answer(payload=quote))
  assert simulation.phase is Phase.COMPLETED
  assert (await simulation.stored_session()).state["quote"]["total"] == 110.0
  final = simulation.history.entries[-1]
  assert isinstance(final, FinalResponse)

  for plan in (simulation.undo_plan(), simulation.undo_plan(final)):
    assert plan.step == 2 and plan.entries[0].kind == "tool_call"
  await simulation.undo()

  assert simulation.phase is Phase.ACTIVE
  assert simulation.pending is not None and simulation.pending.step == 2
  assert (await simulation.stored_session()).state.get("quote") is None
  await simulation.submit_turn(answer(payload={**quote, "total": 120.0}))
  history = await stored_history(simulation)
  answers = [e.payload for e in history.entries if isinstance(e, FinalResponse)]
  assert answers == [{**quote, "total": 120.0}]


@pytest.mark.parametrize("back_to", ["answer", "transfer"])
async def test_undo_after_a_transfer_asks_the_agent_that_had_the_turn(tmp_path, back_to):
  simulation, _ = await started(workspace(tmp_path, FIXTURES / "desk_agent"))
  await simulation.submit_query("Where is my refund for order 7?")
  await simulation.submit_turn(call("transfer_to_agent", agent_name="billing"))
  await simulation.submit_turn(call("refund_status", order_id="7"))
  await simulation.submit_turn(answer("Sent."))

  if back_to == "answer":
    await simulation.undo()
    assert simulation.pending is not None
    assert (simulation.pending.agent_name, simulation.pending.step) == ("billing", 3)
  else:
    transfer = next(e for e in simulation.history.entries if isinstance(e, ToolCall))
    await simulation.undo(simulation.undo_plan(transfer))
    assert simulation.pending is not None
    assert (simulation.pending.agent_name, simulation.pending.step) == ("front_desk", 1)
    await simulation.submit_turn(call("transfer_to_agent", agent_name="billing"))
    await simulation.submit_turn(call("refund_status", order_id="7"))
  await simulation.submit_turn(answer("Your refund was sent."))
  history = await stored_history(simulation)
  assert [(e.author, e.text) for e in history.entries if isinstance(e, FinalResponse)] == [
    ("billing", "Your refund was sent.")
  ]


async def test_a_plan_for_a_turn_already_undone_is_refused_and_nothing_changes(tmp_path):
  simulation, _ = await started(workspace(tmp_path, REPO / "agents" / "math_agent"))
  await simulation.submit_query("1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  stale = simulation.undo_plan()
  await simulation.undo(stale)
  pending = simulation.pending
  with pytest.raises(UndoError, match="not in the session any more"):
    await simulation.undo(stale)
  assert simulation.pending is pending and simulation.phase is Phase.ACTIVE


async def test_undo_while_the_next_user_message_is_awaited_takes_back_the_answer(tmp_path):
  simulation, _ = await started(workspace(tmp_path, REPO / "agents" / "math_agent"))
  await simulation.submit_query("1+1?")
  await simulation.submit_turn(call("add", a=1, b=1))
  await simulation.submit_turn(answer("3"))
  await simulation.export()
  simulation.continue_conversation()
  assert simulation.phase is Phase.AWAITING_QUERY and not simulation.has_unexported_work

  plan = await simulation.undo()

  assert plan.step == 2 and plan.ran == []
  assert simulation.phase is Phase.ACTIVE
  assert simulation.pending is not None and simulation.pending.step == 2
  assert simulation.has_unexported_work  # what was exported is no longer the session
  await simulation.submit_turn(answer("2"))
  assert simulation.phase is Phase.COMPLETED
  history = await stored_history(simulation)
  assert [e.text for e in history.entries if isinstance(e, FinalResponse)] == ["2"]
