"""Headless scripted sessions: a JSON or YAML file plays the human.

A script names the agent, optionally the initial state, and the steps:

    {"agent": "Math", "state": {...},
     "steps": [{"user": "What is 5*5+10?"},
               {"call": "multiply", "args": {"a": 5, "b": 5}},
               {"calls": [{"call": "add", "args": {"a": 25, "b": 10}}]},
               {"respond": "The answer is 35"},
               {"user": "and doubled?"}, ...]}

`user` and `respond` take a string, or an object for agents with input or
output schemas. In the user's seat again, a script answers a confirmation
request (`{"confirm": true}`, `{"confirm": false}`, `{"confirm": true,
"payload": {...}}`) and delivers a long-running call's result
(`{"tool_result": "ask_manager", "response": {...}}`); `"id"` (or `"args"`)
says which when several wait. The player drives the same engine as the TUI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError

if TYPE_CHECKING:
  from adk_simulator.engine.runtime.simulation import Simulation

from adk_simulator.engine.config.files import not_utf8
from adk_simulator.engine.moves.play import Confirm
from adk_simulator.engine.moves.play import DeliverResult
from adk_simulator.engine.moves.play import Move
from adk_simulator.engine.moves.play import MoveError
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import describe_move
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.moves.play import waiting_text
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import walk
from adk_simulator.engine.record.lines import describe_entry
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.responses import non_finite_paths
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ToolCallsTurn


class ScriptError(ValueError):
  """A script that cannot be played as written; names the file and the step."""


class CallStep(BaseModel):
  model_config = ConfigDict(extra="forbid")

  call: str = Field(min_length=1)
  args: dict[str, Any] = Field(default_factory=dict)


class ParallelStep(BaseModel):
  model_config = ConfigDict(extra="forbid")

  calls: list[CallStep] = Field(min_length=1)


class UserStep(BaseModel):
  model_config = ConfigDict(extra="forbid")

  user: str | dict[str, Any]


class RespondStep(BaseModel):
  model_config = ConfigDict(extra="forbid")

  respond: str | dict[str, Any]


class ConfirmStep(BaseModel):
  """The user's answer to the confirmation request that waits."""

  model_config = ConfigDict(extra="forbid", populate_by_name=True)

  confirm: bool
  payload: dict[str, Any] | None = None
  id: str | None = Field(default=None, min_length=1)
  args: dict[str, Any] | None = None


class ToolResultStep(BaseModel):
  """The later result of a long-running call, delivered as the client would."""

  model_config = ConfigDict(extra="forbid")

  tool_result: str = Field(min_length=1)
  response: dict[str, Any]
  id: str | None = Field(default=None, min_length=1)
  args: dict[str, Any] | None = None


Step = UserStep | CallStep | ParallelStep | RespondStep | ConfirmStep | ToolResultStep
_STEP_KINDS: dict[str, type[BaseModel]] = {
  "user": UserStep,
  "call": CallStep,
  "calls": ParallelStep,
  "respond": RespondStep,
  "confirm": ConfirmStep,
  "tool_result": ToolResultStep,
}
_KINDS_TEXT = "user, call, calls, respond, confirm, tool_result"


class Script(BaseModel):
  """A parsed script."""

  agent: str | None = None
  state: dict[str, Any] | None = None
  steps: list[Step]
  source: Path | None = None


def _describe(error: ValidationError) -> str:
  parts = []
  for e in error.errors():
    where = ".".join(str(p) for p in e["loc"])
    parts.append(f"{where}: {e['msg']}" if where else e["msg"])
  return "; ".join(parts)


def parse_script(data: Any, *, source: Path | None = None) -> Script:
  """Validates a loaded script document; errors name the step and the problem."""
  name = str(source) if source else "script"
  if not isinstance(data, dict):
    raise ScriptError(
      f"{name}: a script is an object with 'steps' (and optionally 'agent', 'state')"
    )
  unknown = set(data) - {"agent", "state", "steps"}
  if unknown:
    raise ScriptError(
      f"{name}: unknown key(s) {', '.join(sorted(unknown))};"
      " a script has 'agent', 'state' and 'steps'"
    )
  agent = data.get("agent")
  if agent is not None and not isinstance(agent, str):
    raise ScriptError(f"{name}: 'agent' must be the agent's name as configured, a string")
  state = data.get("state")
  if state is not None and not isinstance(state, dict):
    raise ScriptError(f"{name}: 'state' must be an object (the session's initial state)")
  raw_steps = data.get("steps")
  if not isinstance(raw_steps, list) or not raw_steps:
    raise ScriptError(f"{name}: 'steps' must be a non-empty list")
  steps: list[Step] = []
  for number, raw in enumerate(raw_steps, start=1):
    if not isinstance(raw, dict):
      raise ScriptError(f"{name}: step {number}: a step is an object with one of {_KINDS_TEXT}")
    kinds = [k for k in _STEP_KINDS if k in raw]
    if len(kinds) != 1:
      found = ", ".join(sorted(raw)) or "nothing"
      raise ScriptError(
        f"{name}: step {number}: a step has exactly one of {_KINDS_TEXT} (found: {found})"
      )
    try:
      steps.append(_STEP_KINDS[kinds[0]].model_validate(raw))  # type: ignore[arg-type]
    except ValidationError as error:
      raise ScriptError(f"{name}: step {number} ({kinds[0]}): {_describe(error)}") from None
  for number, step in enumerate(steps, start=1):
    found = non_finite_paths(step.model_dump(exclude_none=True))
    if found:
      kind = next(iter(step.model_dump(exclude_none=True)))
      where = ", ".join(f.removeprefix("$.") for f in found)
      raise ScriptError(
        f"{name}: step {number} ({kind}): {where}: NaN and Infinity are not JSON numbers;"
        " give a finite number"
      )
  if not isinstance(steps[0], UserStep):
    raise ScriptError(f'{name}: step 1: a script starts with a user message ({{"user": ...}})')
  return Script(agent=agent, state=state, steps=steps, source=source)


