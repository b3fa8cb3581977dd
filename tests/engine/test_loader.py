"""Tests for adk_simulator.engine.agents.loader: real agent folders, modules and objects."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.adk.agents import Agent
from google.adk.agents import LlmAgent
from google.adk.apps.app import App
from pydantic import BaseModel

from adk_simulator.engine.agents.loader import AgentLoadError
from adk_simulator.engine.agents.loader import AgentLoadFailure
from adk_simulator.engine.agents.loader import LoadedAgent
from adk_simulator.engine.agents.loader import count_eval_cases
from adk_simulator.engine.agents.loader import load_agent_sync
from adk_simulator.engine.agents.loader import load_agents
from adk_simulator.engine.config.files import config_from_agents_dir
from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.config.model import SimulatedAgentConfig

BUNDLED_MATH_AGENT = Path(__file__).resolve().parents[2] / "agents" / "math_agent"

SHOP_AGENT = """\
from google.adk.agents import Agent
from google.adk.agents import LlmAgent
from google.adk.apps.app import App
from google.adk.plugins.base_plugin import BasePlugin
from google.adk.tools.base_toolset import BaseToolset


class Catalog(BaseToolset):
  async def get_tools(self, readonly_context=None):
    return []


def buy(item: str) -> dict:
  \"\"\"Buys an item.\"\"\"
  return {"bought": item}


