"""An agent whose tools come from a real MCP server (stdio), played with keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static
from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import type_text
from tui_helpers import wait_until

from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen
from adk_simulator.tui.screens.active import ActiveScreen
from adk_simulator.tui.screens.agent_picker import AgentPickerScreen
from adk_simulator.tui.widgets.model_view import ToolCard

BEGIN = "<<<BEGIN_UNTRUSTED_TOOL_DESCRIPTION>>>"
SEARCH_SUMMARY = "Finds the books whose title or author contains the query (any case)."


async def test_an_mcp_tool_is_called_through_its_form(
  tui_workspace: WorkspaceFactory,
  library_agent: Path,
  library_servers: Callable[[], list[int]],
  failing_mcp_agents: dict[str, Path],
) -> None:
  workspace = tui_workspace(
    extra={
      "Library": {"agent": library_agent},
      "Broken": {"agent": failing_mcp_agents["missing_server_agent"]},
    }
  )
  app = SimulatorApp(workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    picker = app.screen
    assert isinstance(picker, AgentPickerScreen)
    library, broken = picker.rows
    assert library.loaded is not None and library.loaded.tool_count == 2
    assert broken.failure is not None
    assert "MCP server `no-such-mcp-server` failed to start: command not found" in (
      broken.failure.error
    )
    assert "failed to start: command not found: no-such-mcp-server" in screen_text(app)

    await pick_agent(pilot, "Library")
    await send_query(pilot, "Anything by Le Guin?")
    assert isinstance(app.screen, ActiveScreen)
    # The model view shows the request as sent: ADK's fence included.
    cards = {card.tool.name: card for card in app.screen.query(ToolCard)}
    shown = str(cards["search_books"].query_one(".tool-description", Static).render())
    assert shown.startswith(BEGIN)

    await pilot.press("t")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ToolCallScreen)
    await type_text(pilot, "search")
    assert screen.picker.visible_tools() == ["search_books"]
    listed = str(screen.picker.option_list.get_option_at_index(0).prompt)
    assert SEARCH_SUMMARY in listed and BEGIN not in listed
    await pilot.press("enter")
    await settle(pilot)
    description = str(screen.query_one("#call-description-text", Static).render())
    assert description.startswith("Finds the books") and BEGIN not in description
    form_text = screen_text(app)
    assert "A word of the title or of the author's name." in form_text
    assert "UNTRUSTED" not in form_text
    await type_text(pilot, "le guin")
    await pilot.press("ctrl+s")
    await settle(pilot)

    simulation = app.simulation
    assert simulation is not None
    await wait_until(
      pilot, lambda: any(isinstance(e, ToolOutput) for e in simulation.history.entries)
    )
    (output,) = [e for e in simulation.history.entries if isinstance(e, ToolOutput)]
    assert output.tool_name == "search_books"
    (content,) = output.output["content"]
    titles = [book["title"] for book in json.loads(content["text"])["books"]]
    assert titles == ["The Left Hand of Darkness", "The Dispossessed"]
    assert "OUTPUT  search_books" in screen_text(app)
    assert len(library_servers()) == 1
  assert library_servers() == [], "the app closes the MCP sessions when it ends"
