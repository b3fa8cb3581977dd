"""Reading the config from a file or an agents folder.

The sources, in order: `--config FILE` (a pyproject-style file with a
`[tool.adk-simulator]` table, or the keys at its top level), the
`[tool.adk-simulator]` table of `./pyproject.toml`, `./adk-simulator.toml`;
or an AGENTS_DIR of ADK agent folders. Every error names the file, the key
and the problem, and says what to do.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator

from adk_simulator.engine.config.model import CONFIG_FILE
from adk_simulator.engine.config.model import DEFAULT_USER_ID
from adk_simulator.engine.config.model import EXAMPLE_CONFIG
from adk_simulator.engine.config.model import PYPROJECT_FILE
from adk_simulator.engine.config.model import TOOL_TABLE
from adk_simulator.engine.config.model import ConfigError
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.config.model import check_agent_ref
from adk_simulator.engine.config.model import default_eval_set_path
from adk_simulator.engine.config.model import default_session_service_uri
from adk_simulator.engine.config.model import not_blank
from adk_simulator.engine.config.model import snake_case

_TOML_TYPES = {str: "string", int: "integer", float: "float", bool: "boolean", dict: "table"}
_MISSING_HINTS = {
  "agents": "add at least one [[{table}agents]] table with a name and an agent",
  "name": 'add name = "..." (the name shown in the agent picker)',
  "agent": 'add agent = "path/to/agent_folder" or agent = "package.module:root_agent"',
}


class _FileAgent(BaseModel):
  model_config = ConfigDict(extra="forbid")

  name: str
  agent: str
  eval_set: str | None = None
  initial_state: dict[str, Any] = Field(default_factory=dict)
  user_id: str = DEFAULT_USER_ID
  description: str | None = None
  replay_ignore: list[str] = Field(default_factory=list)

  @field_validator("name", "user_id")
  @classmethod
  def _check_not_blank(cls, value: str) -> str:
    return not_blank(value)

  @field_validator("agent")
  @classmethod
  def _check_agent(cls, value: str) -> str:
    check_agent_ref(value)
    return value


class _FileConfig(BaseModel):
  model_config = ConfigDict(extra="forbid")

  session_service_uri: str | None = None
  tool_timeout: float | None = Field(default=None, gt=0)
  agents: list[_FileAgent] = Field(min_length=1)


def _key(prefix: str, *loc: str | int) -> str:
  path = prefix
  for part in loc:
    path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
  return path


def _problems(error: ValidationError, prefix: str, table: str) -> list[str]:
  """One "key.path: problem; what to do" line per validation error."""
  lines = []
  for item in error.errors():
    loc = tuple(item["loc"])
    last = str(loc[-1]) if loc else ""
    kind = item["type"]
    if kind == "missing":
      problem = "required key is missing: " + _MISSING_HINTS.get(last, "add it").format(table=table)
    elif kind == "extra_forbidden":
      known = list((_FileAgent if "agents" in loc[:-1] else _FileConfig).model_fields)
      close = difflib.get_close_matches(last, known, n=1)
      guess = f"did you mean {close[0]!r}? " if close else ""
      problem = f"unknown key: {guess}The known keys here are: {', '.join(known)}"
    elif kind == "too_short" and last == "agents":
      problem = "no agents: " + _MISSING_HINTS["agents"].format(table=table)
    elif kind == "list_type" and last == "agents":
      problem = f"must be an array of tables: write [[{table}agents]] with double brackets"
    elif kind == "value_error":
      problem = str(item["msg"]).removeprefix("Value error, ")
    else:
      value = item["input"]
      shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
      got = _TOML_TYPES.get(type(value), "array" if isinstance(value, list) else "value")
      problem = f"{item['msg']} (got {got} {shown}): change the value"
    lines.append(f"{_key(prefix, *loc)}: {problem}")
  return lines


def not_utf8(error: UnicodeDecodeError) -> str:
  """What to say of a file that is not UTF-8 text."""
  return (
    f"not UTF-8 text (byte {error.start} is {error.object[error.start : error.start + 1]!r});"
    " save the file as UTF-8"
  )


def _invalid(path: Path, problems: list[str]) -> ConfigError:
  body = "\n".join(f"  {problem}" for problem in problems)
  return ConfigError(f"Invalid ADK Simulator configuration in {path}:\n{body}")


def _read_toml(path: Path) -> dict[str, Any]:
  try:
    with path.open("rb") as file:
      return tomllib.load(file)
  except tomllib.TOMLDecodeError as error:
    # Python 3.11's TOMLDecodeError carries the position only in its message.
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    reason = re.sub(r"\s*\(at [^)]*\)$", "", message)
    if found:
      line, column = found.groups()
      raise ConfigError(
        f"{path}:{line}:{column}: invalid TOML at line {line}, column {column}: {reason}."
        f" Fix the syntax on line {line} (the format is described at https://toml.io)."
      ) from None
    raise ConfigError(
      f"{path}: invalid TOML at the end of the file: {reason}."
      " Check for an unclosed string, array or table (see https://toml.io)."
    ) from None
  except UnicodeDecodeError as error:
    raise ConfigError(f"{path}: {not_utf8(error)}") from None
  except OSError as error:
    raise ConfigError(f"{path}: cannot read the file ({error.strerror}).") from None


def _tool_table(document: dict[str, Any], path: Path) -> dict[str, Any] | None:
  tool = document.get("tool")
  if not isinstance(tool, dict) or "adk-simulator" not in tool:
    return None
  table = tool["adk-simulator"]
  if not isinstance(table, dict):
    raise _invalid(path, [f"{TOOL_TABLE}: must be a table: write [{TOOL_TABLE}]"])
  return table


def _anchor_sqlite(uri: str, base_dir: Path) -> str:
  """Makes a relative `sqlite:///file.db` absolute against the config's folder."""
  parsed = urlparse(uri)
  relative = parsed.path[1:]
  if parsed.scheme != "sqlite" or not relative or relative.startswith(("/", ":memory:")):
    return uri
  query = f"?{parsed.query}" if parsed.query else ""
  return f"sqlite:///{(base_dir / relative).resolve().as_posix()}{query}"


