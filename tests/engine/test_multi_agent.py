"""A multi-agent flow: the person plays each agent the runtime asks."""

from __future__ import annotations

from pathlib import Path

from google.adk.evaluation.eval_set import EvalSet

from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agents"


async def test_transfer_to_a_sub_agent_and_export_the_trajectory(tmp_path: Path):
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name="Desk", agent=str(FIXTURES / "desk_agent"), eval_set_path=tmp_path / "d.evalset.json"
      )
    ],
    session_service_uri="memory://",
    base_dir=tmp_path,
  )
  workspace = Workspace(config)
  loaded = workspace.load_agent(config.agents[0])
  assert isinstance(loaded, LoadedAgent)
  simulation = workspace.new_simulation()
  await simulation.select_agent(loaded)
  await simulation.submit_query("Where is my refund for order 7?")
  request = simulation.pending
  assert request is not None and request.agent_name == "front_desk"
  # The runtime, not the agent's tool list, offers the transfer.
  assert request.tool("transfer_to_agent") is not None
  await simulation.submit_turn(call("transfer_to_agent", agent_name="billing"))
  request = simulation.pending
  assert request is not None and request.agent_name == "billing"
  assert "You handle billing." in request.system_instruction
  await simulation.submit_turn(call("refund_status", order_id="7"))
  await simulation.submit_turn(answer("Your refund for order 7 was sent."))
  assert simulation.phase is Phase.COMPLETED
  authors = [e.author for e in simulation.history.entries if e.kind == "final_response"]
  assert authors == ["billing"]
  result = await simulation.export()
  case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[0]
  uses = case.conversation[0].intermediate_data.tool_uses  # type: ignore[union-attr]
  assert [u.name for u in uses] == ["transfer_to_agent", "refund_status"]
