"""Imports the configured agents: ADK agent folders, `module:attribute`s, objects.

Loading blocks (it imports the agent's code, and ADK the first time), so the
TUI calls `load_agents` from a thread worker. One agent that fails to import
becomes an `AgentLoadFailure` and does not stop the others.

This module imports ADK only inside the load functions, so the TUI can import
`LoadedAgent` and `AgentLoadFailure` at start-up for free.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from typing import Any

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import snake_case

if TYPE_CHECKING:
  from google.adk.agents.base_agent import BaseAgent
  from google.adk.apps.app import App

logger = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# Dataclasses rather than Pydantic models: they hold live ADK objects, are
# never serialised, and need no ADK import to define (see the module docstring).
@dataclass(frozen=True)
class LoadedAgent:
  """An agent ready to run, with what the agent picker shows about it."""

  config: SimulatedAgentConfig
  root_agent: BaseAgent
  app: App | None
  """The `App` the agent's code defines (keep its plugins), or None."""
  app_name: str
  """The ADK app name sessions are stored under: the agent folder's name, as
  `adk web` and `adk eval` use it."""
  description: str
  tool_count: int
  """The tools the root agent offers: each function or tool counts 1, each
  toolset the tools it listed at load (an MCP server's, say)."""
  toolset_count: int
  """How many entries of the root agent's `tools` are toolsets."""
  input_schema: dict[str, Any] | None
  output_schema: dict[str, Any] | None
  eval_case_count: int | None
  """Cases in the eval set file now; None when the file does not exist yet."""
  eval_set_error: str | None
  """Why the eval set file could not be read, if it could not."""

  @property
  def name(self) -> str:
    return self.config.name

  @property
  def eval_set_path(self) -> Path:
    return self.config.eval_set_path


@dataclass(frozen=True)
class AgentLoadFailure:
  """An agent that could not be loaded."""

  config: SimulatedAgentConfig
  error: str
  """One line: which agent, what failed, what to check."""
  traceback: str

  @property
  def name(self) -> str:
    return self.config.name


class AgentLoadError(Exception):
  """Raised by `load_agent_sync`; the message is the one-line summary."""


def count_eval_cases(path: Path) -> int | None:
  """The number of eval cases in an eval set file; None if there is no file.

  Raises:
    ValueError: The file cannot be read or is not an eval set.
  """
  try:
    data = json.loads(path.read_text(encoding="utf-8"))
  except FileNotFoundError:
    return None
  except json.JSONDecodeError as error:
    raise ValueError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
  except (OSError, UnicodeDecodeError) as error:
    raise ValueError(f"{path}: cannot read the file ({error})") from None
  # EvalSet files use snake_case keys; camelCase aliases are accepted by ADK too.
  cases = data.get("eval_cases", data.get("evalCases")) if isinstance(data, dict) else None
  if not isinstance(cases, list):
    raise ValueError(f"{path}: not an ADK eval set (no 'eval_cases' list)")
  return len(cases)


def load_agents(configs: Iterable[SimulatedAgentConfig]) -> list[LoadedAgent | AgentLoadFailure]:
  """Loads every agent, in order; failures are reported, not raised. Blocking."""
  results: list[LoadedAgent | AgentLoadFailure] = []
  for config in configs:
    try:
      results.append(load_agent_sync(config))
    except (Exception, SystemExit) as error:  # an agent's code may even call sys.exit()
      cause = error.__cause__ if isinstance(error, AgentLoadError) and error.__cause__ else error
      summary = str(error) if isinstance(error, AgentLoadError) else _unexpected(config, error)
      trace = "".join(traceback.format_exception(cause))
      logger.warning("%s", summary)
      results.append(AgentLoadFailure(config=config, error=summary, traceback=trace))
  return results


