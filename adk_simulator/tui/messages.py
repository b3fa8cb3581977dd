"""Textual messages that carry engine news into the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.runtime.turns import EngineEvent


class EngineEventPosted(Message):
  """The engine reported something (a phase change, a model turn, a tool...)."""

  def __init__(self, event: EngineEvent) -> None:
    super().__init__()
    self.event = event


class AgentLoaded(Message):
  """One configured agent finished loading, or failed to."""

  def __init__(self, index: int, result: LoadedAgent | AgentLoadFailure) -> None:
    super().__init__()
    self.index = index
    self.result = result


class EvalCasesCounted(Message):
  """How many cases an agent's eval set file holds now (None: no file yet)."""

  def __init__(self, index: int, count: int | None, error: str | None) -> None:
    super().__init__()
    self.index = index
    self.count = count
    self.error = error
