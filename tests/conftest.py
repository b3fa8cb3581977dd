"""Fixtures shared by every test: the bundled agents and workspaces over them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adk_simulator.engine.config.model import SimulatedAgentConfig
from adk_simulator.engine.config.model import SimulatorConfig
from adk_simulator.engine.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_AGENTS = REPO_ROOT / "agents"

HELPDESK_STATE = {"desk_name": "Acme Support"}


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
