"""The session state, the last step's changes and the artifacts, on the real runtime.

The fixture agent `scrapbook_agent` has tools that write state (`remember`) and
save artifacts through `tool_context.save_artifact` (`write_page` text,
`save_chart` PNG bytes).
"""

from __future__ import annotations

from pathlib import Path

from fixture_agents import fixture_workspace

from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.state import StateChange
from adk_simulator.engine.runtime.simulation import Simulation
from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.runtime.turns import parallel


async def notebook(tmp_path: Path, **state: object) -> Simulation:
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent, initial_state=dict(state))
  return simulation


async def test_before_the_session_the_view_is_the_initial_state(tmp_path: Path) -> None:
  simulation = await notebook(tmp_path, colour="blue")
  view = await simulation.state_view()
  assert view.state == {"colour": "blue"}
  assert view.step is None and view.changes == [] and view.artifacts == []


async def test_each_step_shows_the_state_and_what_it_changed(tmp_path: Path) -> None:
  simulation = await notebook(tmp_path, colour="blue")
  await play(
    simulation,
    [UserMessage(message="Note my colour."), call("remember", key="colour", value="red")],
  )
  view = await simulation.state_view()
  assert view.state == {"colour": "red", "kept": ["colour"]}
  assert view.step == 1
  assert view.changes == [
    StateChange(key="colour", change="changed", before="blue", after="red"),
    StateChange(key="kept", change="added", after=["colour"]),
  ]
  await play(simulation, [call("remember", key="size", value="L")])
  view = await simulation.state_view()
  assert view.step == 2
  assert view.changes == [
    StateChange(key="size", change="added", after="L"),
    StateChange(key="kept", change="changed", before=["colour"], after=["colour", "size"]),
  ]
  await play(simulation, [answer("Noted.")])
  view = await simulation.state_view()
  assert view.step == 3 and view.changes == []
  assert view.state["size"] == "L"


async def test_artifacts_show_every_version_its_step_and_content(tmp_path: Path) -> None:
  simulation = await notebook(tmp_path)
  await play(
    simulation,
    [
      UserMessage(message="Write two drafts and a chart."),
      call("write_page", name="draft.md", text="# First"),
      parallel(
        ("write_page", {"name": "draft.md", "text": "# Second"}),
        ("save_chart", {"name": "chart.png", "size": 40}),
      ),
    ],
  )
  view = await simulation.state_view()
  assert [a.name for a in view.artifacts] == ["chart.png", "draft.md"]
  chart, draft = view.artifacts
  assert [(v.version, v.step, v.text) for v in draft.versions] == [
    (0, 1, "# First"),
    (1, 2, "# Second"),
  ]
  assert draft.changed and chart.changed
  latest = chart.latest
  assert latest is not None
  assert (latest.mime_type, latest.size, latest.text, latest.kept) == ("image/png", 40, None, True)
  assert view.state["last_page"] == "draft.md"
  await play(simulation, [call("remember", key="done", value="yes")])
  view = await simulation.state_view()
  assert not any(a.changed for a in view.artifacts)


async def test_a_reopened_session_names_the_versions_its_record_holds(tmp_path: Path) -> None:
  simulation = await notebook(tmp_path)
  await play(
    simulation,
    [
      UserMessage(message="Write a page."),
      call("write_page", name="p.md", text="hi"),
      answer("Done."),
    ],
  )
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  stored = await simulation.stored_session()
  reopened = workspace.new_simulation()
  await reopened.open_session(agent, stored)
  view = await reopened.state_view()
  assert view.state["last_page"] == "p.md"
  (page,) = view.artifacts
  (version,) = page.versions
  # The artifact service of the earlier run was in memory: the record names
  # the version and its step, the content is gone.
  assert (version.version, version.step, version.kept, version.text) == (0, 1, False, None)


async def test_a_stored_record_alone_gives_state_changes_and_artifact_names(tmp_path: Path) -> None:
  from adk_simulator.engine.record.state import record_view
  from adk_simulator.engine.record.summary import recovered_initial_state

  simulation = await notebook(tmp_path, colour="blue")
  await play(
    simulation,
    [
      UserMessage(message="Write a page."),
      call("write_page", name="p.md", text="hi"),
      call("remember", key="colour", value="green"),
    ],
  )
  session = await simulation.stored_session()
  view = record_view(session.events, session.state, recovered_initial_state(session))
  assert view.state["colour"] == "green" and view.step == 2
  assert [c.key for c in view.changes] == ["colour", "kept"]
  (page,) = view.artifacts
  assert [(v.version, v.step, v.kept) for v in page.versions] == [(0, 1, False)]
  assert not page.changed


async def test_each_artifact_version_is_loaded_once(tmp_path: Path) -> None:
  from google.adk.artifacts.in_memory_artifact_service import InMemoryArtifactService

  loads: list[str] = []

  class CountingLoads(InMemoryArtifactService):
    async def load_artifact(self, **kwargs):  # type: ignore[override]
      loads.append(kwargs["filename"])
      return await super().load_artifact(**kwargs)

  workspace, agent = fixture_workspace(tmp_path, "Notebook", "scrapbook_agent")
  simulation = workspace.new_simulation()
  simulation.artifact_service = CountingLoads()
  await simulation.select_agent(agent)
  await play(
    simulation,
    [UserMessage(message="Two pages."), call("write_page", name="a.md", text="A")],
  )
  await simulation.state_view()
  assert loads == ["a.md"]
  await play(simulation, [call("write_page", name="a.md", text="B")])
  view = await simulation.state_view()
  assert loads == ["a.md", "a.md"], "only the new version is loaded"
  (page,) = view.artifacts
  assert [v.text for v in page.versions] == ["A", "B"]
