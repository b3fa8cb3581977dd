"""Fixtures for the app's tests: a real config file over the bundled agents."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import WorkspaceFactory

from adk_simulator.engine.config.files import load_config
from adk_simulator.engine.workspace import Workspace

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"

BUNDLED = {
  "Math": {"agent": AGENTS_DIR / "math_agent", "eval_set": "evalsets/math.evalset.json"},
  "Helpdesk": {
    "agent": AGENTS_DIR / "helpdesk_agent",
    "eval_set": "evalsets/helpdesk.evalset.json",
    "initial_state": {"desk_name": "Acme Support"},
  },
  "Quote": {"agent": AGENTS_DIR / "quote_agent", "eval_set": "evalsets/quote.evalset.json"},
}


def _toml_value(value: Any) -> str:
  if isinstance(value, Path):
    value = value.as_posix()
  if isinstance(value, dict):
    return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
  # JSON strings, numbers and booleans are valid TOML.
  return json.dumps(value)


def write_config(
  folder: Path,
  agents: dict[str, dict[str, Any]],
  *,
  session_service_uri: str = "sqlite:///sessions.db",
) -> Path:
  """Writes `adk-simulator.toml` into `folder` and returns its path."""
  lines = [f"session_service_uri = {_toml_value(session_service_uri)}"]
  for name, keys in agents.items():
    lines.append("")
    lines.append("[[agents]]")
    lines.append(f"name = {_toml_value(name)}")
    lines.extend(f"{key} = {_toml_value(value)}" for key, value in keys.items())
  path = folder / "adk-simulator.toml"
  path.write_text("\n".join(lines) + "\n", encoding="utf-8")
  return path


@pytest.fixture
def tui_workspace(tmp_path: Path) -> WorkspaceFactory:
  """A workspace read from a config file in tmp_path, over bundled agents by name.

  `tui_workspace("Math", "Helpdesk")`; pass `extra={"Name": {"agent": ...}}`
  for agents of the test's own, and `session_service_uri` to change the store.
  """

  def build(
    *names: str,
    extra: dict[str, dict[str, Any]] | None = None,
    session_service_uri: str = "sqlite:///sessions.db",
  ) -> Workspace:
    agents = {name: BUNDLED[name] for name in names}
    agents.update(extra or {})
    path = write_config(tmp_path, agents, session_service_uri=session_service_uri)
    return Workspace(load_config(path))

  return build


@pytest.fixture
def utc() -> Iterator[None]:
  """Local time is UTC while the app runs, so the times shown are always the same
  (`pytestmark = pytest.mark.usefixtures("utc")` in a module that shows times)."""
  before = os.environ.get("TZ")
  os.environ["TZ"] = "UTC"
  time.tzset()
  yield
  if before is None:
    del os.environ["TZ"]
  else:
    os.environ["TZ"] = before
  time.tzset()
