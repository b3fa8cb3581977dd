"""The app paints before ADK loads, and never imports ADK itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "adk_simulator" / "tui"


def test_starting_the_app_imports_neither_adk_nor_genai() -> None:
  # A fresh interpreter: this test process has long imported ADK.
  code = (
    "import sys\n"
    "import adk_simulator.tui.app\n"
    "heavy = sorted(m for m in sys.modules if m.startswith(('google.adk', 'google.genai')))\n"
    "print(heavy)\n"
    "assert not heavy, heavy\n"
  )
  result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
  assert result.returncode == 0, result.stdout + result.stderr


def test_no_tui_module_imports_google_adk() -> None:
  offenders = []
  for path in TUI.rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
      names = []
      if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
      elif isinstance(node, ast.ImportFrom) and node.module:
        names = [node.module]
      offenders += [f"{path.relative_to(TUI)}: {n}" for n in names if n.startswith("google.adk")]
  assert not offenders
