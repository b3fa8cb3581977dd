"""The layout holds: ADK internals in one module, no patched user objects, no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "adk_simulator"
COMPAT = PACKAGE / "engine" / "adk.py"
TEXTUAL_COMPAT = PACKAGE / "tui" / "textual_internals.py"
"""Textual's internals that type-ahead reads, pinned by tests/tui/test_type_ahead.py."""


def _modules() -> dict[str, ast.Module]:
  found = {}
  for path in PACKAGE.rglob("*.py"):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
  return found


def test_adk_internals_are_touched_only_in_the_compat_module():
  offenders = []
  for path in PACKAGE.rglob("*.py"):
    if path in (COMPAT, TEXTUAL_COMPAT):
      continue
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
      if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("google."):
        private = [a.name for a in node.names if a.name.startswith("_")]
        if any(p.startswith("_") for p in node.module.split(".")) or private:
          offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: from {node.module}")
      if (
        isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls", "os"))
      ):
        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
  assert not offenders, "private names belong in engine/adk.py:\n" + "\n".join(offenders)


def test_no_class_is_ever_reassigned():
  offenders = []
  for path in PACKAGE.rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
      targets = node.targets if isinstance(node, ast.Assign) else []
      if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr":
        if len(node.args) > 1 and getattr(node.args[1], "value", None) == "__class__":
          offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
      for target in targets:
        if isinstance(target, ast.Attribute) and target.attr == "__class__":
          offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
  assert not offenders


def _import_time_nodes(tree: ast.Module) -> list[ast.stmt]:
  """The statements that run when the module is imported: not functions, not TYPE_CHECKING."""
  found: list[ast.stmt] = []
  pending: list[ast.stmt] = list(tree.body)
  while pending:
    node = pending.pop()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
      continue
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
      pending.extend(node.orelse)
      continue
    found.append(node)
    for field in ("body", "orelse", "handlers", "finalbody"):
      pending.extend(getattr(node, field, None) or [])
  return found


def test_no_import_cycle():
  """No cycle among the imports that run at import time (lazy, in-function ones excepted)."""
  modules = _modules()
  graph: dict[str, set[str]] = {name: set() for name in modules}
  for name, tree in modules.items():
    for node in _import_time_nodes(tree):
      if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
      elif isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
      else:
        continue
      graph[name].update(t for t in targets if t in modules and t != name)

  cycles = []
  state: dict[str, int] = {}
  path: list[str] = []

  def visit(node: str) -> None:
    state[node] = 1
    path.append(node)
    for nxt in sorted(graph[node]):
      if state.get(nxt) == 1:
        cycles.append(" → ".join([*path[path.index(nxt) :], nxt]))
      elif nxt not in state:
        visit(nxt)
    path.pop()
    state[node] = 2

  for name in sorted(graph):
    if name not in state:
      visit(name)
  assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_screens_reach_the_app_only_through_its_services():
  offenders = []
  for path in (PACKAGE / "tui").rglob("*.py"):
    if path.name == "app.py":
      continue
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
      if isinstance(node, ast.ImportFrom) and node.module == "adk_simulator.tui.app":
        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
  assert not offenders, "use adk_simulator.tui.services instead:\n" + "\n".join(offenders)


def test_test_files_have_names_of_their_own():
  # The test folders are not packages: pytest imports each file by its name,
  # so two files of one name in different folders stop the whole run.
  root = Path(__file__).resolve().parent
  names: dict[str, list[str]] = {}
  for path in root.rglob("test_*.py"):
    names.setdefault(path.name, []).append(str(path.relative_to(root)))
  assert not {name: paths for name, paths in names.items() if len(paths) > 1}
