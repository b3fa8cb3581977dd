"""Replaying a record against the live tools, and the diffs."""
