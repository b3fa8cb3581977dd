"""WCAG contrast of what the app draws: every character cell, its colours as rendered.

Reads the screen's composited strips (what is sent to the terminal: colours
already blended with what is under them) and, for every cell that holds a
character of text, computes the WCAG 2 contrast ratio of its foreground and
background. `dim` text is counted as terminals draw it, halfway to the
background; `reverse` swaps the two. Box-drawing and block characters
(borders, scrollbars, the tall cursor) are not text and are left out, as are
disabled controls and what a modal dims under it, which WCAG exempts (inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from textual.app import App
from textual.errors import NoWidget
from textual.screen import ModalScreen

AA = 4.5
"""WCAG AA for normal text."""

NOT_TEXT = [(0x2500, 0x259F), (0x25A0, 0x25FF), (0x2800, 0x28FF)]
"""Box drawing, blocks, geometric shapes (▶ ▼ ⭘ are UI marks, not words), braille."""


def _channel(value: int) -> float:
  c = value / 255
  return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
  r, g, b = rgb
  return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
  """The WCAG contrast ratio of two colours, 1 to 21."""
  la, lb = sorted((luminance(a), luminance(b)), reverse=True)
  return (la + 0.05) / (lb + 0.05)


def _rgb(color: Color | None) -> tuple[int, int, int] | None:
  if color is None or color.is_default:
    return None
  triplet = color.get_truecolor()
  return (triplet.red, triplet.green, triplet.blue)


def _blend(a: tuple[int, int, int], b: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
  return (
    round(a[0] + (b[0] - a[0]) * amount),
    round(a[1] + (b[1] - a[1]) * amount),
    round(a[2] + (b[2] - a[2]) * amount),
  )


def _is_text(char: str) -> bool:
  if char.isspace():
    return False
  code = ord(char)
  return not any(start <= code <= end for start, end in NOT_TEXT)


@dataclass
class LowContrast:
  """Text drawn with too little contrast."""

  widget: str
  text: str
  ratio: float
  where: tuple[int, int]
  colours: tuple[tuple[int, int, int], tuple[int, int, int]]

  def __str__(self) -> str:
    fg, bg = ("#{:02x}{:02x}{:02x}".format(*c) for c in self.colours)
    return f"{self.widget}: {self.text!r} at {self.where} is {self.ratio:.2f}:1 ({fg} on {bg})"


def low_contrast(app: App[Any], *, minimum: float = AA) -> list[LowContrast]:
  """Every run of text on the current screen (modals included) below `minimum`."""
  screen = app.screen
  found: dict[tuple[str, tuple[int, int, int], tuple[int, int, int]], LowContrast] = {}
  for y, strip in enumerate(screen._compositor.render_strips()):  # noqa: SLF001
    x = 0
    for segment in strip:
      text, style = segment.text, segment.style or Style()
      offset = 0
      for char in text:
        at, offset = offset, offset + cell_len(char)
        if not _is_text(char):
          continue
        fg, bg = _rgb(style.color), _rgb(style.bgcolor)
        if fg is None or bg is None:
          continue
        if style.reverse:
          fg, bg = bg, fg
        if style.dim:
          fg = _blend(fg, bg, 0.5)
        value = ratio(fg, bg)
        if value >= minimum:
          continue
        name = _widget_at(app, x + at, y)
        if name is None:
          continue
        key = (name, fg, bg)
        if key in found:
          found[key].text += char
        else:
          found[key] = LowContrast(name, char, value, (x + at, y), (fg, bg))
      x += segment.cell_length
  return list(found.values())


def _widget_at(app: App[Any], x: int, y: int) -> str | None:
  """The widget drawn at (x, y), as `Type#id.class`; None for a disabled one."""
  try:
    widget, _ = app.screen.get_widget_at(x, y)
  except NoWidget:
    return "?"
  if widget.disabled or widget.has_class("-disabled"):
    return None
  if isinstance(widget, ModalScreen):
    return None  # the dimmed screen under a modal: inactive while the modal is up
  name = type(widget).__name__
  if widget.id:
    name += f"#{widget.id}"
  classes = [c for c in widget.classes if not c.startswith("-textual")]
  if classes:
    name += "." + ".".join(sorted(classes))
  return name


def colours_at(app: App[Any], x: int, y: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
  """The (foreground, background) drawn at screen cell (x, y)."""
  strip = app.screen._compositor.render_strips()[y]  # noqa: SLF001
  position = 0
  for segment in strip:
    if position + segment.cell_length > x:
      style = segment.style or Style()
      bg = _rgb(style.bgcolor)
      assert bg is not None, (x, y, segment)
      fg = _rgb(style.color) or bg
      return (bg, fg) if style.reverse else (fg, bg)
    position += segment.cell_length
  raise IndexError((x, y))
