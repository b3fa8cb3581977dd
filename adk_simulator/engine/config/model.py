"""Which agents to simulate: the configuration file and the Python API's config.

Sources, the first one found wins (`config_file.load_config` reads them):

1. `--config FILE`: a file with a `[tool.adk-simulator]` table (pyproject
   form) or with the same keys at its top level (adk-simulator.toml form).
2. The `[tool.adk-simulator]` table of `./pyproject.toml`.
3. `./adk-simulator.toml`.

Or `config_from_agents_dir(AGENTS_DIR)`: every ADK agent folder inside
AGENTS_DIR, listed the way `adk web AGENTS_DIR` lists them.

Both the file and the Python API end up as `SimulatedAgentConfig`s with
absolute paths inside one `SimulatorConfig`. Relative paths in a file resolve
against the file's folder; in the Python API, against the working directory.

This module must stay cheap to import: no `google.adk` (the TUI paints before
ADK has loaded), so agent objects are recognised through `sys.modules`.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

PYPROJECT_FILE = "pyproject.toml"
CONFIG_FILE = "adk-simulator.toml"
TOOL_TABLE = "tool.adk-simulator"
STATE_FOLDER = ".adk-simulator"
"""Folder (beside the config file) for the simulator's own files."""
DEFAULT_USER_ID = "user"

_MODULE_REF = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

EXAMPLE_CONFIG = """\
[[agents]]
name = "Math"                              # shown in the agent picker
agent = "agents/math_agent"                # an ADK agent folder, or "package.module:root_agent"
eval_set = "evalsets/math.evalset.json"    # optional; where golden traces are appended
initial_state = { currency = "EUR" }       # optional; the session state at start"""


class ConfigError(ValueError):
  """A configuration that cannot be used; the message says where and what to do."""


def snake_case(name: str) -> str:
  """Returns `name` in snake_case with only `[a-z0-9_]` ("Math Agent" -> "math_agent")."""
  ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
  # Split camelCase and acronym boundaries: "HTTPClient" -> "HTTP_Client".
  spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", ascii_name)
  return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_") or "agent"


def is_module_ref(value: str) -> bool:
  """True for a `package.module:attribute` reference (not a folder path)."""
  return bool(_MODULE_REF.match(value))


def default_eval_set_path(name: str, base_dir: Path) -> Path:
  """`<base_dir>/evalsets/<snake_name>.evalset.json`."""
  return base_dir / "evalsets" / f"{snake_case(name)}.evalset.json"


def default_session_service_uri(base_dir: Path) -> str:
  """The embedded SQLite store: `sqlite:///<base_dir>/.adk-simulator/sessions.db`.

  The folder is not created here; the session storage creates it when it
  opens the database.
  """
  return f"sqlite:///{(base_dir / STATE_FOLDER / 'sessions.db').as_posix()}"


def _is_adk_agent_or_app(value: Any) -> bool:
  # An ADK object can only exist once its module is imported, so looking the
  # classes up in sys.modules recognises them without importing ADK here.
  for module_name, class_name in (
    ("google.adk.agents.base_agent", "BaseAgent"),
    ("google.adk.apps.app", "App"),
  ):
    cls = getattr(sys.modules.get(module_name), class_name, None)
    if isinstance(cls, type) and isinstance(value, cls):
      return True
  return False


def not_blank(value: str) -> str:
  if not value.strip():
    raise ValueError("must not be empty")
  return value.strip()


def check_agent_ref(value: Any) -> Any:
  """Normalises an `agent` value: a module ref stays a str, a path becomes a Path."""
  if isinstance(value, os.PathLike):
    return Path(value)
  if isinstance(value, str):
    text = value.strip()
    if not text:
      raise ValueError("is empty: give an agent folder path or 'package.module:attribute'")
    if is_module_ref(text):
      return text
    if ":" in text and not _WINDOWS_DRIVE.match(text):
      raise ValueError(
        f"{text!r} is neither 'package.module:attribute' (dotted Python names, one colon,"
        " e.g. 'math_agent.agent:root_agent') nor a folder path"
      )
    return Path(text).expanduser()
  if _is_adk_agent_or_app(value):
    return value
  raise ValueError(
    "must be an agent folder path, a 'package.module:attribute' string, or an ADK"
    f" BaseAgent or App object; got {type(value).__name__}"
  )


