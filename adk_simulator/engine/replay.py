"""Replay: run a recorded session's model turns again against the live tools.

The person's decisions (each user message, each tool call with its exact
arguments, each answer) are played into a fresh session on the real runtime,
and every tool result is compared with the recording: a drift check for tools
and the data behind them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

import pydantic_core
from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.history import ToolCall
from adk_simulator.engine.history import ToolError
from adk_simulator.engine.history import ToolOutput
from adk_simulator.engine.phase import Phase
from adk_simulator.engine.projection import project_history
from adk_simulator.engine.sessions import is_metadata_event
from adk_simulator.engine.sessions import recovered_initial_state
from adk_simulator.engine.turns import SET_MODEL_RESPONSE
from adk_simulator.engine.turns import CallRequest
from adk_simulator.engine.turns import FinalTurn
from adk_simulator.engine.turns import ToolCallsTurn
from adk_simulator.engine.turns import TurnValidationError

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session

  from adk_simulator.engine.evalset_file import ExportResult
  from adk_simulator.engine.loader import LoadedAgent
  from adk_simulator.engine.simulation import Simulation

StepOutcome = Literal["identical", "differs", "fails_differently", "not_run"]
ReplayOutcome = Literal["identical", "differs", "failed"]


class RecordedResult(BaseModel):
  """What a call returned when the session was recorded, or what it returns now."""

  output: Any = None
  error_type: str | None = None
  message: str | None = None

  @property
  def is_error(self) -> bool:
    return self.error_type is not None

  def describe(self) -> str:
    if self.is_error:
      return f"{self.error_type}: {self.message}"
    return pydantic_core.to_json(self.output, fallback=repr).decode()


class ReplayStep(BaseModel):
  """One tool call of the recording, played again."""

  number: int
  turn: int
  tool_name: str
  args: dict[str, Any]
  outcome: StepOutcome
  recorded: RecordedResult | None = None
  replayed: RecordedResult | None = None
  diff: list[str] = Field(default_factory=list)
  """Where the two results differ, one line per difference."""


class ReplayReport(BaseModel):
  """The whole replay of one session."""

  session_id: str
  agent: str
  replay_session_id: str | None = None
  outcome: ReplayOutcome = "identical"
  steps: list[ReplayStep] = Field(default_factory=list)
  error: str | None = None
  """Why the replay could not go on, when it failed."""
  eval_set: str | None = None
  eval_id: str | None = None

  @property
  def differing(self) -> list[ReplayStep]:
    return [s for s in self.steps if s.outcome != "identical"]


def ignored_paths(patterns: Iterable[str]) -> Callable[[str], bool]:
  """A test for the paths a replay does not compare, e.g. `$.created_at`.

  `*` stands for one key or one list index: `$.items[*].id`. Ignoring a path
  ignores everything under it.
  """
  compiled = [
    re.compile(re.escape(p.strip()).replace(r"\*", r"[^.\[\]]+") + r"\Z") for p in patterns
  ]
  return lambda path: any(c.match(path) for c in compiled)


def json_diff(
  recorded: Any, replayed: Any, path: str = "$", ignore: Callable[[str], bool] | None = None
) -> list[str]:
  """A structural diff of two JSON values: one line per difference, by path."""
  if ignore is not None and ignore(path):
    return []
  if isinstance(recorded, dict) and isinstance(replayed, dict):
    lines: list[str] = []
    for key in recorded:
      where = f"{path}.{key}"
      if key not in replayed:
        if not (ignore and ignore(where)):
          lines.append(f"{where}: only in the recording ({_short(recorded[key])})")
      else:
        lines.extend(json_diff(recorded[key], replayed[key], where, ignore))
    for key in replayed:
      if key not in recorded and not (ignore and ignore(f"{path}.{key}")):
        lines.append(f"{path}.{key}: only in the replay ({_short(replayed[key])})")
    return lines
  if isinstance(recorded, list) and isinstance(replayed, list):
    lines = []
    for index, (old, new) in enumerate(zip(recorded, replayed, strict=False)):
      lines.extend(json_diff(old, new, f"{path}[{index}]", ignore))
    if len(recorded) != len(replayed):
      lines.append(f"{path}: {len(recorded)} items recorded, {len(replayed)} now")
    return lines
  if recorded == replayed and type(recorded) is type(replayed):
    return []
  return [f"{path}: {_short(recorded)} → {_short(replayed)}"]


def _short(value: Any, limit: int = 80) -> str:
  text = pydantic_core.to_json(value, fallback=repr).decode()
  return text if len(text) <= limit else text[: limit - 1] + "…"


def compare(
  recorded: RecordedResult,
  replayed: RecordedResult,
  ignore: Callable[[str], bool] | None = None,
) -> tuple[StepOutcome, list[str]]:
  """Outputs are compared structurally; errors by type and message."""
  if recorded.is_error != replayed.is_error:
    return "fails_differently", [f"recorded {recorded.describe()}", f"now {replayed.describe()}"]
  if recorded.is_error:
    if (recorded.error_type, recorded.message) == (replayed.error_type, replayed.message):
      return "identical", []
    return "differs", [f"recorded {recorded.describe()}", f"now {replayed.describe()}"]
  old = pydantic_core.to_jsonable_python(recorded.output, fallback=repr)
  new = pydantic_core.to_jsonable_python(replayed.output, fallback=repr)
  lines = json_diff(old, new, ignore=ignore)
  return ("differs", lines) if lines else ("identical", [])


# --- What was recorded --------------------------------------------------------------


@dataclass
class _Query:
  text: str


@dataclass
class _Calls:
  calls: list[tuple[str, dict[str, Any], str]]
  """(tool name, args, recorded call id), in call order."""


@dataclass
class _Answer:
  text: str


@dataclass
class Recording:
  """The person's side of a session, and what each call returned."""

  moves: list[_Query | _Calls | _Answer] = field(default_factory=list)
  results: dict[str, RecordedResult] = field(default_factory=dict)


