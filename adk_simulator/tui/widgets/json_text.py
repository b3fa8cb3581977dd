"""`JsonTextArea`: a text area for JSON where tab indents and escape still leaves.

Textual's text area takes escape for itself when tab indents (it moves the
focus on instead), so escape in a JSON box would not reach the screen's
escape (answer later, cancel, back). Here it does.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea


class JsonTextArea(TextArea):
  """A text area where tab indents and escape goes to the screen's own escape."""

  async def _on_key(self, event: events.Key) -> None:
    if event.key == "escape":
      # Textual calls every class's handler in turn; this keeps TextArea's from
      # taking the key, and the key bubbles on to the screen's bindings.
      event.prevent_default()