class SimulatedAgentConfig(BaseModel):
  """One agent to simulate, resolved: paths are absolute once validated.

  Positional construction works: `SimulatedAgentConfig("Math", root_agent,
  "evalsets/math.evalset.json")`.
  """

  model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

  name: str
  """Display name, unique within a configuration."""
  agent: Any
  """A `package.module:attribute` str, an agent folder `Path`, or an ADK
  `BaseAgent` / `App` object."""
  eval_set_path: Path
  """Where golden traces of this agent are appended (`*.evalset.json`)."""
  initial_state: dict[str, Any] = Field(default_factory=dict)
  """The session state a new session starts with."""
  user_id: str = DEFAULT_USER_ID
  description: str | None = None
  replay_ignore: list[str] = Field(default_factory=list)
  """Tool output paths replays do not compare (`$.created_at`, `$.items[*].id`)."""
  """Shown instead of the agent's own description when set."""
  base_dir: Path = Field(default_factory=Path.cwd)
  """Folder relative paths resolve against and modules are imported from:
  the config file's folder, or the working directory for the Python API."""
  source: Path | None = None
  """The config file this agent came from, if any (for error messages)."""
  source_key: str | None = None
  """Its key path in that file, e.g. `tool.adk-simulator.agents[0]`."""

  def __init__(
    self,
    name: str | None = None,
    agent: Any = None,
    eval_set_path: str | os.PathLike[str] | None = None,
    /,
    **data: Any,
  ) -> None:
    for key, value in (("name", name), ("agent", agent), ("eval_set_path", eval_set_path)):
      if value is not None:
        if key in data:
          raise TypeError(f"SimulatedAgentConfig got multiple values for {key!r}")
        data[key] = value
    super().__init__(**data)

  @model_validator(mode="before")
  @classmethod
  def _fill_default_eval_set(cls, data: Any) -> Any:
    if isinstance(data, dict) and data.get("eval_set_path") is None:
      name = data.get("name")
      if isinstance(name, str):
        data = {**data, "eval_set_path": default_eval_set_path(name, Path("."))}
    return data

  @field_validator("name", "user_id")
  @classmethod
  def _check_not_blank(cls, value: str) -> str:
    return not_blank(value)

  @field_validator("agent")
  @classmethod
  def _check_agent(cls, value: Any) -> Any:
    return check_agent_ref(value)

  @model_validator(mode="after")
  def _resolve_paths(self) -> SimulatedAgentConfig:
    self.base_dir = self.base_dir.expanduser().resolve()
    self.eval_set_path = (self.base_dir / self.eval_set_path.expanduser()).resolve()
    if isinstance(self.agent, Path):
      self.agent = (self.base_dir / self.agent).resolve()
    return self

  @property
  def snake_name(self) -> str:
    return snake_case(self.name)

  def where(self) -> str:
    """Where the `agent` value was given, for "check ..." hints."""
    if self.source is not None:
      return f"the 'agent' key ({self.source_key}.agent) in {self.source}"
    if isinstance(self.agent, Path):
      return f"the agent folder {self.agent}"
    return "the agent given to SimulatedAgentConfig"


class SimulatorConfig(BaseModel):
  """Everything the simulator needs to start: the agents and the session store."""

  model_config = ConfigDict(extra="forbid")

  agents: list[SimulatedAgentConfig] = Field(min_length=1)
  session_service_uri: str = ""
  """An ADK session service URI (`adk web --session_service_uri`); left empty,
  the embedded SQLite store `<base_dir>/.adk-simulator/sessions.db`."""
  tool_timeout: float | None = Field(default=None, gt=0)
  """Seconds a tool call may run before it is cancelled as an error the model
  sees (the session goes on); None: no limit."""
  source: Path | None = None
  """The config file, or None for AGENTS_DIR and the Python API."""
  base_dir: Path = Field(default_factory=Path.cwd)
  """The config file's folder (or the working directory)."""

  @model_validator(mode="before")
  @classmethod
  def _fill_default_uri(cls, data: Any) -> Any:
    if isinstance(data, dict) and not data.get("session_service_uri"):
      base_dir = Path(data.get("base_dir") or Path.cwd()).resolve()
      data = {**data, "session_service_uri": default_session_service_uri(base_dir)}
    return data

  @model_validator(mode="after")
  def _check_unique_names(self) -> SimulatorConfig:
    seen: set[str] = set()
    for agent in self.agents:
      if agent.name.casefold() in seen:
        raise ValueError(f"two agents are named {agent.name!r}: display names must be unique")
      seen.add(agent.name.casefold())
    return self

  def find_agent(self, name: str) -> SimulatedAgentConfig:
    """The agent whose display name (or its snake_case) is `name`, ignoring case.

    Raises:
      ConfigError: No such agent; the message lists the ones there are.
    """
    for agent in self.agents:
      if name.casefold() in (agent.name.casefold(), agent.snake_name):
        return agent
    names = ", ".join(repr(agent.name) for agent in self.agents)
    where = f" in {self.source}" if self.source else ""
    raise ConfigError(f"no agent named {name!r}{where}. Available: {names}.")


# --- Config files -------------------------------------------------------------
