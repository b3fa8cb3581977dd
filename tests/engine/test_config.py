"""Tests for adk_simulator.engine.config.model: every source, default and error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from adk_simulator.engine.config.files import config_from_agents_dir
from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.config.model import ConfigError
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.config.model import snake_case

PYPROJECT_HEAD = '[project]\nname = "demo"\nversion = "0.1.0"\n\n'


def write(path: Path, text: str) -> Path:
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(textwrap.dedent(text), encoding="utf-8")
  return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
  folder = tmp_path / "project"
  folder.mkdir()
  return folder


def load_error(project: Path, text: str, file: str = "pyproject.toml") -> str:
  write(project / file, text)
  with pytest.raises(ConfigError) as caught:
    load_config(cwd=project)
  return str(caught.value)


# --- Sources ------------------------------------------------------------------


def test_pyproject_table_with_defaults(project: Path) -> None:
  write(
    project / "pyproject.toml",
    PYPROJECT_HEAD
    + """
    [[tool.adk-simulator.agents]]
    name = "Math Agent"
    agent = "agents/math_agent"
    """,
  )

  config = load_config(cwd=project)

  assert config.source == project / "pyproject.toml"
  assert config.base_dir == project
  (agent,) = config.agents
  assert agent.name == "Math Agent"
  assert agent.agent == project / "agents" / "math_agent"
  assert agent.eval_set_path == project / "evalsets" / "math_agent.evalset.json"
  assert agent.initial_state == {}
  assert agent.user_id == "user"
  assert agent.description is None
  assert agent.source_key == "tool.adk-simulator.agents[0]"
  db = project / ".adk-simulator" / "sessions.db"
  assert config.session_service_uri == f"sqlite:///{db.as_posix()}"
  assert not db.parent.exists(), "the sessions folder is made on demand, not at parse time"


def test_adk_simulator_toml_when_pyproject_has_no_table(project: Path) -> None:
  write(project / "pyproject.toml", PYPROJECT_HEAD)
  write(
    project / "adk-simulator.toml",
    """
    session_service_uri = "memory://"

    [[agents]]
    name = "Shop"
    agent = "shop.agent:root_agent"
    eval_set = "traces/shop.evalset.json"
    initial_state = { tier = "gold", cart = [1, 2] }
    user_id = "alice"
    description = "A shop assistant"
    """,
  )

  config = load_config(cwd=project)

  assert config.source == project / "adk-simulator.toml"
  assert config.session_service_uri == "memory://"
  (agent,) = config.agents
  assert agent.agent == "shop.agent:root_agent"
  assert agent.base_dir == project
  assert agent.eval_set_path == project / "traces" / "shop.evalset.json"
  assert agent.initial_state == {"tier": "gold", "cart": [1, 2]}
  assert agent.user_id == "alice"
  assert agent.description == "A shop assistant"
  assert agent.source_key == "agents[0]"


def test_pyproject_wins_over_adk_simulator_toml(project: Path) -> None:
  write(project / "pyproject.toml", '[[tool.adk-simulator.agents]]\nname = "A"\nagent = "a"\n')
  write(project / "adk-simulator.toml", '[[agents]]\nname = "B"\nagent = "b"\n')

  assert [agent.name for agent in load_config(cwd=project).agents] == ["A"]


@pytest.mark.parametrize(
  ("body", "prefix"),
  [
    ('[[agents]]\nname = "Math"\nagent = "../agents/math_agent"\n', "agents[0]"),
    (
      '[[tool.adk-simulator.agents]]\nname = "Math"\nagent = "../agents/math_agent"\n',
      "tool.adk-simulator.agents[0]",
    ),
  ],
  ids=["top-level form", "pyproject form"],
)
def test_config_option_resolves_paths_against_the_file_folder(
  tmp_path: Path, body: str, prefix: str
) -> None:
  write(tmp_path / "conf" / "sim.toml", body)
  elsewhere = tmp_path / "elsewhere"
  elsewhere.mkdir()

  config = load_config(Path("../conf/sim.toml"), cwd=elsewhere)

  assert config.source == tmp_path / "conf" / "sim.toml"
  (agent,) = config.agents
  assert agent.agent == tmp_path / "agents" / "math_agent"
  assert agent.eval_set_path == tmp_path / "conf" / "evalsets" / "math.evalset.json"
  assert agent.base_dir == tmp_path / "conf"
  assert agent.source_key == prefix
  db = tmp_path / "conf" / ".adk-simulator" / "sessions.db"
  assert config.session_service_uri == f"sqlite:///{db.as_posix()}"


def test_config_option_ignores_the_default_files(project: Path) -> None:
  write(project / "pyproject.toml", '[[tool.adk-simulator.agents]]\nname = "A"\nagent = "a"\n')
  write(project / "other.toml", '[[agents]]\nname = "Other"\nagent = "o"\n')

  config = load_config(Path("other.toml"), cwd=project)

  assert [agent.name for agent in config.agents] == ["Other"]


@pytest.mark.parametrize(
  ("uri", "expected"),
  [
    ("sqlite:///data/s.db", "sqlite:///{base}/data/s.db"),
    ("sqlite:///s.db?mode=ro", "sqlite:///{base}/s.db?mode=ro"),
    ("sqlite:////var/abs.db", "sqlite:////var/abs.db"),
    ("memory://", "memory://"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
  ],
)
def test_session_service_uri(project: Path, uri: str, expected: str) -> None:
  write(
    project / "adk-simulator.toml",
    f'session_service_uri = "{uri}"\n[[agents]]\nname = "A"\nagent = "a"\n',
  )

  config = load_config(cwd=project)

  assert config.session_service_uri == expected.format(base=project.as_posix())


# --- AGENTS_DIR -----------------------------------------------------------------


def test_agents_dir_lists_agent_folders_like_adk_web(tmp_path: Path) -> None:
  agents = tmp_path / "agents"
  write(agents / "math_agent" / "agent.py", "root_agent = None\n")
  write(agents / "HelpDesk" / "__init__.py", "")
  write(agents / "yaml_agent" / "root_agent.yaml", "name: yaml_agent\n")
  write(agents / "notes" / "README.md", "not an agent\n")
  write(agents / ".hidden" / "agent.py", "")
  write(agents / "__pycache__" / "__init__.py", "")
  write(agents / "loose.py", "root_agent = None\n")
  cwd = tmp_path / "work"
  cwd.mkdir()

  config = config_from_agents_dir(Path("../agents"), cwd=cwd)

  assert [agent.name for agent in config.agents] == ["HelpDesk", "math_agent", "yaml_agent"]
  help_desk = config.agents[0]
  assert help_desk.agent == agents / "HelpDesk"
  assert help_desk.base_dir == agents
  assert help_desk.eval_set_path == cwd / "evalsets" / "help_desk.evalset.json"
  assert config.source is None
  assert (
    config.session_service_uri == f"sqlite:///{(cwd / '.adk-simulator/sessions.db').as_posix()}"
  )


def test_agents_dir_that_is_itself_an_agent_folder(tmp_path: Path) -> None:
  write(tmp_path / "math_agent" / "agent.py", "root_agent = None\n")

  config = config_from_agents_dir(
    tmp_path / "math_agent", cwd=tmp_path, session_service_uri="memory://"
  )

  assert [agent.agent for agent in config.agents] == [tmp_path / "math_agent"]
  assert config.session_service_uri == "memory://"


def test_agents_dir_errors(tmp_path: Path) -> None:
  with pytest.raises(ConfigError, match="agents folder not found"):
    config_from_agents_dir(tmp_path / "missing", cwd=tmp_path)
  (tmp_path / "empty" / "docs").mkdir(parents=True)
  with pytest.raises(ConfigError, match=r"no ADK agent folders inside.*agent\.py"):
    config_from_agents_dir(tmp_path / "empty", cwd=tmp_path)


# --- Errors -----------------------------------------------------------------------


def test_invalid_toml_names_file_and_line(project: Path) -> None:
  message = load_error(project, '[[tool.adk-simulator.agents]]\nname = "Math"\nagent = \n')

  assert str(project / "pyproject.toml") in message
  assert "line 3" in message
  assert "invalid TOML" in message


def test_missing_key(project: Path) -> None:
  message = load_error(
    project,
    """
    [[tool.adk-simulator.agents]]
    name = "A"
    agent = "a"

    [[tool.adk-simulator.agents]]
    name = "B"
    """,
  )

  assert str(project / "pyproject.toml") in message
  assert "tool.adk-simulator.agents[1].agent: required key is missing" in message
  assert 'agent = "path/to/agent_folder"' in message


def test_unknown_key_suggests_the_right_one(project: Path) -> None:
  message = load_error(
    project,
    '[[agents]]\nname = "A"\nagent = "a"\neval_sets = "x.json"\n',
    file="adk-simulator.toml",
  )

  assert str(project / "adk-simulator.toml") in message
  assert "agents[0].eval_sets: unknown key: did you mean 'eval_set'?" in message


def test_unknown_top_level_key(project: Path) -> None:
  message = load_error(
    project,
    '[tool.adk-simulator]\nsession_uri = "memory://"\n[[tool.adk-simulator.agents]]\n'
    'name = "A"\nagent = "a"\n',
  )

  assert (
    "tool.adk-simulator.session_uri: unknown key: did you mean 'session_service_uri'?" in message
  )


def test_wrong_type(project: Path) -> None:
  message = load_error(project, '[[tool.adk-simulator.agents]]\nname = 5\nagent = "a"\n')

  assert (
    "tool.adk-simulator.agents[0].name: Input should be a valid string (got integer 5)" in message
  )


def test_wrong_type_of_initial_state(project: Path) -> None:
  message = load_error(
    project, '[[tool.adk-simulator.agents]]\nname = "A"\nagent = "a"\ninitial_state = "x"\n'
  )

  assert "tool.adk-simulator.agents[0].initial_state:" in message
  assert "dictionary" in message


def test_duplicate_names(project: Path) -> None:
  message = load_error(
    project,
    '[[tool.adk-simulator.agents]]\nname = "Math"\nagent = "a"\n'
    '[[tool.adk-simulator.agents]]\nname = "math"\nagent = "b"\n',
  )

  assert str(project / "pyproject.toml") in message
  assert "tool.adk-simulator.agents[1].name: duplicate name 'math'" in message
  assert "tool.adk-simulator.agents[0].name" in message


def test_names_sharing_a_default_eval_set(project: Path) -> None:
  message = load_error(
    project,
    '[[tool.adk-simulator.agents]]\nname = "Math!"\nagent = "a"\n'
    '[[tool.adk-simulator.agents]]\nname = "Math?"\nagent = "b"\n',
  )

  assert "agents[1].name: 'Math?' and 'Math!' would share the default eval set" in message


def test_no_agents(project: Path) -> None:
  message = load_error(project, "[tool.adk-simulator]\nagents = []\n")

  assert "tool.adk-simulator.agents: no agents" in message
  assert "[[tool.adk-simulator.agents]]" in message


def test_agents_key_missing(project: Path) -> None:
  message = load_error(project, '[tool.adk-simulator]\nsession_service_uri = "memory://"\n')

  assert "tool.adk-simulator.agents: required key is missing" in message


def test_agents_written_as_a_single_table(project: Path) -> None:
  message = load_error(project, '[tool.adk-simulator.agents]\nname = "A"\nagent = "a"\n')

  assert "write [[tool.adk-simulator.agents]] with double brackets" in message


def test_malformed_agent_reference(project: Path) -> None:
  message = load_error(
    project, '[[tool.adk-simulator.agents]]\nname = "A"\nagent = "pkg:mod:attr"\n'
  )

  assert "tool.adk-simulator.agents[0].agent: 'pkg:mod:attr' is neither" in message


def test_session_service_uri_without_scheme(project: Path) -> None:
  message = load_error(
    project,
    '[tool.adk-simulator]\nsession_service_uri = "sessions.db"\n'
    '[[tool.adk-simulator.agents]]\nname = "A"\nagent = "a"\n',
  )

  assert "tool.adk-simulator.session_service_uri: 'sessions.db' is not a URI" in message


def test_tool_table_is_not_a_table(project: Path) -> None:
  message = load_error(project, '[tool]\n"adk-simulator" = 3\n')

  assert "tool.adk-simulator: must be a table" in message


def test_no_config_found(project: Path) -> None:
  write(project / "pyproject.toml", PYPROJECT_HEAD)

  with pytest.raises(ConfigError) as caught:
    load_config(cwd=project)

  message = str(caught.value)
  assert f"{project / 'pyproject.toml'}: has no [tool.adk-simulator] table" in message
  assert f"{project / 'adk-simulator.toml'}: not found" in message
  assert '[[agents]]\nname = "Math"' in message
  assert "--config FILE" in message


def test_config_option_errors(project: Path) -> None:
  with pytest.raises(ConfigError, match="config file not found"):
    load_config(Path("nope.toml"), cwd=project)
  write(project / "pyproject.toml", PYPROJECT_HEAD)
  with pytest.raises(ConfigError, match=r"has no \[tool.adk-simulator\] table"):
    load_config(project / "pyproject.toml")


# --- Python API ---------------------------------------------------------------------


def test_positional_construction_resolves_against_cwd(
  tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
  monkeypatch.chdir(tmp_path)

  config = SimulatedAgentConfig("Math", "agents/math_agent", "traces/math.evalset.json")

  assert config.name == "Math"
  assert config.agent == tmp_path / "agents" / "math_agent"
  assert config.eval_set_path == tmp_path / "traces" / "math.evalset.json"
  assert config.base_dir == tmp_path
  assert config.source is None


def test_keyword_construction_and_defaults(tmp_path: Path) -> None:
  config = SimulatedAgentConfig(
    name="Shop Bot", agent="shop.agent:root_agent", base_dir=tmp_path, initial_state={"a": 1}
  )

  assert config.agent == "shop.agent:root_agent"
  assert config.eval_set_path == tmp_path / "evalsets" / "shop_bot.evalset.json"
  assert config.initial_state == {"a": 1}


def test_python_api_rejects_bad_input(tmp_path: Path) -> None:
  with pytest.raises(TypeError, match="multiple values for 'name'"):
    SimulatedAgentConfig("A", "a", name="B")  # type: ignore[misc]
  with pytest.raises(ValidationError, match="eval_set"):
    SimulatedAgentConfig("A", "a", eval_set="x.json")
  with pytest.raises(ValidationError, match="got int"):
    SimulatedAgentConfig("A", 42)
  with pytest.raises(ValidationError, match="must not be empty"):
    SimulatedAgentConfig("  ", "a")


def test_simulator_config_defaults_and_lookup(tmp_path: Path) -> None:
  agents = [
    SimulatedAgentConfig("Math", "m", base_dir=tmp_path),
    SimulatedAgentConfig("Shop Bot", "s"),
  ]

  config = SimulatorConfig(agents=agents, base_dir=tmp_path)

  assert (
    config.session_service_uri
    == f"sqlite:///{(tmp_path / '.adk-simulator/sessions.db').as_posix()}"
  )
  assert config.find_agent("shop_bot") is agents[1]
  assert config.find_agent("MATH") is agents[0]
  with pytest.raises(ConfigError, match="no agent named 'x'. Available: 'Math', 'Shop Bot'"):
    config.find_agent("x")
  with pytest.raises(ValidationError, match="display names must be unique"):
    SimulatorConfig(agents=[agents[0], SimulatedAgentConfig("math", "m")])
  with pytest.raises(ValidationError, match="at least 1"):
    SimulatorConfig(agents=[])


@pytest.mark.parametrize(
  ("name", "snake"),
  [
    ("Math", "math"),
    ("Math Agent", "math_agent"),
    ("MathAgent", "math_agent"),
    ("HTTPClient v2", "http_client_v2"),
    ("math_agent", "math_agent"),
    ("Café — Ünïcode!", "cafe_unicode"),
    ("***", "agent"),
  ],
)
def test_snake_case(name: str, snake: str) -> None:
  assert snake_case(name) == snake


def test_importing_config_and_loader_does_not_import_adk() -> None:
  code = (
    "import sys, adk_simulator.engine.config.model, adk_simulator.engine.agents.loader\n"
    "print(sorted(m for m in sys.modules if m.startswith(('google.adk', 'textual'))))"
  )
  result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

  assert result.stdout.strip() == "[]"