def _build(table: dict[str, Any], path: Path, prefix: str) -> SimulatorConfig:
  """Validates one config table (the file's top level or `[tool.adk-simulator]`)."""
  dotted = f"{prefix}." if prefix else ""
  try:
    parsed = _FileConfig.model_validate(table)
  except ValidationError as error:
    raise _invalid(path, _problems(error, prefix, dotted)) from None
  base_dir = path.parent
  problems = []
  uri = parsed.session_service_uri
  if uri is not None and "://" not in uri:
    problems.append(
      f"{_key(prefix, 'session_service_uri')}: {uri!r} is not a URI: use memory://,"
      " sqlite:///sessions.db (relative to this file's folder) or a database URL such as"
      " postgresql+asyncpg://user@host/db"
    )
  names: dict[str, int] = {}
  default_eval_sets: dict[str, int] = {}
  for index, entry in enumerate(parsed.agents):
    here = _key(prefix, "agents", index, "name")
    if (other := names.setdefault(entry.name.strip().casefold(), index)) != index:
      there = _key(prefix, "agents", other, "name")
      problems.append(f"{here}: duplicate name {entry.name!r} (also {there}): names must be unique")
    elif entry.eval_set is None:
      snake = snake_case(entry.name)
      if (other := default_eval_sets.setdefault(snake, index)) != index:
        problems.append(
          f"{here}: {entry.name!r} and {parsed.agents[other].name!r} would share the default"
          f" eval set evalsets/{snake}.evalset.json: set eval_set for one of them"
        )
  if problems:
    raise _invalid(path, problems)
  agents = []
  for index, entry in enumerate(parsed.agents):
    source_key = _key(prefix, "agents", index)
    try:
      agents.append(
        SimulatedAgentConfig(
          name=entry.name,
          agent=entry.agent,
          eval_set_path=entry.eval_set,
          initial_state=entry.initial_state,
          user_id=entry.user_id,
          description=entry.description,
          replay_ignore=entry.replay_ignore,
          base_dir=base_dir,
          source=path,
          source_key=source_key,
        )
      )
    except ValidationError as error:
      raise _invalid(path, _problems(error, source_key, dotted)) from None
  return SimulatorConfig(
    agents=agents,
    session_service_uri=(
      _anchor_sqlite(uri, base_dir) if uri else default_session_service_uri(base_dir)
    ),
    tool_timeout=parsed.tool_timeout,
    source=path,
    base_dir=base_dir,
  )