def load_script(path: Path) -> Script:
  """Reads a JSON or YAML script file."""
  try:
    text = path.read_text(encoding="utf-8")
  except UnicodeDecodeError as error:
    raise ScriptError(f"{path}: {not_utf8(error)}") from None
  except OSError as error:
    raise ScriptError(f"{path}: cannot read the script: {error.strerror or error}") from None
  if path.suffix.lower() in (".yaml", ".yml"):
    import yaml

    try:
      data = yaml.safe_load(text)
    except yaml.YAMLError as error:
      raise ScriptError(f"{path}: not valid YAML: {error}") from None
  else:
    try:
      data = json.loads(text)
    except ValueError as error:
      raise ScriptError(f"{path}: not valid JSON: {error}") from None
  return parse_script(data, source=path)


def moves_of(script: Script) -> list[Move]:
  """The script's steps as moves."""
  moves: list[Move] = []
  for step in script.steps:
    if isinstance(step, UserStep):
      moves.append(UserMessage(message=step.user))
    elif isinstance(step, CallStep):
      moves.append(ToolCallsTurn(calls=[CallRequest(tool=step.call, args=step.args)]))
    elif isinstance(step, ParallelStep):
      moves.append(ToolCallsTurn(calls=[CallRequest(tool=c.call, args=c.args) for c in step.calls]))
    elif isinstance(step, ConfirmStep):
      moves.append(
        Confirm(confirmed=step.confirm, payload=step.payload, call_id=step.id, args=step.args)
      )
    elif isinstance(step, ToolResultStep):
      moves.append(
        DeliverResult(
          tool=step.tool_result, response=step.response, call_id=step.id, args=step.args
        )
      )
    elif isinstance(step.respond, str):
      moves.append(FinalTurn(text=step.respond))
    else:
      moves.append(FinalTurn(payload=step.respond))
  return moves


def _answer_step(simulation: Simulation) -> str:
  if any(isinstance(e, ConfirmationRequest) for e in simulation.awaiting):
    return "a 'confirm' step"
  return "a 'tool_result' step"


class ScriptPlayer:
  """Plays a script on a `Simulation` that has an agent selected, printing each step."""

  def __init__(
    self, simulation: Simulation, script: Script, *, echo: Callable[[str], None] = print
  ) -> None:
    self.simulation = simulation
    self.script = script
    self.echo = echo
    self._printed = 0
    """Top-level history entries printed so far: entries are only ever appended."""

  def _name(self) -> str:
    return str(self.script.source) if self.script.source else "script"

  def _print_new(self, *_: Any) -> None:
    # An inner run still running prints once it is stored, in its place.
    entries = self.simulation.history.entries[self._printed :]
    stored = [e for e in entries if not (isinstance(e, InnerRun) and e.running)]
    for depth, entry in walk(stored):
      self.echo(describe_entry(entry, depth))
    self._printed += len(stored)

  async def play(self) -> None:
    """Runs every step. Raises ScriptError naming the step that failed."""
    sim = self.simulation
    moves = moves_of(self.script)
    try:
      await play(sim, moves, initial_state=self.script.state, after_move=self._print_new)
    except MoveError as error:
      where = f"{self._name()}: step {error.index + 1} ({describe_move(moves[error.index])})"
      hint = ""
      # What the next step must be; a run that failed says itself what went wrong.
      if error.refused or sim.run_error is not None:
        pass
      elif sim.paused:
        hint = f"; {_answer_step(sim)} must come next"
      elif isinstance(moves[error.index], UserMessage):
        hint = "; add a 'respond' step before this one"
      elif sim.pending is None:
        hint = "; a 'user' step must come next"
      raise ScriptError(f"{where}: {error}{hint}") from None
    if sim.paused:
      raise ScriptError(
        f"{self._name()}: the script ends while {waiting_text(sim)};"
        f" finish with {_answer_step(sim)}"
      )
    if sim.phase is not Phase.COMPLETED:
      waiting = (
        f" (model call {sim.pending.step} of {sim.pending.agent_name} waits)" if sim.pending else ""
      )
      raise ScriptError(
        f"{self._name()}: the script ends before the agent's final response{waiting};"
        " finish with a 'respond' step"
      )
