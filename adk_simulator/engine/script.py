"""Headless scripted sessions: a JSON or YAML file plays the human.

A script names the agent, optionally the initial state, and the steps:

    {"agent": "Math", "state": {...},
     "steps": [{"user": "What is 5*5+10?"},
               {"call": "multiply", "args": {"a": 5, "b": 5}},
               {"calls": [{"call": "add", "args": {"a": 25, "b": 10}}]},
               {"respond": "The answer is 35"},
               {"user": "and doubled?"}, ...]}

`user` and `respond` take a string, or an object for agents with input or
output schemas. The player drives the same engine as the TUI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError

from adk_simulator.engine.history import FinalResponse
from adk_simulator.engine.history import HistoryEntry
from adk_simulator.engine.history import ToolCall
from adk_simulator.engine.history import ToolError
from adk_simulator.engine.history import ToolOutput
from adk_simulator.engine.history import UserQuery
from adk_simulator.engine.phase import Phase
from adk_simulator.engine.turns import CallRequest
from adk_simulator.engine.turns import FinalTurn
from adk_simulator.engine.turns import ToolCallsTurn
from adk_simulator.engine.turns import TurnValidationError


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


Step = UserStep | CallStep | ParallelStep | RespondStep
_STEP_KINDS: dict[str, type[BaseModel]] = {
  "user": UserStep,
  "call": CallStep,
  "calls": ParallelStep,
  "respond": RespondStep,
}


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
      raise ScriptError(
        f"{name}: step {number}: a step is an object with one of user, call, calls, respond"
      )
    kinds = [k for k in _STEP_KINDS if k in raw]
    if len(kinds) != 1:
      found = ", ".join(sorted(raw)) or "nothing"
      raise ScriptError(
        f"{name}: step {number}: a step has exactly one of user, call, calls, respond"
        f" (found: {found})"
      )
    try:
      steps.append(_STEP_KINDS[kinds[0]].model_validate(raw))  # type: ignore[arg-type]
    except ValidationError as error:
      raise ScriptError(f"{name}: step {number} ({kinds[0]}): {_describe(error)}") from None
  if not isinstance(steps[0], UserStep):
    raise ScriptError(f'{name}: step 1: a script starts with a user message ({{"user": ...}})')
  return Script(agent=agent, state=state, steps=steps, source=source)


def load_script(path: Path) -> Script:
  """Reads a JSON or YAML script file."""
  try:
    text = path.read_text(encoding="utf-8")
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


def describe_entry(entry: HistoryEntry) -> str:
  """One line of the printed timeline."""
  if isinstance(entry, UserQuery):
    return f"user      {entry.text}"
  if isinstance(entry, ToolCall):
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in entry.args.items())
    return f"call      {entry.tool_name}({args})  [{entry.author}]"
  if isinstance(entry, ToolOutput):
    shown = json.dumps(entry.output, default=str)
    if len(shown) > 200:
      shown = shown[:199] + "…"
    took = f"  ({entry.duration_s:.2f} s)" if entry.duration_s is not None else ""
    return f"output    {entry.tool_name} → {shown}{took}"
  if isinstance(entry, ToolError):
    what = "cancelled" if entry.cancelled else "error"
    return f"{what:<9} {entry.tool_name} → {entry.error_type}: {entry.message}"
  if isinstance(entry, FinalResponse):
    return f"answer    {entry.text}  [{entry.author}]"
  return str(entry)


class ScriptPlayer:
  """Plays a script on a `Simulation` that has an agent selected."""

  def __init__(
    self, simulation: Any, script: Script, *, echo: Callable[[str], None] = print
  ) -> None:
    self.simulation = simulation
    self.script = script
    self.echo = echo
    self._shown = 0

  def _name(self) -> str:
    return str(self.script.source) if self.script.source else "script"

  def _print_new(self) -> None:
    entries = self.simulation.history.entries
    for entry in entries[self._shown :]:
      self.echo(describe_entry(entry))
    self._shown = len(entries)

  async def play(self) -> None:
    """Runs every step. Raises ScriptError naming the step that failed."""
    sim = self.simulation
    first = True
    for number, step in enumerate(self.script.steps, start=1):
      where = f"{self._name()}: step {number}"
      try:
        if isinstance(step, UserStep):
          if sim.phase is Phase.COMPLETED:
            sim.continue_conversation()
          if sim.phase is not Phase.AWAITING_QUERY:
            raise ScriptError(
              f"{where} (user): the agent has not answered the previous message yet;"
              " add a 'respond' step before this one"
            )
          await sim.submit_query(step.user, initial_state=self.script.state if first else None)
          first = False
        else:
          if sim.pending is None:
            raise ScriptError(
              f"{where}: no model turn is expected here (the session is {sim.phase.value});"
              " a 'user' step must come next"
            )
          if isinstance(step, CallStep):
            await sim.submit_turn(
              ToolCallsTurn(calls=[CallRequest(tool=step.call, args=step.args)])
            )
          elif isinstance(step, ParallelStep):
            await sim.submit_turn(
              ToolCallsTurn(calls=[CallRequest(tool=c.call, args=c.args) for c in step.calls])
            )
          else:
            respond = step.respond
            await sim.submit_turn(
              FinalTurn(text=respond, payload=None)
              if isinstance(respond, str)
              else FinalTurn(payload=respond)
            )
      except TurnValidationError as error:
        raise ScriptError(f"{where} ({_step_kind(step)}): {error}") from None
      self._print_new()
      if sim.run_error is not None:
        raise ScriptError(
          f"{where}: the agent's run failed: {sim.run_error.error_type}: {sim.run_error.message}"
        )
    if sim.phase is not Phase.COMPLETED:
      raise ScriptError(
        f"{self._name()}: the script ends before the agent's final response;"
        " finish with a 'respond' step"
      )


def _step_kind(step: Step) -> str:
  if isinstance(step, UserStep):
    return "user"
  if isinstance(step, CallStep):
    return f"call {step.call}"
  if isinstance(step, ParallelStep):
    return "calls " + ", ".join(c.call for c in step.calls)
  return "respond"