def load_config(config_path: Path | None = None, *, cwd: Path | None = None) -> SimulatorConfig:
  """Reads the configuration: `config_path`, else `./pyproject.toml`, else `./adk-simulator.toml`.

  Args:
    config_path: A `--config FILE`, in either form: with a `[tool.adk-simulator]`
      table, or with the keys at its top level. Relative to `cwd`.
    cwd: The folder to look in (default: the working directory).

  Raises:
    ConfigError: Nothing found, invalid TOML or invalid keys. The message names
      the file, the key path and what to do.
  """
  cwd = Path(cwd or Path.cwd()).resolve()
  if config_path is not None:
    path = (cwd / Path(config_path).expanduser()).resolve()
    if not path.is_file():
      raise ConfigError(f"{path}: config file not found. Check the --config path.")
    document = _read_toml(path)
    table = _tool_table(document, path)
    if table is not None:
      return _build(table, path, TOOL_TABLE)
    if path.name == PYPROJECT_FILE:
      raise ConfigError(
        f"{path} has no [{TOOL_TABLE}] table. Add one, for example:\n\n"
        + EXAMPLE_CONFIG.replace("[[agents]]", f"[[{TOOL_TABLE}.agents]]")
      )
    return _build(document, path, "")
  pyproject = cwd / PYPROJECT_FILE
  pyproject_note = "not found"
  if pyproject.is_file():
    table = _tool_table(_read_toml(pyproject), pyproject)
    if table is not None:
      return _build(table, pyproject, TOOL_TABLE)
    pyproject_note = f"has no [{TOOL_TABLE}] table"
  standalone = cwd / CONFIG_FILE
  if standalone.is_file():
    return _build(_read_toml(standalone), standalone, "")
  raise ConfigError(
    "No ADK Simulator configuration found. Looked for:\n"
    f"  {pyproject}: {pyproject_note}\n"
    f"  {standalone}: not found\n"
    f"Create {CONFIG_FILE} in {cwd}, for example:\n\n{EXAMPLE_CONFIG}\n\n"
    f"(or put the same keys under [[{TOOL_TABLE}.agents]] in {PYPROJECT_FILE}),"
    " pass --config FILE, or pass a folder of ADK agent folders instead."
  )


def _looks_like_agent_folder(folder: Path) -> bool:
  # The test `adk web` lists agents with: no import, so a folder whose
  # package turns out not to define root_agent fails later, at load time.
  return any(
    (folder / marker).is_file() for marker in ("agent.py", "root_agent.yaml", "__init__.py")
  )


def config_from_agents_dir(
  agents_dir: Path, *, cwd: Path | None = None, session_service_uri: str | None = None
) -> SimulatorConfig:
  """One agent per ADK agent folder in `agents_dir`, as `adk web agents_dir` lists them.

  Subfolders with `agent.py`, `__init__.py` or `root_agent.yaml` (not hidden,
  not `__pycache__`), sorted by name; `agents_dir` itself when it is an agent
  folder (has `agent.py` or `root_agent.yaml`). Display name = folder name;
  eval set = `<cwd>/evalsets/<snake_name>.evalset.json`; sessions in
  `<cwd>/.adk-simulator/sessions.db` unless `session_service_uri` is given.

  Raises:
    ConfigError: The folder is missing or holds no agent folder.
  """
  cwd = Path(cwd or Path.cwd()).resolve()
  folder = (cwd / Path(agents_dir).expanduser()).resolve()
  if not folder.is_dir():
    raise ConfigError(f"{folder}: agents folder not found. Pass a folder of ADK agent folders.")
  if (folder / "agent.py").is_file() or (folder / "root_agent.yaml").is_file():
    found = [folder]
  else:
    found = sorted(
      sub
      for sub in folder.iterdir()
      if sub.is_dir()
      and not sub.name.startswith(".")
      and sub.name != "__pycache__"
      and _looks_like_agent_folder(sub)
    )
  if not found:
    raise ConfigError(
      f"{folder}: no ADK agent folders inside. Each agent needs its own subfolder with an"
      " agent.py (or __init__.py) defining root_agent, or a root_agent.yaml, e.g."
      f" {folder / 'my_agent' / 'agent.py'}; `adk create my_agent` makes one."
    )
  agents = [
    SimulatedAgentConfig(
      name=sub.name,
      agent=sub,
      eval_set_path=default_eval_set_path(sub.name, cwd),
      base_dir=sub.parent,
    )
    for sub in found
  ]
  return SimulatorConfig(
    agents=agents,
    session_service_uri=session_service_uri or default_session_service_uri(cwd),
    base_dir=cwd,
  )
