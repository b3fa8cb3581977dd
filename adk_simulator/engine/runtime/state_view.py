"""Reads a session's state and artifacts for `Simulation.state_view`.

The state comes from the session service (what ADK stored, `app:` and `user:`
keys included), the last step's changes from the events, and the artifacts
from the runner's artifact service: every name, every version, its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from adk_simulator.engine.record.state import ArtifactView
from adk_simulator.engine.record.state import StateView
from adk_simulator.engine.record.state import artifact_saves
from adk_simulator.engine.record.state import last_step_artifacts
from adk_simulator.engine.record.state import state_changes
from adk_simulator.engine.record.state import version_view

if TYPE_CHECKING:
  from google.adk.artifacts.base_artifact_service import BaseArtifactService
  from google.adk.events.event import Event
  from google.adk.sessions.base_session_service import BaseSessionService


async def read_state_view(
  *,
  session_service: BaseSessionService,
  artifact_service: BaseArtifactService | None,
  app_name: str,
  user_id: str,
  session_id: str | None,
  events: Sequence[Event],
  initial_state: dict[str, Any],
  loaded: dict[tuple[str, int], Any] | None = None,
) -> StateView:
  """The state view of one session; before it exists, its initial state.

  Args:
    loaded: Artifact versions loaded before, by (name, version): a saved
      version never changes, so each is loaded once.
  """
  loaded = {} if loaded is None else loaded
  if session_id is None:
    return StateView(state=dict(initial_state))
  from google.adk.sessions.base_session_service import GetSessionConfig

  session = await session_service.get_session(
    app_name=app_name,
    user_id=user_id,
    session_id=session_id,
    config=GetSessionConfig(num_recent_events=0),
  )
  state = dict(session.state) if session is not None else dict(initial_state)
  step, changes = state_changes(events, initial_state)
  saves = artifact_saves(events)
  changed = last_step_artifacts(events)
  names = dict.fromkeys(saves)
  if artifact_service is not None:
    keys = await artifact_service.list_artifact_keys(
      app_name=app_name, user_id=user_id, session_id=session_id
    )
    names.update(dict.fromkeys(keys))
  artifacts = []
  for name in sorted(names):
    where = {"app_name": app_name, "user_id": user_id, "session_id": session_id}
    recorded = saves.get(name, {})
    kept: list[int] = []
    if artifact_service is not None:
      kept = await artifact_service.list_versions(filename=name, **where)
    versions = []
    for version in sorted(set(kept) | set(recorded)):
      part = loaded.get((name, version)) if version in kept else None
      if part is None and version in kept and artifact_service is not None:
        part = await artifact_service.load_artifact(filename=name, version=version, **where)
        if part is not None:
          loaded[(name, version)] = part
      versions.append(version_view(version, recorded.get(version), part))
    artifacts.append(ArtifactView(name=name, versions=versions, changed=name in changed))
  return StateView(state=state, step=step, changes=changes, artifacts=artifacts)
