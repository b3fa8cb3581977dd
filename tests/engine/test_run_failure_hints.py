"""A run that fails on something the person can fix says how: a `{key}` the
instruction reads from state that the session does not hold, or a missing
`{artifact.name}`. ADK raises these before the first model call."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import run
from cli_helpers import write_script

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.runtime.failures import failure_hint
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]

ARTIFACT_AGENT = """
from google.adk.agents import Agent

root_agent = Agent(
  name="reader_agent",
  model="gemini-2.5-flash",
  instruction="Answer from these notes: {artifact.notes.txt}",
)
"""


async def _failed_run(tmp_path: Path, agent: str, state: dict[str, object]) -> Simulation:
  config = SimulatorConfig(
    agents=[
      SimulatedAgentConfig(
        name="Agent",
        agent=agent,
        eval_set_path=tmp_path / "a.evalset.json",
        initial_state=state,
      )
    ],
    session_service_uri=f"sqlite:///{(tmp_path / 's.db').as_posix()}",
    base_dir=tmp_path,
  )
  workspace = Workspace(config)
  simulation = workspace.new_simulation()
  await simulation.select_agent(workspace.load_agent(config.agents[0]))  # type: ignore[arg-type]
  await simulation.submit_query("Hello")
  assert simulation.phase is Phase.COMPLETED
  return simulation


async def test_a_state_key_the_instruction_reads_is_named_with_the_way_to_give_it(
  tmp_path: Path,
) -> None:
  # The bundled helpdesk agent's instruction reads {desk_name}.
  simulation = await _failed_run(tmp_path, str(REPO_ROOT / "agents" / "helpdesk_agent"), {"x": 1})
  error = simulation.run_error
  assert error is not None and error.error_type == "KeyError"
  assert "helpdesk_agent reads {desk_name} from the session state" in error.hint
  assert "initial_state" in error.hint and "{desk_name?}" in error.hint
  assert error.described.startswith("KeyError: ") and error.described.endswith(error.hint)


async def test_a_missing_artifact_is_named(tmp_path: Path) -> None:
  folder = tmp_path / "reader_agent"
  folder.mkdir()
  (folder / "__init__.py").write_text("from . import agent\n", encoding="utf-8")
  (folder / "agent.py").write_text(ARTIFACT_AGENT, encoding="utf-8")
  simulation = await _failed_run(tmp_path, str(folder), {})
  error = simulation.run_error
  assert error is not None
  assert "reads {artifact.notes.txt}, and this session has no artifact 'notes.txt'" in error.hint


def test_other_failures_get_no_hint() -> None:
  assert failure_hint(KeyError("desk_name")) == ""
  assert failure_hint(ValueError("Context variable not found: `a` in agent 'b'.")) == ""
  assert failure_hint(KeyError(3)) == ""


def test_play_prints_the_hint(tmp_path: Path) -> None:
  agent = (REPO_ROOT / "agents" / "helpdesk_agent").as_posix()
  (tmp_path / "adk-simulator.toml").write_text(
    f'session_service_uri = "sqlite:///sessions.db"\n\n[[agents]]\nname = "Desk"\n'
    f'agent = "{agent}"\n',
    encoding="utf-8",
  )
  script = write_script(tmp_path, {"steps": [{"user": "Hello"}, {"respond": "Hi"}]})
  code, _, err = run(tmp_path, "play", str(script))
  assert code == 1, err
  assert "reads {desk_name} from the session state" in err and "initial_state" in err
  assert "add a 'respond' step" not in err  # the failed run, not the script, is at fault
