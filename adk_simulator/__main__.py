"""`python -m adk_simulator` is `adk-sim`."""

from __future__ import annotations

from adk_simulator.cli.main import run

run()
