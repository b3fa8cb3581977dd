"""The one reader of ADK session events, the history entries, the simulator's notes."""
