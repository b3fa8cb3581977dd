"""A parallel turn in the timeline: each output shows as its call ends, the rest marked running.

`scrapbook_agent`'s `copy_file` ends when the test writes the file it waits
for, so the test holds the slow call open while it reads the screen.
"""

from __future__ import annotations

from pathlib import Path

from tui_helpers import WorkspaceFactory
from tui_helpers import pick_agent
from tui_helpers import pick_tool
from tui_helpers import screen_text
from tui_helpers import send_query
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.widgets.timeline import Timeline

NOTEBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "agents" / "scrapbook_agent"


async def test_outputs_show_as_each_call_ends(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  gate = tmp_path / "gate.txt"
  app = SimulatorApp(tui_workspace(extra={"Notebook": {"agent": NOTEBOOK}}))
  async with app.run_test(size=(120, 40)) as pilot:
    await pick_agent(pilot, "Notebook")
    await send_query(pilot, "Two things at once.")
    simulation = app.simulation
    assert simulation is not None
    await pilot.press("t")
    await settle(pilot)
    await pick_tool(pilot, "copy_file", str(gate), "copied")
    await pilot.press("ctrl+t")
    await settle(pilot)
    await pick_tool(pilot, "remember", "colour", "red")
    await pilot.press("ctrl+s")  # copy_file waits for the gate: no settling now

    timeline = app.screen.query_one(Timeline)

    def shown() -> list[tuple[str, str, bool]]:
      return [
        (e.entry.kind, getattr(e.entry, "tool_name", ""), e.running) for e in timeline.entries
      ]

    try:
      await wait_until(pilot, lambda: ("tool_output", "remember", False) in shown())
    except AssertionError:
      gate.write_text("hello", encoding="utf-8")  # let the call end, so the app can stop
      raise
    assert shown()[-3:] == [
      ("tool_call", "copy_file", True),
      ("tool_call", "remember", False),
      ("tool_output", "remember", False),
    ]
    text = screen_text(app)
    assert "copy_file · scrapbook_agent · running" in text
    assert '{"remembered": "colour"}' in text
    # Shown, not recorded: ADK stores the two responses together, later.
    assert not [e for e in simulation.history.entries if isinstance(e, ToolOutput)]

    gate.write_text("hello", encoding="utf-8")
    await wait_until(pilot, lambda: simulation.pending is not None and simulation.pending.step == 2)
    await settle(pilot)
    # Now as ADK stored them: both outputs, in call order, nothing running.
    assert shown()[-4:] == [
      ("tool_call", "copy_file", False),
      ("tool_call", "remember", False),
      ("tool_output", "copy_file", False),
      ("tool_output", "remember", False),
    ]
    assert "running" not in screen_text(app)
