"""The footer of every screen: the keys that apply now."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
  """Textual's footer, compact, rebuilt once per burst of binding changes.

  A model turn changes what applies several times in a few milliseconds
  (the turn is sent, a tool starts, it ends, the model is asked again, the
  focus follows the timeline); the stock footer rebuilds all its keys for
  each change.
  """

  _rebuild_scheduled = False

  def __init__(self) -> None:
    # Compact: at 80 columns every key counts.
    super().__init__(compact=True)

  def bindings_changed(self, screen: Screen) -> None:
    if not self._rebuild_scheduled:
      self._rebuild_scheduled = True
      self.call_after_refresh(self._rebuild, screen)

  def _rebuild(self, screen: Screen) -> None:
    self._rebuild_scheduled = False
    super().bindings_changed(screen)
