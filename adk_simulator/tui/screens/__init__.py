"""The app's screens: one per phase of a session, plus modals."""
