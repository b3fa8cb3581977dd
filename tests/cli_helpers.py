"""Running `adk-sim` in the test process, in a project folder of the test's own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from adk_simulator.cli.main import main

FIXTURE_AGENTS = Path(__file__).resolve().parent / "fixtures" / "agents"


def run(project: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
  """`adk-sim ARGS` run from `project`: the exit code, stdout and stderr."""
  cwd = os.getcwd()
  os.chdir(project)
  try:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
  finally:
    os.chdir(cwd)
  return result.exit_code, result.stdout, result.stderr


def write_script(project: Path, data: object, name: str = "s.json") -> Path:
  path = project / name
  path.write_text(json.dumps(data), encoding="utf-8")
  return path


def fixture_project(project: Path, name: str, folder: str) -> Path:
  """A config in `project` with one agent, the fixture agent `folder`, stored in SQLite."""
  agent = (FIXTURE_AGENTS / folder).as_posix()
  (project / "adk-simulator.toml").write_text(
    f'session_service_uri = "sqlite:///sessions.db"\n\n[[agents]]\nname = "{name}"\n'
    f'agent = "{agent}"\n',
    encoding="utf-8",
  )
  return project
