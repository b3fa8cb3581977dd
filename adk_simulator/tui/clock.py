"""Where the app's displayed times come from, so tests can freeze them.

Every duration the app shows (a running tool's elapsed time, a finished
call's duration, the session's length) goes through the app's `Clock`. The
real one passes measurements through; `FrozenClock` shows one fixed value
everywhere, which keeps snapshot tests stable.
"""

from __future__ import annotations

import time


class Clock:
  """The real clock."""

  def monotonic(self) -> float:
    """Seconds on the same clock as `RunningTool.started_at`."""
    return time.monotonic()

  def elapsed_since(self, started_monotonic: float) -> float:
    return max(0.0, self.monotonic() - started_monotonic)

  def shown(self, seconds: float | None) -> float | None:
    """How a measured duration is displayed."""
    return seconds


class FrozenClock(Clock):
  """A clock that stands still: every duration it shows is `seconds`."""

  def __init__(self, seconds: float = 1.0) -> None:
    self.seconds = seconds

  def monotonic(self) -> float:
    return 0.0

  def elapsed_since(self, started_monotonic: float) -> float:
    return self.seconds

  def shown(self, seconds: float | None) -> float | None:
    return None if seconds is None else self.seconds