def load_agent_sync(config: SimulatedAgentConfig) -> LoadedAgent:
  """Imports one agent and describes it. Blocking: call it from a worker thread.

  Raises:
    AgentLoadError: The agent cannot be loaded; the message names the agent,
      the `agent` value and what to check. The original error is its cause.
  """
  from google.adk.agents.base_agent import BaseAgent
  from google.adk.agents.llm_agent import LlmAgent
  from google.adk.apps.app import App
  from google.adk.tools.base_toolset import BaseToolset

  agent = config.agent
  if isinstance(agent, Path):
    loaded, module, app_name = _from_folder(config, agent)
  elif isinstance(agent, str):
    loaded, module, app_name = _from_module(config, agent)
  else:
    loaded, module, app_name = agent, None, None

  app = loaded if isinstance(loaded, App) else None
  root = loaded.root_agent if isinstance(loaded, App) else loaded
  if app is None and module is not None:
    # `agent = "pkg.agent:root_agent"` beside an `app = App(...)` wrapping it:
    # keep that App (and its plugins), as `adk web` would.
    candidate = getattr(module, "app", None)
    if isinstance(candidate, App) and candidate.root_agent is root:
      app = candidate
  if not isinstance(root, BaseAgent):
    raise AgentLoadError(
      f'agent "{config.name}": the root is a {type(root).__name__}, not an ADK agent'
      " (BaseAgent); ADK Simulator plays the model of agents. Check " + config.where() + "."
    )
  if app_name is None:
    app_name = app.name if app is not None else _safe_app_name(snake_case(config.name))

  tools = list(root.tools) if isinstance(root, LlmAgent) else []
  tool_count = _list_toolsets(config, root)
  try:
    eval_case_count, eval_set_error = count_eval_cases(config.eval_set_path), None
  except ValueError as error:
    eval_case_count, eval_set_error = None, str(error)
  return LoadedAgent(
    config=config,
    root_agent=root,
    app=app,
    app_name=app_name,
    description=config.description or root.description or "",
    tool_count=tool_count,
    toolset_count=sum(isinstance(tool, BaseToolset) for tool in tools),
    input_schema=_json_schema(getattr(root, "input_schema", None)),
    output_schema=_json_schema(getattr(root, "output_schema", None)),
    eval_case_count=eval_case_count,
    eval_set_error=eval_set_error,
  )


def _list_toolsets(config: SimulatedAgentConfig, root: BaseAgent) -> int:
  """The root's tool count, every toolset of the agent listed once (see `toolsets`)."""
  from adk_simulator.engine.agents.toolsets import ToolsetLoadError
  from adk_simulator.engine.agents.toolsets import count_root_tools
  from adk_simulator.engine.agents.toolsets import last_words
  from adk_simulator.engine.agents.toolsets import route_server_stderr
  from adk_simulator.engine.config.model import STATE_FOLDER

  log_path = config.base_dir / STATE_FOLDER / "servers" / f"{snake_case(config.name)}.log"
  log = route_server_stderr(root, log_path)
  since = log.tell() if log is not None else 0
  try:
    return count_root_tools(root)
  except ToolsetLoadError as error:
    said = last_words(log_path, since) if log is not None else ""
    heard = f" The server wrote: {said} (all of it in {log_path})." if said else ""
    raise AgentLoadError(
      f'agent "{config.name}": its {error}.{heard} Check that the command runs on its own,'
      " or fix the toolset's connection in the agent's code."
    ) from error


def _from_folder(config: SimulatedAgentConfig, folder: Path) -> tuple[Any, None, str]:
  """Loads an ADK agent folder with ADK's own `AgentLoader`, as `adk web` does."""
  from adk_simulator.engine import adk

  who = f'agent "{config.name}"'
  if not folder.is_dir():
    raise AgentLoadError(f"{who}: agent folder {folder} does not exist. Check {config.where()}.")
  if not _IDENTIFIER.match(folder.name):
    raise AgentLoadError(
      f"{who}: the folder name {folder.name!r} is not a Python identifier, so ADK cannot"
      f" import it. Rename the folder (e.g. to {snake_case(folder.name)!r})."
    )
  _put_first_on_sys_path(folder.parent)
  _forget_shadowing_modules(folder.name, folder.parent)
  # Given the folder itself, AgentLoader works from its parent ("single agent
  # mode"); a package with only __init__.py needs the parent given directly.
  loader = adk.agent_loader(folder if adk.is_single_agent_directory(folder) else folder.parent)
  try:
    loaded = loader.load_agent(folder.name)
  except ValueError as error:  # AgentLoader's "no root_agent" / wrong type
    raise AgentLoadError(
      f"{who}: no usable root_agent in {folder} ({_first_line(error)}). An agent folder needs"
      " agent.py or __init__.py defining root_agent (or app), or a root_agent.yaml."
      f" Check {config.where()}."
    ) from error
  except Exception as error:
    raise AgentLoadError(
      f"{who}: error while importing the agent folder {folder} ({_one_line(error)}). Fix the"
      " agent's code (see the traceback)."
    ) from error
  return loaded, None, _safe_app_name(folder.name)


