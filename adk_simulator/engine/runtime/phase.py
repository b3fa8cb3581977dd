"""The session's state machine.

SELECTING_AGENT → AWAITING_QUERY → ACTIVE → COMPLETED, and COMPLETED →
AWAITING_QUERY to continue the conversation with another user turn. Going back
to SELECTING_AGENT (the agent picker) is allowed from every phase: it abandons
the current session, which stays stored.
"""

from __future__ import annotations

import enum


class Phase(enum.StrEnum):
  """Where a simulated session stands."""

  SELECTING_AGENT = "SELECTING_AGENT"
  AWAITING_QUERY = "AWAITING_QUERY"
  ACTIVE = "ACTIVE"
  COMPLETED = "COMPLETED"


_ALLOWED: dict[Phase, frozenset[Phase]] = {
  Phase.SELECTING_AGENT: frozenset({Phase.AWAITING_QUERY}),
  Phase.AWAITING_QUERY: frozenset({Phase.ACTIVE, Phase.SELECTING_AGENT}),
  Phase.ACTIVE: frozenset({Phase.COMPLETED, Phase.SELECTING_AGENT}),
  Phase.COMPLETED: frozenset({Phase.AWAITING_QUERY, Phase.SELECTING_AGENT}),
}


class IllegalTransitionError(RuntimeError):
  """Raised when an action does not fit the session's current phase."""

  def __init__(self, current: Phase, target: Phase, action: str = "") -> None:
    what = f"{action}: " if action else ""
    super().__init__(
      f"{what}cannot go from {current.value} to {target.value}"
      f" (allowed from {current.value}:"
      f" {', '.join(sorted(p.value for p in _ALLOWED[current])) or 'nothing'})"
    )
    self.current = current
    self.target = target


class PhaseMachine:
  """Holds the current phase and refuses moves the product does not allow."""

  def __init__(self, phase: Phase = Phase.SELECTING_AGENT) -> None:
    self._phase = phase

  @property
  def phase(self) -> Phase:
    return self._phase

  def can_move(self, target: Phase) -> bool:
    return target in _ALLOWED[self._phase]

  def move(self, target: Phase, action: str = "") -> None:
    if not self.can_move(target):
      raise IllegalTransitionError(self._phase, target, action)
    self._phase = target

  def require(self, *phases: Phase, action: str) -> None:
    """Raises unless the current phase is one of `phases`."""
    if self._phase not in phases:
      raise IllegalTransitionError(self._phase, phases[0], action)
