"""The code stays linted, formatted, typed, and layered."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["adk_simulator", "tests", "agents"]


def _tool(name: str) -> str:
  found = shutil.which(name, path=str(Path(sys.executable).parent))
  if found is None:
    pytest.fail(f"{name} is not installed in this environment: run `uv sync`")
  return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
  return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint():
  done = _run(_tool("ruff"), "check", *CHECKED)
  assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
  done = _run(_tool("ruff"), "format", "--check", *CHECKED)
  assert done.returncode == 0, done.stdout + done.stderr


def test_types():
  done = _run(_tool("basedpyright"), "adk_simulator")
  assert done.returncode == 0, done.stdout + done.stderr


def _imports_after(code: str) -> set[str]:
  probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
  done = subprocess.run(
    [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
  )
  assert done.returncode == 0, done.stderr
  return set(done.stdout.split())


def test_engine_never_imports_textual():
  engine = [
    ".".join(p.relative_to(REPO_ROOT / "adk_simulator" / "engine").with_suffix("").parts)
    for p in (REPO_ROOT / "adk_simulator" / "engine").rglob("*.py")
    if p.stem != "__init__"
  ]
  code = "\n".join(f"import adk_simulator.engine.{name}" for name in engine)
  code += "\nimport adk_simulator.cli.main\nimport adk_simulator.api"
  loaded = _imports_after(code)
  assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_tui_never_imports_adk_directly():
  offenders = []
  for path in (REPO_ROOT / "adk_simulator" / "tui").rglob("*.py"):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
      stripped = line.strip()
      if stripped.startswith(("import google.adk", "from google.adk")):
        offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {stripped}")
  assert not offenders, "the TUI goes through the engine:\n" + "\n".join(offenders)


def test_cheap_modules_do_not_load_adk():
  """What the app needs to paint its first screen must not wait for ADK."""
  loaded = _imports_after(
    "import adk_simulator, adk_simulator.cli.main, adk_simulator.engine.workspace,"
    " adk_simulator.engine.config.model, adk_simulator.engine.config.files,"
    " adk_simulator.engine.runtime.turns, adk_simulator.engine.schema.forms"
  )
  assert not {m for m in loaded if m.startswith("google.adk")}