def _from_module(config: SimulatedAgentConfig, ref: str) -> tuple[Any, ModuleType, str]:
  """Imports `package.module:attribute` with the config's folder on sys.path."""
  from google.adk.agents.base_agent import BaseAgent
  from google.adk.apps.app import App

  from adk_simulator.engine import adk

  who = f'agent "{config.name}"'
  module_name, attribute = ref.split(":")
  top = module_name.split(".")[0]
  base = config.base_dir
  _put_first_on_sys_path(base)
  if (base / top).is_dir() or (base / f"{top}.py").is_file():
    _forget_shadowing_modules(top, base)
  adk.load_dotenv_for_agent(top, base)  # as adk web does, before the agent reads its env
  try:
    module = importlib.import_module(module_name)
  except ModuleNotFoundError as error:
    if error.name and (module_name + ".").startswith(error.name + "."):
      raise AgentLoadError(
        f"{who}: cannot import module {module_name!r} ({_one_line(error)}). Check"
        f" {config.where()}; modules are found from {base} and the installed packages."
      ) from error
    raise AgentLoadError(
      f"{who}: error while importing module {module_name!r} ({_one_line(error)}). Install"
      " what the agent imports, or fix its code (see the traceback)."
    ) from error
  except Exception as error:
    raise AgentLoadError(
      f"{who}: error while importing module {module_name!r} ({_one_line(error)}). Fix the"
      " agent's code (see the traceback)."
    ) from error
  value: Any = module
  for part in attribute.split("."):
    if not hasattr(value, part):
      found = [n for n, v in vars(module).items() if isinstance(v, (BaseAgent, App))]
      defined = f" It defines: {', '.join(found)}." if found else ""
      raise AgentLoadError(
        f"{who}: module {module_name!r} has no attribute {attribute!r}.{defined}"
        f" Check {config.where()}."
      )
    value = getattr(value, part)
  if not isinstance(value, (BaseAgent, App)):
    raise AgentLoadError(
      f"{who}: {ref!r} is a {type(value).__name__}, not an ADK agent or App."
      f" Check {config.where()}."
    )
  return value, module, _module_app_name(module)


def _module_app_name(module: ModuleType) -> str:
  """The folder the agent's code lives in, as ADK names apps.

  `pkg` for the package `pkg` and for its module `pkg.agent`; `my_agent` for a
  top-level `my_agent.py` (AgentLoader's `agents_dir/my_agent.py` case).
  """
  parts = module.__name__.split(".")
  is_package = hasattr(module, "__path__")
  return _safe_app_name(parts[-1] if is_package or len(parts) == 1 else parts[-2])


def _safe_app_name(name: str) -> str:
  # ADK's App names start with a letter and may not be "user".
  if not name[:1].isalpha():
    name = f"agent_{name}"
  return "user_agent" if name == "user" else name


def _put_first_on_sys_path(folder: Path) -> None:
  """Puts `folder` first on sys.path, exactly once."""
  entry = str(folder)
  while entry in sys.path:
    sys.path.remove(entry)
  sys.path.insert(0, entry)


def _forget_shadowing_modules(package: str, parent: Path) -> None:
  """Drops an already imported `package` that lives somewhere other than `parent`.

  Two agent folders with the same name (or a copy of one) would otherwise get
  the module cached for the first, whatever their paths say. Agents already
  loaded from the old one keep working: they hold their own objects. Built-in
  and installed packages are never dropped: only agent code lives elsewhere.
  """
  module = sys.modules.get(package)
  if module is None:
    return
  locations = [Path(p).resolve() for p in getattr(module, "__path__", [])]
  if getattr(module, "__file__", None):
    locations.append(Path(str(module.__file__)).resolve().parent)
  installed = (Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())
  if (
    not locations  # a built-in module
    or any(place.is_relative_to(root) for place in locations for root in installed)
    or parent.resolve() / package in locations
    or parent.resolve() in locations
  ):
    return
  for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
    del sys.modules[name]


def _json_schema(schema: Any) -> dict[str, Any] | None:
  """An agent's input/output schema as JSON Schema (it may be a model, a type,
  a dict or a `google.genai` Schema)."""
  if schema is None:
    return None
  if isinstance(schema, dict):
    return schema
  from google.genai import types
  from pydantic import TypeAdapter

  if isinstance(schema, types.Schema):
    return schema.json_schema.model_dump(mode="json", exclude_none=True, by_alias=True)
  try:
    return TypeAdapter(schema).json_schema()
  except Exception:  # a schema pydantic cannot express: show none rather than fail
    logger.warning("cannot express %r as JSON Schema", schema, exc_info=True)
    return None


def _first_line(error: BaseException) -> str:
  return (str(error).strip().splitlines() or [""])[0]


def _one_line(error: BaseException) -> str:
  return f"{type(error).__name__}: {_first_line(error)}"


def _unexpected(config: SimulatedAgentConfig, error: BaseException) -> str:
  return (
    f'agent "{config.name}": cannot load {config.agent!r} ({_one_line(error)}).'
    f" Check {config.where()}."
  )
