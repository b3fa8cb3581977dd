"""Fixtures shared by every test: the bundled agents and workspaces over them."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_AGENTS = REPO_ROOT / "agents"
FIXTURE_AGENTS = REPO_ROOT / "tests" / "fixtures" / "agents"

HELPDESK_STATE = {"desk_name": "Acme Support"}


def _share_bytecode() -> None:
  """Lets the suite's processes reuse each other's compiled bytecode.

  Where PYTHONDONTWRITEBYTECODE is set (many CI images and containers set it),
  Python compiles every module it imports again in each process: each test
  worker and each `adk-sim` process the CLI tests start would compile ADK,
  Textual and their dependencies anew, 10 s of CPU or more every time. The
  suite writes bytecode to a folder of its own under `.pytest_cache` instead
  (`PYTHONPYCACHEPREFIX`), so the source tree and the environment stay as that
  setting wants them. This runs in the first process, before the workers and
  subprocesses start: they inherit the environment.
  """
  if not sys.dont_write_bytecode:
    return  # Python caches bytecode already
  prefix = str(REPO_ROOT / ".pytest_cache" / "bytecode")
  os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
  os.environ["PYTHONPYCACHEPREFIX"] = prefix
  sys.dont_write_bytecode = False
  sys.pycache_prefix = prefix


_share_bytecode()


@pytest.fixture(autouse=True)
def _private_helpdesk_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
  """Every test gets its own helpdesk database, built from the seed on first use."""
  path = tmp_path / "helpdesk.db"
  monkeypatch.setenv("HELPDESK_DB", str(path))
  return path


WorkspaceFactory = Callable[..., Workspace]


@pytest.fixture
def make_workspace(tmp_path: Path) -> WorkspaceFactory:
  """Builds a workspace over bundled agents, storing into tmp_path.

  Call it with agent folder names (`"math_agent"`) or `(display name, folder,
  initial_state)` tuples; keyword `session_service_uri` overrides the store.
  """

  def build(
    *agents: str | tuple[str, str, dict[str, Any]], session_service_uri: str | None = None
  ) -> Workspace:
    configs = []
    for spec in agents:
      name, folder, state = (spec, spec, {}) if isinstance(spec, str) else spec
      if folder == "helpdesk_agent" and not state:
        state = dict(HELPDESK_STATE)
      configs.append(
        SimulatedAgentConfig(
          name=name,
          agent=str(BUNDLED_AGENTS / folder),
          eval_set_path=tmp_path / "evalsets" / f"{folder}.evalset.json",
          initial_state=state,
        )
      )
    config = SimulatorConfig(
      agents=configs,
      session_service_uri=session_service_uri
      or f"sqlite:///{(tmp_path / 'sessions.db').as_posix()}",
      base_dir=tmp_path,
    )
    return Workspace(config)

  return build


def _processes_running(script: Path) -> list[int]:
  """The processes running `script`, read from /proc (Linux)."""
  found = []
  for entry in Path("/proc").glob("[0-9]*"):
    try:
      argv = (entry / "cmdline").read_bytes().split(b"\0")
    except OSError:  # gone meanwhile, or not ours to read
      continue
    if str(script).encode() in argv:
      found.append(int(entry.name))
  return found


@pytest.fixture
def library_agent(tmp_path: Path) -> Path:
  """A copy of the MCP library agent (its server and a fresh database) in tmp_path."""
  target = tmp_path / "agents" / "library_agent"
  shutil.copytree(
    FIXTURE_AGENTS / "library_agent",
    target,
    ignore=shutil.ignore_patterns("__pycache__", "library.db"),
  )
  return target


@pytest.fixture
def library_servers(library_agent: Path) -> Callable[[], list[int]]:
  """Lists the library agent's MCP server processes now running (their pids)."""
  if not Path("/proc/self/cmdline").exists():
    pytest.skip("reads processes from /proc")
  return lambda: _processes_running(library_agent / "server.py")


_FAILING_MCP_AGENT = """\
import sys
from pathlib import Path

from google.adk.agents import LlmAgent
from google.adk.tools.mcp_tool.mcp_session_manager import StdioConnectionParams
from google.adk.tools.mcp_tool.mcp_toolset import McpToolset
from mcp import StdioServerParameters

root_agent = LlmAgent(
  name="{name}",
  model="gemini-2.5-flash",
  tools=[
    McpToolset(
      connection_params=StdioConnectionParams(
        server_params=StdioServerParameters(command={command}, args={args}),
        timeout=60,  # a busy machine starts Python slowly: let the exit, not the clock, decide
      ),
    ),
  ],
)
"""


@pytest.fixture
def failing_mcp_agents(tmp_path: Path) -> dict[str, Path]:
  """Agent folders whose MCP server cannot start: its command is missing, it exits at once."""
  agents = tmp_path / "agents"
  folders: dict[str, Path] = {}
  for name, command, args in [
    ("missing_server_agent", repr("no-such-mcp-server"), "[]"),
    ("exiting_server_agent", "sys.executable", '[str(Path(__file__).with_name("server.py"))]'),
  ]:
    folder = agents / name
    folder.mkdir(parents=True)
    (folder / "agent.py").write_text(
      _FAILING_MCP_AGENT.format(name=name, command=command, args=args), encoding="utf-8"
    )
    (folder / "server.py").write_text(
      'import sys\n\nprint("library.db: no such table: books", file=sys.stderr)\nsys.exit(3)\n',
      encoding="utf-8",
    )
    folders[name] = folder
  return folders


POSTGRES_URL_VARIABLE = "ADK_SIM_TEST_POSTGRES_URL"


def _run_on_server(server_url: str, statement: str) -> None:
  """Runs one statement on the server, on a loop of its own thread (not the test's)."""
  import asyncpg

  async def run() -> None:
    connection = await asyncpg.connect(server_url)
    try:
      await connection.execute(statement)
    finally:
      await connection.close()

  failure: list[BaseException] = []

  def on_thread() -> None:
    try:
      asyncio.run(run())
    except BaseException as error:  # re-raised on the test's thread
      failure.append(error)

  thread = threading.Thread(target=on_thread)
  thread.start()
  thread.join()
  if failure:
    raise failure[0]


@pytest.fixture
def postgres_url() -> Iterator[str]:
  """The URL of a fresh PostgreSQL database for this test alone, dropped after it.

  The server is the one ADK_SIM_TEST_POSTGRES_URL names (a SQLAlchemy URL,
  `postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres`); `.ci/run` starts a
  throwaway one and sets it. Without it the test is skipped.
  """
  server = os.environ.get(POSTGRES_URL_VARIABLE)
  if not server:
    pytest.skip(
      f"no PostgreSQL server to test against: set {POSTGRES_URL_VARIABLE}"
      " (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres); .ci/run starts one"
    )
  from sqlalchemy.engine import make_url

  url = make_url(server)
  admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
  name = f"adk_sim_test_{uuid.uuid4().hex}"
  _run_on_server(admin, f'CREATE DATABASE "{name}"')
  try:
    yield url.set(database=name).render_as_string(hide_password=False)
  finally:
    _run_on_server(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