def recording_of(events: list[Event]) -> Recording:
  """Reads the person's moves out of a stored session's events."""
  recording = Recording()
  answered_by_tool = False
  for event in events:
    if event.partial or is_metadata_event(event) or not event.content or not event.content.parts:
      continue
    parts = event.content.parts
    calls = [p.function_call for p in parts if p.function_call is not None]
    responses = [p.function_response for p in parts if p.function_response is not None]
    if event.author == "user" and not responses:
      text = "".join(p.text or "" for p in parts if p.text and not p.thought)
      if text:
        recording.moves.append(_Query(text))
      continue
    if calls:
      recording.moves.append(
        _Calls([(c.name or "", dict(c.args or {}), c.id or "") for c in calls])
      )
      answered_by_tool = any(c.name == SET_MODEL_RESPONSE for c in calls)
      continue
    if responses:
      continue
    text = "".join(p.text or "" for p in parts if p.text and not p.thought)
    if text and answered_by_tool:
      # ADK itself writes this answer after a set_model_response call.
      answered_by_tool = False
      continue
    if text:
      recording.moves.append(_Answer(text))
  for entry in project_history(events).entries:
    if isinstance(entry, ToolOutput):
      recording.results[entry.call_id] = RecordedResult(output=entry.output)
    elif isinstance(entry, ToolError):
      recording.results[entry.call_id] = RecordedResult(
        error_type=entry.error_type, message=entry.message
      )
  return recording


# --- Playing it again ----------------------------------------------------------------


class _Stop(Exception):
  """The replay cannot go on; the message says why."""


