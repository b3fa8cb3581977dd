"""Loading agents, and the registry of loaded ones."""
