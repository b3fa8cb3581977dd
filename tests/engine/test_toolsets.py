"""Agents whose tools come from an MCP server over stdio: loading, playing, export, replay.

The server is real (`tests/fixtures/agents/library_agent/server.py`, FastMCP
over a SQLite file), started by ADK's `McpToolset` as it would be in production.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixture_agents import fixture_workspace
from google.adk.evaluation.eval_set import EvalSet

from adk_simulator.engine.agents import toolsets
from adk_simulator.engine.agents.loader import AgentLoadFailure
from adk_simulator.engine.agents.loader import load_agents
from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.replay.replayer import replay_session
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call

BEGIN = "<<<BEGIN_UNTRUSTED_TOOL_DESCRIPTION>>>"


def server_result(output: Any) -> Any:
  """What the MCP server's tool returned: ADK hands over the MCP `CallToolResult`."""
  assert isinstance(output, dict) and output["isError"] is False, output
  (content,) = output["content"]
  assert content["type"] == "text"
  return json.loads(content["text"])


async def test_an_mcp_agent_loads_with_the_servers_tools(tmp_path: Path, library_agent: Path):
  workspace, agent = fixture_workspace(tmp_path, "Library", library_agent)
  try:
    assert (agent.tool_count, agent.toolset_count) == (2, 1)
    simulation = workspace.new_simulation()
    await simulation.select_agent(agent)
    await simulation.submit_query("Anything by Le Guin?")
    request = simulation.pending
    assert request is not None
    assert [tool.name for tool in request.tools] == ["add_book", "search_books"]
    search = request.tool("search_books")
    assert search is not None
    # What the model gets: ADK's fence around the server's text...
    assert search.description.startswith(BEGIN + "\nFinds the books")
    assert "were supplied by the tool's own server" in request.system_instruction, "ADK's note"
    # ...and what lists and forms show: the server's own text.
    assert search.summary == "Finds the books whose title or author contains the query (any case)."
    assert search.own_description.startswith("Finds the books")
    assert BEGIN not in str(search.own_parameters)
    assert search.own_parameters["properties"]["query"]["description"] == (
      "A word of the title or of the author's name."
    )
    await simulation.abandon()
  finally:
    await workspace.close()


async def test_a_session_calls_the_server_and_replays_identical(
  tmp_path: Path, library_agent: Path, library_servers: Callable[[], list[int]]
):
  workspace, agent = fixture_workspace(tmp_path, "Library", library_agent)
  assert library_servers() == [], "the server listing the tools at load is closed"
  try:
    simulation = workspace.new_simulation()
    await simulation.select_agent(agent)
    await play(
      simulation,
      [
        UserMessage(message="I am donating Kindred; anything else by Le Guin?"),
        call("add_book", title="Kindred", author="Octavia E. Butler", year=1979),
        call("search_books", query="le guin"),
        answer("Thanks for Kindred! We have two books by Le Guin."),
      ],
    )
    assert simulation.phase is Phase.COMPLETED
    outputs = [e for e in simulation.history.entries if isinstance(e, ToolOutput)]
    assert [o.tool_name for o in outputs] == ["add_book", "search_books"]
    added = server_result(outputs[0].output)
    assert added == {"id": 4, "title": "Kindred", "author": "Octavia E. Butler", "year": 1979}
    assert [book["title"] for book in server_result(outputs[1].output)["books"]] == [
      "The Left Hand of Darkness",
      "The Dispossessed",
    ]

    result = await simulation.export()
    case = EvalSet.model_validate_json(result.path.read_text()).eval_cases[-1]
    (turn,) = case.conversation
    assert turn.intermediate_data is not None
    uses = [(u.name, u.args) for u in turn.intermediate_data.tool_uses]  # type: ignore[union-attr]
    assert uses == [
      ("add_book", {"title": "Kindred", "author": "Octavia E. Butler", "year": 1979}),
      ("search_books", {"query": "le guin"}),
    ]

    # Against the same server and database: the library has Kindred already.
    stored = await simulation.stored_session()
    report = await replay_session(workspace.scratch_simulation(), agent, stored)
    assert report.outcome == "identical", report
    assert [s.tool_name for s in report.steps] == ["add_book", "search_books"]
    assert len(library_servers()) == 1, "one server, shared by the sessions on this loop"
  finally:
    await workspace.close()
  assert library_servers() == [], "closing the workspace ends the server"


def test_a_server_that_cannot_start_is_a_load_error_naming_it(
  failing_mcp_agents: dict[str, Path], tmp_path: Path
):
  configs = [
    SimulatedAgentConfig(name, folder, base_dir=tmp_path)
    for name, folder in failing_mcp_agents.items()
  ]

  missing, exiting = load_agents(configs)

  assert isinstance(missing, AgentLoadFailure) and isinstance(exiting, AgentLoadFailure)
  assert missing.error == (
    'agent "missing_server_agent": its MCP server `no-such-mcp-server` failed to start:'
    " command not found: no-such-mcp-server. Check that the command runs on its own, or fix"
    " the toolset's connection in the agent's code."
  )
  server = failing_mcp_agents["exiting_server_agent"] / "server.py"
  assert f"its MCP server `{sys.executable} {server}` failed to start" in exiting.error
  assert "the server exited or closed its output before answering" in exiting.error
  # What the server said went to its log, not to the terminal, and the reason quotes it.
  log = tmp_path / ".adk-simulator" / "servers" / "exiting_server_agent.log"
  assert f"The server wrote: library.db: no such table: books (all of it in {log})" in (
    exiting.error
  )
  assert "Traceback" not in missing.error + exiting.error
  assert "ConnectionError" in exiting.traceback, "the traceback is kept for `x`"


def test_a_server_that_never_answers_fails_within_the_bound(
  tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
  # Reads its input until the client goes away, and never answers.
  silent = tmp_path / "silent.py"
  silent.write_text("import sys\n\nsys.stdin.read()\n", encoding="utf-8")
  folder = tmp_path / "agents" / "silent_agent"
  folder.mkdir(parents=True)
  (folder / "agent.py").write_text(
    textwrap.dedent(
      f"""\
      import sys

      from google.adk.agents import LlmAgent
      from google.adk.tools.mcp_tool.mcp_session_manager import StdioConnectionParams
      from google.adk.tools.mcp_tool.mcp_toolset import McpToolset
      from mcp import StdioServerParameters

      root_agent = LlmAgent(
        name="silent_agent",
        model="gemini-2.5-flash",
        tools=[
          McpToolset(
            connection_params=StdioConnectionParams(
              server_params=StdioServerParameters(command=sys.executable, args=[{str(silent)!r}]),
              timeout=600,
            ),
          ),
        ],
      )
      """
    ),
    encoding="utf-8",
  )
  monkeypatch.setattr(toolsets, "TOOLSET_LOAD_TIMEOUT_SECONDS", 1.0)

  (failure,) = load_agents([SimulatedAgentConfig("Silent", folder)])

  assert isinstance(failure, AgentLoadFailure)
  assert "failed to start: no tools listed within 1 s" in failure.error
