"""The `adk-sim` command line; `adk_simulator.cli.main:main` is the entry point."""