async def replay_session(
  simulation: Simulation,
  agent: LoadedAgent,
  session: Session,
  *,
  export: bool = False,
  on_step: Callable[[ReplayStep], None] | None = None,
  ignore: Iterable[str] = (),
) -> ReplayReport:
  """Replays `session` in `simulation` (a new one, in SELECTING_AGENT).

  Args:
    simulation: Where the fresh session runs; it is stored like any other.
    agent: The configured agent that played the session.
    session: The recorded session.
    export: Export the fresh session as a golden trace when it completes.
    on_step: Called with each step as soon as it is compared.
    ignore: Output paths not to compare (see `ignored_paths`), for values that
      change on every run such as timestamps or new ids; added to the agent's
      configured `replay_ignore`.
  """
  report = ReplayReport(session_id=session.id, agent=agent.config.name)
  skip = ignored_paths([*agent.config.replay_ignore, *ignore])
  recording = recording_of(session.events)
  await simulation.select_agent(agent, initial_state=recovered_initial_state(session))
  simulation.replay_of = session.id
  turn = 0
  try:
    for move in recording.moves:
      if isinstance(move, _Query):
        if simulation.phase is Phase.COMPLETED:
          simulation.continue_conversation()
        if simulation.phase is not Phase.AWAITING_QUERY:
          raise _Stop(f"turn {turn + 1}: the live agent has not finished the previous turn")
        turn += 1
        await simulation.submit_query(move.text)
        continue
      if simulation.pending is None:
        raise _Stop(
          f"turn {turn}: the live run no longer asks the model here"
          f" (it is {simulation.phase.value})"
        )
      if isinstance(move, _Answer):
        await simulation.submit_turn(FinalTurn(text=move.text))
        continue
      before = len(simulation.history.entries)
      turn_calls = ToolCallsTurn(calls=[CallRequest(tool=n, args=a) for n, a, _ in move.calls])
      try:
        await simulation.submit_turn(turn_calls)
      except TurnValidationError as error:
        for name, args, _ in move.calls:
          step = ReplayStep(
            number=len(report.steps) + 1, turn=turn, tool_name=name, args=args, outcome="not_run"
          )
          step.diff = [f"the live agent refuses the recorded call: {error}"]
          report.steps.append(step)
          if on_step:
            on_step(step)
        raise _Stop(f"turn {turn}: the recorded call no longer fits the agent: {error}") from None
      _compare_turn(report, recording, move, simulation, before, turn, on_step, skip)
      if simulation.run_error is not None:
        raise _Stop(
          f"the run failed: {simulation.run_error.error_type}: {simulation.run_error.message}"
        )
    if simulation.phase is not Phase.COMPLETED and recording.moves:
      raise _Stop("the recording ends before the live run does")
  except _Stop as stop:
    report.error = str(stop)
    await simulation.abandon()
  report.replay_session_id = simulation.session_id
  report.outcome = _outcome(report)
  if export and report.error is None and simulation.phase is Phase.COMPLETED:
    result: ExportResult = await simulation.export()
    report.eval_set, report.eval_id = str(result.path), result.eval_id
  return report


def _compare_turn(
  report: ReplayReport,
  recording: Recording,
  move: _Calls,
  simulation: Simulation,
  before: int,
  turn: int,
  on_step: Callable[[ReplayStep], None] | None,
  skip: Callable[[str], bool],
) -> None:
  new = simulation.history.entries[before:]
  made = [e for e in new if isinstance(e, ToolCall)]
  results: dict[str, RecordedResult] = {}
  for entry in new:
    if isinstance(entry, ToolOutput):
      results[entry.call_id] = RecordedResult(output=entry.output)
    elif isinstance(entry, ToolError):
      results[entry.call_id] = RecordedResult(error_type=entry.error_type, message=entry.message)
  for (name, args, recorded_id), live in zip(move.calls, made, strict=False):
    recorded = recording.results.get(recorded_id)
    replayed = results.get(live.call_id)
    step = ReplayStep(
      number=len(report.steps) + 1, turn=turn, tool_name=name, args=args, outcome="identical"
    )
    step.recorded, step.replayed = recorded, replayed
    if recorded is None or replayed is None:
      step.outcome = "identical" if recorded is replayed else "differs"
      if step.outcome == "differs":
        step.diff = [
          "the recording has no result for this call" if recorded is None else "no result now"
        ]
    else:
      step.outcome, step.diff = compare(recorded, replayed, skip)
    report.steps.append(step)
    if on_step:
      on_step(step)


def _outcome(report: ReplayReport) -> ReplayOutcome:
  if report.error is not None:
    return "failed"
  if any(s.outcome != "identical" for s in report.steps):
    return "differs"
  return "identical"


async def replay_many(
  jobs: list[tuple[LoadedAgent, Session]],
  new_simulation: Callable[[], Simulation],
  *,
  concurrency: int = 4,
  export: bool = False,
  on_report: Callable[[ReplayReport], None] | None = None,
  ignore: Iterable[str] = (),
) -> list[ReplayReport]:
  """Replays several sessions, at most `concurrency` at a time, in input order."""
  gate = asyncio.Semaphore(max(1, concurrency))

  async def one(agent: LoadedAgent, session: Session) -> ReplayReport:
    async with gate:
      try:
        report = await replay_session(
          new_simulation(), agent, session, export=export, ignore=ignore
        )
      except Exception as error:  # one broken session must not stop the batch
        report = ReplayReport(
          session_id=session.id,
          agent=agent.config.name,
          outcome="failed",
          error=f"{type(error).__name__}: {error}",
        )
      if on_report:
        on_report(report)
      return report

  return list(await asyncio.gather(*(one(a, s) for a, s in jobs)))
