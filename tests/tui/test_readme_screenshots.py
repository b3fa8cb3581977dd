"""The README's screenshots are the reviewed snapshots, never stale copies."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("refresh", HERE / "screenshots" / "refresh.py")
assert _spec is not None and _spec.loader is not None
refresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh)


@pytest.mark.parametrize(("name", "snapshot"), sorted(refresh.SCREENSHOTS.items()))
def test_screenshot_matches_its_snapshot(name: str, snapshot: str) -> None:
  shown = HERE / "screenshots" / name
  assert shown.read_bytes() == (HERE / "__snapshots__" / snapshot).read_bytes(), (
    f"{name} is stale: run `uv run python tests/tui/screenshots/refresh.py`"
  )


def test_the_readme_shows_every_screenshot() -> None:
  readme = (HERE.parents[1] / "README.md").read_text(encoding="utf-8")
  for name in refresh.SCREENSHOTS:
    assert f"tests/tui/screenshots/{name}" in readme