root_agent = Agent(name="shop_agent", model="gemini-2.5-flash", tools=[buy, Catalog()])
app = App(name="shop_app", root_agent=root_agent, plugins=[BasePlugin(name="audit")])
"""


@pytest.fixture(autouse=True)
def isolated_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
  """Restores sys.path and forgets the agent modules imported from tmp_path."""
  monkeypatch.setattr(sys, "path", list(sys.path))
  yield
  roots = (str(tmp_path), str(tmp_path.resolve()))
  for name, module in list(sys.modules.items()):
    where = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
    if isinstance(where, str) and where.startswith(roots):
      del sys.modules[name]


def write(path: Path, text: str) -> Path:
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(textwrap.dedent(text), encoding="utf-8")
  return path


def copy_math_agent(agents_dir: Path) -> Path:
  target = agents_dir / "math_agent"
  shutil.copytree(BUNDLED_MATH_AGENT, target, ignore=shutil.ignore_patterns("__pycache__"))
  return target


def loaded(result: LoadedAgent | AgentLoadFailure) -> LoadedAgent:
  assert isinstance(result, LoadedAgent), getattr(result, "traceback", result)
  return result


def test_bundled_math_agent_from_a_folder_config(tmp_path: Path) -> None:
  math_folder = copy_math_agent(tmp_path / "agents")
  write(
    tmp_path / "adk-simulator.toml",
    '[[agents]]\nname = "Math"\nagent = "agents/math_agent"\n',
  )
  write(tmp_path / "evalsets" / "math.evalset.json", '{"eval_set_id": "m", "eval_cases": [{}, {}]}')

  (result,) = load_agents(load_config(cwd=tmp_path).agents)

  agent = loaded(result)
  assert agent.name == "Math"
  assert agent.root_agent.name == "math_agent"
  assert agent.app is None
  assert agent.app_name == "math_agent"
  assert agent.description == "Solves arithmetic questions step by step with calculator tools."
  assert (agent.tool_count, agent.toolset_count) == (4, 0)
  assert (agent.input_schema, agent.output_schema) == (None, None)
  assert agent.eval_set_path == tmp_path / "evalsets" / "math.evalset.json"
  assert (agent.eval_case_count, agent.eval_set_error) == (2, None)
  # The tools come from the copy, not from another math_agent imported earlier.
  assert isinstance(agent.root_agent, LlmAgent)
  add = agent.root_agent.tools[0]
  assert Path(add.__code__.co_filename).resolve().parent == math_folder  # pyright: ignore


def test_bundled_math_agent_as_module_attribute(tmp_path: Path) -> None:
  copy_math_agent(tmp_path / "agents")
  config_file = write(
    tmp_path / "agents" / "sim.toml",
    """
    [[agents]]
    name = "Math"
    agent = "math_agent.agent:root_agent"
    description = "Calculator (module form)"
    """,
  )

  agent = load_agent_sync(load_config(config_file, cwd=tmp_path).agents[0])

  assert agent.root_agent.name == "math_agent"
  assert agent.app_name == "math_agent"
  assert agent.description == "Calculator (module form)"
  assert agent.tool_count == 4
  assert agent.eval_case_count is None
  assert sys.path.count(str(tmp_path / "agents")) == 1
  load_agent_sync(load_config(config_file, cwd=tmp_path).agents[0])
  assert sys.path.count(str(tmp_path / "agents")) == 1, "loading again adds no duplicate"


def test_two_folders_with_the_same_name_load_their_own_code(tmp_path: Path) -> None:
  first = copy_math_agent(tmp_path / "one")
  second = copy_math_agent(tmp_path / "two")
  agent_py = second / "agent.py"
  agent_py.write_text(agent_py.read_text().replace("step by step", "in one go"))

  results = [
    loaded(result)
    for result in load_agents(
      [SimulatedAgentConfig("One", first), SimulatedAgentConfig("Two", second)]
    )
  ]

  assert "step by step" in results[0].description
  assert "in one go" in results[1].description


def test_folder_with_an_app_keeps_it_and_its_plugins(tmp_path: Path) -> None:
  write(tmp_path / "agents" / "shop_agent" / "agent.py", SHOP_AGENT)
  write(tmp_path / "agents" / "shop_agent" / "__init__.py", "from . import agent\n")

  (result,) = load_agents(config_from_agents_dir(tmp_path / "agents", cwd=tmp_path).agents)

  agent = loaded(result)
  assert isinstance(agent.app, App)
  assert [plugin.name for plugin in agent.app.plugins] == ["audit"]
  assert agent.root_agent is agent.app.root_agent
  assert agent.app_name == "shop_agent", "the folder name, as adk web and adk eval use it"
  assert (agent.tool_count, agent.toolset_count) == (1, 1), "buy, and a toolset listing none"
  assert agent.eval_set_path == tmp_path / "evalsets" / "shop_agent.evalset.json"


def test_module_attribute_beside_an_app_keeps_the_app(tmp_path: Path) -> None:
  write(tmp_path / "shop_agent" / "agent.py", SHOP_AGENT)
  write(tmp_path / "shop_agent" / "__init__.py", "")

  as_agent = load_agent_sync(
    SimulatedAgentConfig("Shop", "shop_agent.agent:root_agent", base_dir=tmp_path)
  )
  as_app = load_agent_sync(
    SimulatedAgentConfig("Shop app", "shop_agent.agent:app", base_dir=tmp_path)
  )

  assert as_agent.app is not None and as_agent.app is as_app.app
  assert as_agent.root_agent is as_app.root_agent
  assert as_agent.app_name == as_app.app_name == "shop_agent"


class Question(BaseModel):
  text: str
  urgent: bool = False


class Answer(BaseModel):
  value: float


def test_agent_and_app_objects_load_directly() -> None:
  agent = Agent(
    name="schema_agent", model="gemini-2.5-flash", input_schema=Question, output_schema=Answer
  )
  app = App(name="direct_app", root_agent=Agent(name="other", model="gemini-2.5-flash"))

  from_agent = load_agent_sync(SimulatedAgentConfig("Schema Agent", agent))
  from_app = load_agent_sync(SimulatedAgentConfig("Direct", app))

  assert from_agent.root_agent is agent
  assert from_agent.app_name == "schema_agent"
  assert from_agent.input_schema == Question.model_json_schema()
  assert from_agent.output_schema == Answer.model_json_schema()
  assert from_agent.tool_count == 0
  assert from_app.app is app
  assert from_app.app_name == "direct_app"


def test_broken_agent_is_reported_and_others_still_load(tmp_path: Path) -> None:
  agents = tmp_path / "agents"
  copy_math_agent(agents)
  write(agents / "broken_agent" / "__init__.py", "from . import agent\n")
  write(agents / "broken_agent" / "agent.py", 'raise RuntimeError("boom at import")\n')

  results = load_agents(config_from_agents_dir(agents, cwd=tmp_path).agents)

  broken, math = results
  assert isinstance(broken, AgentLoadFailure)
  assert broken.name == "broken_agent"
  assert broken.error.startswith('agent "broken_agent": error while importing the agent folder')
  assert "RuntimeError" in broken.error and "boom at import" in broken.error
  assert "\n" not in broken.error
  assert "boom at import" in broken.traceback
  assert str(agents / "broken_agent" / "agent.py") in broken.traceback
  assert loaded(math).root_agent.name == "math_agent"


def test_missing_module_names_agent_value_and_config_key(tmp_path: Path) -> None:
  write(
    tmp_path / "pyproject.toml",
    '[[tool.adk-simulator.agents]]\nname = "Math"\nagent = "nope_zz:root_agent"\n',
  )

  (failure,) = load_agents(load_config(cwd=tmp_path).agents)

  assert isinstance(failure, AgentLoadFailure)
  assert failure.error.startswith(
    """agent "Math": cannot import module 'nope_zz'"""
    """ (ModuleNotFoundError: No module named 'nope_zz')"""
  )
  assert "tool.adk-simulator.agents[0].agent" in failure.error
  assert str(tmp_path / "pyproject.toml") in failure.error
  assert "ModuleNotFoundError" in failure.traceback


@pytest.mark.parametrize(
  ("agent", "message"),
  [
    (
      "math_agent.agent:nope",
      "module 'math_agent.agent' has no attribute 'nope'. It defines: root_agent.",
    ),
    ("math_agent.agent:add", "'math_agent.agent:add' is a function, not an ADK agent or App."),
    ("missing_folder", "missing_folder does not exist."),
    ("not_an_agent", "no usable root_agent in"),
    ("my-agent", "is not a Python identifier"),
  ],
)
def test_load_errors(tmp_path: Path, agent: str, message: str) -> None:
  copy_math_agent(tmp_path)
  write(tmp_path / "not_an_agent" / "__init__.py", "VALUE = 1\n")
  write(tmp_path / "my-agent" / "agent.py", "root_agent = None\n")

  with pytest.raises(AgentLoadError) as caught:
    load_agent_sync(SimulatedAgentConfig("X", agent, base_dir=tmp_path))

  assert caught.value.args[0].startswith('agent "X": ')
  assert message in str(caught.value)


def test_unreadable_eval_set_is_reported_not_raised(tmp_path: Path) -> None:
  eval_set = write(tmp_path / "bad.evalset.json", "{not json")
  agent = Agent(name="a", model="gemini-2.5-flash")

  result = load_agent_sync(SimulatedAgentConfig("A", agent, eval_set))

  assert result.eval_case_count is None
  assert (
    result.eval_set_error
    == f"{eval_set}: not valid JSON (line 1: Expecting property name enclosed in double quotes)"
  )


def test_count_eval_cases(tmp_path: Path) -> None:
  assert count_eval_cases(tmp_path / "absent.evalset.json") is None
  snake = write(tmp_path / "a.json", json.dumps({"eval_set_id": "a", "eval_cases": [{}, {}, {}]}))
  camel = write(tmp_path / "b.json", json.dumps({"evalSetId": "b", "evalCases": []}))
  assert (count_eval_cases(snake), count_eval_cases(camel)) == (3, 0)
  with pytest.raises(ValueError, match="not an ADK eval set"):
    count_eval_cases(write(tmp_path / "c.json", "[1, 2]"))
  with pytest.raises(ValueError, match="not valid JSON"):
    count_eval_cases(write(tmp_path / "d.json", ""))


def test_agent_code_calling_sys_exit_is_a_failure_not_an_exit(tmp_path: Path) -> None:
  write(tmp_path / "exiting_agent" / "agent.py", "import sys\nsys.exit(3)\n")

  (failure,) = load_agents([SimulatedAgentConfig("Exit", tmp_path / "exiting_agent")])

  assert isinstance(failure, AgentLoadFailure)
  assert failure.error.startswith('agent "Exit": cannot load')
  assert "SystemExit: 3" in failure.error


def test_installed_modules_are_never_dropped(tmp_path: Path) -> None:
  stdlib_json = sys.modules["json"]
  write(tmp_path / "json" / "__init__.py", "root_agent = None\n")

  with pytest.raises(AgentLoadError, match="module 'json' has no attribute 'root_agent'"):
    load_agent_sync(SimulatedAgentConfig("J", "json:root_agent", base_dir=tmp_path))

  assert sys.modules["json"] is stdlib_json
