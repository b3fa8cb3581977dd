"""The Textual app over the engine."""
