"""Legible colours in every theme: text at 4.5:1 or more (WCAG AA) on what it is drawn on.

Textual's themes derive their text colours from the theme's base colours, and
some come out faint: in `textual-light` the accent and success text are under
2:1 on the background, in `textual-dark` the error red about 3.4:1, and the
muted and placeholder greys of both sit near 3:1. `legible` takes the CSS
variables a theme generates and moves each text colour (lighter on a dark
theme, darker on a light one) until it reaches `TARGET` on every background
it is drawn on. The base colours themselves (backgrounds, borders) are left as
the theme made them, so every theme keeps its look; the app's styles use the
`$text-*` colours for text, never the base ones.

The app applies it to whichever theme is chosen (ctrl+p → theme).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.color import Color

TARGET = 4.6
"""A little over 4.5:1, so rounding in a terminal's colour handling cannot drop below."""

BACKGROUNDS = ("background", "surface", "panel", "boost")
"""What most text is drawn on (boost is the faint overlay of focused rows)."""

TEXT_COLOURS = (
  "text-primary",
  "text-secondary",
  "text-accent",
  "text-success",
  "text-warning",
  "text-error",
)

AUTO_ALPHAS = {"text-muted": 60, "text-disabled": 38}
"""`auto N%` greys (the theme's contrasting colour at N% over what is under it)."""


def _luminance(color: Color) -> float:
  def channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

  r, g, b = color.rgb
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Color, b: Color) -> float:
  """The WCAG contrast ratio of two opaque colours, 1 to 21."""
  high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
  return (high + 0.05) / (low + 0.05)


def _parse(value: str | None) -> Color | None:
  if not value:
    return None
  try:
    return Color.parse(value)
  except Exception:  # "auto 60%", "ansi_default": not a plain colour
    return None


def _over(color: Color, background: Color) -> Color:
  return background.blend(color.with_alpha(1.0), color.a) if color.a < 1 else color


def readable(color: Color, backgrounds: Iterable[Color], target: float = TARGET) -> Color:
  """`color`, lightened or darkened just enough to reach `target` on every background."""
  grounds = list(backgrounds)
  if not grounds:
    return color
  dark = sum(_luminance(g) for g in grounds) / len(grounds) < 0.18
  towards = Color(255, 255, 255) if dark else Color(0, 0, 0)
  for step in range(21):
    candidate = color.blend(towards, step / 20)
    if all(contrast(_over(candidate, g), g) >= target for g in grounds):
      return candidate
  return towards


def _auto_alpha(grounds: list[Color], start: int, target: float = TARGET) -> int:
  """The least alpha (from `start`) of the contrasting colour that reaches `target`."""
  for alpha in range(start, 101, 2):
    if all(contrast(g.blend(g.get_contrast_text(1.0), alpha / 100), g) >= target for g in grounds):
      return alpha
  return 100


def legible(variables: dict[str, str]) -> dict[str, str]:
  """`variables` (a theme's CSS variables) with every text colour at `TARGET` or more."""
  fixed = dict(variables)
  grounds = [c for c in (_parse(variables.get(name)) for name in BACKGROUNDS) if c is not None]
  base = [g for g in grounds if g.a == 1]
  if not base:
    return fixed  # an ANSI theme: the terminal picks the colours
  grounds = [_over(g, base[0]) for g in grounds]
  footer = _parse(variables.get("footer-background"))
  if footer is not None:
    grounds.append(_over(footer, base[0]))
  for name in TEXT_COLOURS:
    color = _parse(variables.get(name))
    if color is not None:
      fixed[name] = readable(color, grounds).hex
  for name, start in AUTO_ALPHAS.items():
    if variables.get(name, "").startswith("auto"):
      fixed[name] = f"auto {_auto_alpha(grounds, start)}%"
  muted = _parse(variables.get("foreground-muted"))
  if muted is not None:
    fixed["foreground-muted"] = readable(muted, grounds).hex
  key = _parse(variables.get("footer-key-foreground"))
  if key is not None and footer is not None:
    fixed["footer-key-foreground"] = readable(key, [_over(footer, base[0])]).hex
  # The focus highlight (focused fields, buttons, list rows, timeline rows):
  # 3:1 or more against every background, so focus shows (WCAG non-text
  # contrast), with text on it that reads, muted text included.
  highlight = _parse(variables.get("block-cursor-background")) or _parse(variables.get("primary"))
  if highlight is not None:
    highlight = _focus_highlight(_over(highlight, base[0]), grounds, fixed.get("text-muted"))
    text = highlight.get_contrast_text(1.0)
    fixed["block-cursor-background"] = highlight.hex
    fixed["block-cursor-foreground"] = text.hex
  primary = _parse(variables.get("primary"))
  if primary is not None:
    fixed["button-color-foreground"] = _over(primary, base[0]).get_contrast_text(1.0).hex
  return fixed


def _focus_highlight(colour: Color, grounds: list[Color], muted: str | None) -> Color:
  """`colour` moved away from the backgrounds until it stands out 3:1 and text reads on it."""
  dark = sum(_luminance(g) for g in grounds) / len(grounds) < 0.18
  towards = Color(255, 255, 255) if dark else Color(0, 0, 0)
  alpha = _alpha_of(muted)
  candidate = colour
  for step in range(21):
    candidate = colour.blend(towards, step / 20)
    text = candidate.get_contrast_text(1.0)
    if all(contrast(candidate, g) >= 3.2 for g in grounds) and (
      contrast(candidate.blend(text, alpha), candidate) >= TARGET
    ):
      return candidate
  return candidate


def _alpha_of(auto: str | None) -> float:
  if auto and auto.startswith("auto") and auto.endswith("%"):
    return int(auto.split()[1].rstrip("%")) / 100
  return 0.6
