"""The `adk-sim` command line; `adk_simulator.cli.main:run` is the entry point."""
