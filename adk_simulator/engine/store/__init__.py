"""Session services and the store of saved sessions."""
