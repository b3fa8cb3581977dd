"""A call holds the arguments the person set: untouched defaults stay out, on the real runtime."""

from __future__ import annotations

import json

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.schema.forms import default_value
from adk_simulator.engine.schema.forms import form_from_schema
from adk_simulator.engine.schema.forms import initial_values
from adk_simulator.engine.schema.forms import values_to_args


async def test_untouched_defaults_are_not_sent_and_a_filled_in_default_is(make_workspace):
  workspace = make_workspace("helpdesk_agent")
  agent = workspace.load_agent(workspace.agents[0])
  assert isinstance(agent, LoadedAgent), agent
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("Any refund tickets?")
  assert simulation.pending is not None
  spec = simulation.pending.tool("search_tickets")
  assert spec is not None
  fields = form_from_schema(spec.parameters)
  limit = next(f for f in fields if f.name == "limit")
  assert (limit.has_default, limit.default) == (True, 10)

  values = initial_values(fields)
  assert values["limit"] == ""  # the default is a hint, not a value
  values["query"] = "refund"
  as_set, errors = values_to_args(fields, values)
  assert errors == [] and as_set == {"query": "refund"}
  values["limit"] = default_value(limit)
  explicit, errors = values_to_args(fields, values)
  assert errors == [] and explicit == {"query": "refund", "limit": 10}

  for args in (as_set, explicit):
    turn = ToolCallsTurn(calls=[CallRequest(tool="search_tickets", args=args)])
    await simulation.submit_turn(turn)
  await simulation.submit_turn(answer("Two calls, the same tickets."))

  history = read_events((await simulation.stored_session()).events)
  calls = [e.args for e in history.entries if isinstance(e, ToolCall)]
  assert calls == [{"query": "refund"}, {"query": "refund", "limit": 10}]
  # The tool applied its own default to the call that left it out.
  first, second = [e.output for e in history.entries if isinstance(e, ToolOutput)]
  assert first == second and first["count"] >= 1

  result = await simulation.export()
  (case,) = json.loads(result.path.read_text())["eval_cases"]
  (turn,) = case["conversation"]
  assert [u["args"] for u in turn["intermediate_data"]["tool_uses"]] == calls
