"""The user's side of paused calls: confirmations and long-running results, on the real runtime.

The fixture agent `approvals_agent` has a tool that always needs approval
(`refund`, `require_confirmation=True`), one that asks for it with a proposed
payload (`book_room`, `tool_context.request_confirmation`), and a long-running
one (`ask_manager`) whose result the client delivers later.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from fixture_agents import fixture_workspace
from google.adk.tools import ToolContext

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.export.golden_trace import trace_warnings
from adk_simulator.engine.moves.play import Confirm
from adk_simulator.engine.moves.play import DeliverResult
from adk_simulator.engine.moves.play import MoveError
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.moves.script import ScriptError
from adk_simulator.engine.moves.script import ScriptPlayer
from adk_simulator.engine.moves.script import parse_script
from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.record.summary import session_status
from adk_simulator.engine.replay.replayer import replay_session
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace


async def started(tmp_path: Path, *moves: Any) -> tuple[Workspace, LoadedAgent, Simulation]:
  workspace, agent = fixture_workspace(tmp_path, "Approvals", "approvals_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await play(simulation, list(moves))
  return workspace, agent, simulation


REFUND = [UserMessage(message="Refund order 7."), call("refund", order_id="7", amount=12.5)]
BOOKING = [UserMessage(message="Book room 12."), call("book_room", room="12")]
REIMBURSEMENT = [
  UserMessage(message="Reimburse 200."),
  call("ask_manager", amount=200.0),
  answer("I asked the manager."),
]


async def test_a_call_needing_confirmation_pauses_the_session_and_runs_only_on_approval(
  tmp_path: Path,
):
  _, _, simulation = await started(tmp_path, *REFUND)
  # The session waits for the user: ACTIVE, never COMPLETED, no model call asked.
  assert simulation.phase is Phase.ACTIVE and simulation.paused
  assert simulation.pending is None
  (request,) = simulation.awaiting
  assert isinstance(request, ConfirmationRequest)
  assert (request.tool_name, request.args) == ("refund", {"order_id": "7", "amount": 12.5})
  assert request.hint
  stored = await simulation.stored_session()
  assert "refunds" not in stored.state  # the tool has not run
  assert session_status(stored.events) == "waiting"
  # The request is not a call the model made.
  entries = simulation.history.entries
  assert [e.tool_name for e in entries if isinstance(e, ToolCall)] == ["refund"]
  placeholder = next(e for e in entries if isinstance(e, ToolOutput))
  assert placeholder.awaiting_confirmation

  await play(simulation, [Confirm(confirmed=True)])
  assert simulation.pending is not None and simulation.pending.step == 2
  await play(simulation, [answer("Refunded.")])
  assert simulation.phase is Phase.COMPLETED
  stored = await simulation.stored_session()
  assert stored.state["refunds"] == ["7"]
  kinds = [e.kind for e in read_events(stored.events).entries]
  # ADK stamps the placeholder output before it yields the request: stored in
  # time order, the two may come either way round.
  assert kinds[:2] == ["user_query", "tool_call"]
  assert sorted(kinds[2:4]) == ["confirmation_request", "tool_output"]
  assert kinds[4:] == ["confirmation_answer", "tool_output", "final_response"]
  outputs = [e for e in read_events(stored.events).entries if isinstance(e, ToolOutput)]
  assert outputs[-1].output == {"status": "refunded", "order_id": "7", "amount": 12.5}


async def test_a_rejected_call_does_not_run_and_the_model_sees_the_rejection(tmp_path: Path):
  _, _, simulation = await started(tmp_path, *REFUND, Confirm(confirmed=False))
  request = simulation.pending
  assert request is not None
  last = request.contents[-1]["parts"][0]["function_response"]
  assert last["name"] == "refund" and "rejected" in str(last["response"])
  await play(simulation, [answer("The refund was not approved.")])
  stored = await simulation.stored_session()
  assert "refunds" not in stored.state
  (reply,) = [e for e in read_events(stored.events).entries if isinstance(e, ConfirmationAnswer)]
  assert reply.confirmed is False and reply.payload is None


async def test_approval_with_a_payload_reaches_the_tool(tmp_path: Path):
  _, _, simulation = await started(tmp_path, *BOOKING)
  # This tool asks and answers at once, so the model is asked before the user is.
  assert simulation.pending is not None
  await play(simulation, [answer("Please confirm the booking.")])
  assert simulation.phase is Phase.ACTIVE and simulation.paused
  (request,) = simulation.awaiting
  assert isinstance(request, ConfirmationRequest)
  assert request.payload == {"nights": 1} and "nights" in request.hint
  await play(simulation, [Confirm(confirmed=True, payload={"nights": 3}), answer("Booked.")])
  stored = await simulation.stored_session()
  assert stored.state["booked"] == {"room": "12", "nights": 3}
  (reply,) = [e for e in read_events(stored.events).entries if isinstance(e, ConfirmationAnswer)]
  assert reply.payload == {"nights": 3}


async def test_a_long_running_result_delivered_later_resumes_the_model(tmp_path: Path):
  _, _, simulation = await started(tmp_path, *REIMBURSEMENT)
  # The agent answered; the result is still due, so it stays pending.
  assert simulation.phase is Phase.COMPLETED and not simulation.paused
  (pending,) = simulation.awaiting
  assert isinstance(pending, ToolCall) and pending.long_running
  await play(
    simulation,
    [DeliverResult(tool="ask_manager", response={"status": "approved", "ticket": "T-200"})],
  )
  request = simulation.pending
  assert request is not None
  # ADK leaves its own call ids out of what the model sees.
  assert request.contents[-1]["parts"][0]["function_response"] == {
    "name": "ask_manager",
    "response": {"status": "approved", "ticket": "T-200"},
  }
  await play(simulation, [call("reimburse", amount=200.0, ticket="T-200"), answer("Paid.")])
  assert simulation.phase is Phase.COMPLETED and simulation.awaiting == []
  entries = simulation.history.entries
  delivered = [e for e in entries if isinstance(e, DeliveredResult)]
  assert [(d.call_id, d.output) for d in delivered] == [
    (pending.call_id, {"status": "approved", "ticket": "T-200"})
  ]


async def test_a_waiting_session_reopens_waiting_and_goes_on(tmp_path: Path):
  workspace, agent, simulation = await started(tmp_path, *REFUND)
  stored = await simulation.stored_session()
  reopened = workspace.new_simulation()
  await reopened.open_session(agent, stored)
  assert reopened.phase is Phase.ACTIVE and reopened.paused
  await play(reopened, [Confirm(confirmed=True), answer("Refunded.")])
  assert reopened.phase is Phase.COMPLETED
  assert reopened.history.last_step == 2
  assert (await reopened.stored_session()).state["refunds"] == ["7"]


async def test_answers_that_do_not_fit_are_refused_before_anything_is_sent(tmp_path: Path):
  _, _, simulation = await started(tmp_path, *REFUND)
  (request,) = simulation.awaiting
  events = len(simulation.events)
  with pytest.raises(TurnValidationError, match="no confirmation request 'nope' waits"):
    await simulation.answer_confirmation("nope", confirmed=True)
  with pytest.raises(TurnValidationError, match="not JSON"):
    await simulation.answer_confirmation(request.call_id, confirmed=True, payload={"n": math.nan})
  with pytest.raises(TurnValidationError, match="no long-running call"):
    await simulation.deliver_result(request.call_id, {"status": "done"})
  with pytest.raises(MoveError, match="waits for the user to approve or reject refund"):
    await play(simulation, [answer("Done.")])
  with pytest.raises(MoveError, match="no long-running call of ask_manager fits"):
    await play(simulation, [DeliverResult(tool="ask_manager", response={})])
  assert len(simulation.events) == events and simulation.paused


async def test_scripts_answer_confirmations_and_deliver_results(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Approvals", "approvals_agent")
  script = parse_script(
    {
      "steps": [
        {"user": "Refund order 7."},
        {"call": "refund", "args": {"order_id": "7", "amount": 12.5}},
        {"confirm": True},
        {"respond": "Refunded."},
        {"user": "Book room 12."},
        {"call": "book_room", "args": {"room": "12"}},
        {"respond": "Please confirm."},
        {"confirm": True, "payload": {"nights": 2}},
        {"respond": "Booked."},
        {"user": "Refund order 8."},
        {"call": "refund", "args": {"order_id": "8", "amount": 3}},
        {"confirm": False},
        {"respond": "Not refunded."},
        {"user": "Reimburse 200."},
        {"call": "ask_manager", "args": {"amount": 200}},
        {"respond": "Asked."},
        {"tool_result": "ask_manager", "response": {"status": "approved"}},
        {"respond": "Approved."},
      ]
    }
  )
  lines: list[str] = []
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await ScriptPlayer(simulation, script, echo=lines.append).play()
  assert simulation.phase is Phase.COMPLETED
  state = (await simulation.stored_session()).state
  assert state["refunds"] == ["7"] and state["booked"] == {"room": "12", "nights": 2}
  assert "user      approved" in lines
  assert 'user      approved with payload {"nights": 2}' in lines
  assert "user      rejected" in lines
  assert 'result    ask_manager → {"status": "approved"}  (delivered by the user)' in lines
  assert any(line.startswith("confirm?  refund(") for line in lines)


@pytest.mark.parametrize(
  ("steps", "expected"),
  [
    ([{"user": "Hi"}, {"confirm": True}], r"step 2 \(confirm\): no confirmation request fits"),
    (
      [{"user": "Refund 7"}, {"call": "refund", "args": {"order_id": "7", "amount": 1}}],
      "the script ends while the session waits for the user to approve or reject refund",
    ),
    (
      [
        {"user": "Refund 7"},
        {"call": "refund", "args": {"order_id": "7", "amount": 1}},
        {"respond": "Done"},
      ],
      r"step 3 \(respond\): the session waits for the user to approve or reject refund",
    ),
  ],
)
async def test_script_steps_that_do_not_fit_name_the_step(
  tmp_path: Path, steps: list[dict[str, Any]], expected: str
):
  workspace, agent = fixture_workspace(tmp_path, "Approvals", "approvals_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  player = ScriptPlayer(simulation, parse_script({"steps": steps}), echo=lambda _: None)
  with pytest.raises(ScriptError, match=expected):
    await player.play()


def test_script_steps_are_checked_as_written():
  with pytest.raises(ScriptError, match=r"step 2 \(confirm\): confirm: Input should be a valid"):
    parse_script({"steps": [{"user": "Hi"}, {"confirm": "yes please"}]})
  with pytest.raises(ScriptError, match=r"step 2 \(tool_result\): response: Field required"):
    parse_script({"steps": [{"user": "Hi"}, {"tool_result": "ask_manager"}]})
  with pytest.raises(ScriptError, match="exactly one of user, call, calls, respond, confirm"):
    parse_script({"steps": [{"user": "Hi"}, {"confirm": True, "respond": "x"}]})


async def test_replay_re_sends_confirmations_and_results_and_compares(tmp_path: Path):
  workspace, agent, simulation = await started(
    tmp_path,
    *REFUND,
    Confirm(confirmed=True),
    answer("Refunded."),
    *BOOKING,
    answer("Please confirm."),
    Confirm(confirmed=True, payload={"nights": 3}),
    answer("Booked."),
    *REIMBURSEMENT,
    DeliverResult(tool="ask_manager", response={"status": "approved", "ticket": "T-200"}),
    call("reimburse", amount=200.0, ticket="T-200"),
    answer("Paid."),
  )
  stored = await simulation.stored_session()
  report = await replay_session(workspace.new_simulation(), agent, stored)
  assert report.error is None, report.error
  assert report.outcome == "identical"
  assert [(s.tool_name, s.outcome) for s in report.steps] == [
    ("refund", "identical"),
    ("book_room", "identical"),
    ("ask_manager", "identical"),
    ("reimburse", "identical"),
  ]
  replayed = await workspace.session_service.get_session(
    app_name=agent.app_name, user_id=stored.user_id, session_id=report.replay_session_id or ""
  )
  assert replayed is not None
  assert (
    replayed.state
    == stored.state
    == {
      "refunds": ["7"],
      "booked": {"room": "12", "nights": 3},
    }
  )


async def test_replay_catches_a_tool_that_now_runs_differently_after_approval(
  tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
  workspace, agent, simulation = await started(
    tmp_path, *BOOKING, answer("Confirm?"), Confirm(confirmed=True, payload={"nights": 3})
  )
  await play(simulation, [answer("Booked.")])
  stored = await simulation.stored_session()

  def book_room(room: str, tool_context: ToolContext) -> dict[str, Any]:
    """Books a room for one night more than the guest asked."""
    confirmation = tool_context.tool_confirmation
    if confirmation is None:
      tool_context.request_confirmation(hint="Book?", payload={"nights": 1})
      return {"status": "waiting for the guest"}
    nights = (confirmation.payload or {}).get("nights", 1) + 1
    return {"status": "booked", "room": room, "nights": nights}

  tools = [
    book_room if getattr(t, "__name__", "") == "book_room" else t for t in agent.root_agent.tools
  ]
  monkeypatch.setattr(agent.root_agent, "tools", tools)
  report = await replay_session(workspace.new_simulation(), agent, stored)
  assert report.outcome == "differs"
  (step,) = report.differing
  assert step.tool_name == "book_room" and step.diff == ["$.nights: 3 → 4"]


async def test_export_warns_precisely_why_adk_eval_cannot_send_the_answers(tmp_path: Path):
  _, _, simulation = await started(
    tmp_path,
    *REFUND,
    Confirm(confirmed=True),
    answer("Refunded."),
    *REIMBURSEMENT,
    DeliverResult(tool="ask_manager", response={"status": "approved"}),
    answer("Approved."),
  )
  stored = await simulation.stored_session()
  warnings = trace_warnings(stored)
  assert len(warnings) == 2, warnings
  assert warnings[0].startswith("Turn 2 answers confirmation request")
  assert warnings[1].startswith("Turn 4 delivers the result of long-running `ask_manager`")
  for warning in warnings:
    assert "Function call not found for function response ids" in warning
  result = await simulation.export()
  assert result.warnings == warnings


def test_scripts_refuse_numbers_json_lacks_naming_the_step_and_field():
  with pytest.raises(ScriptError, match=r"step 2 \(call\): args.b: NaN and Infinity"):
    parse_script({"steps": [{"user": "Hi"}, {"call": "add", "args": {"a": 1, "b": math.nan}}]})
  with pytest.raises(ScriptError, match=r"step 2 \(calls\): calls\[0\].args.a: NaN"):
    parse_script({"steps": [{"user": "Hi"}, {"calls": [{"call": "add", "args": {"a": math.inf}}]}]})
  with pytest.raises(ScriptError, match=r"step 3 \(tool_result\): response.x: NaN"):
    parse_script(
      {
        "steps": [
          {"user": "Hi"},
          {"respond": "ok"},
          {"tool_result": "t", "response": {"x": -math.inf}},
        ]
      }
    )
