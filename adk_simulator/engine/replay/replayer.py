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

from adk_simulator.engine.moves.play import Confirm
from adk_simulator.engine.moves.play import DeliverResult
from adk_simulator.engine.moves.play import Move
from adk_simulator.engine.moves.play import MoveError
from adk_simulator.engine.moves.play import UserMessage
from adk_simulator.engine.moves.play import describe_move
from adk_simulator.engine.moves.play import play
from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.history import walk
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.record.summary import recovered_initial_state
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.turns import SET_MODEL_RESPONSE
from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.words import count

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session

  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.export.evalset_file import ExportResult
  from adk_simulator.engine.runtime.simulation import Simulation


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


class ReplayProgress(BaseModel):
  """How far a replay has got: the move being played and the steps compared."""

  session_id: str
  """The recorded session."""
  move: int
  """The move being played now, from 1; 0 before the first."""
  moves: int
  doing: str
  """The move in a few words (`call add, divide`, `respond`, `user`)."""
  steps: int
  """Steps (tool calls) compared so far."""
  calls: int
  """Tool calls in the recording."""

  def describe(self) -> str:
    return (
      f"move {self.move} of {self.moves} ({self.doing}) · {self.steps} of {self.calls}"
      f" step{'' if self.calls == 1 else 's'} compared"
    )


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
      lines.append(f"{path}: {count(len(recorded), 'item')} recorded, {len(replayed)} now")
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
class RecordedCall:
  turn: int
  tool_name: str
  args: dict[str, Any]
  result: RecordedResult | None


@dataclass
class Recording:
  """The person's moves in a session, and every call they led to, in run order."""

  moves: list[Move] = field(default_factory=list)
  calls: list[RecordedCall] = field(default_factory=list)
  """Every tool call, inner runs' included, in the order the runtime made them."""


def _results(entries: list[HistoryEntry]) -> tuple[list[ToolCall], dict[str, RecordedResult]]:
  calls: list[ToolCall] = []
  results: dict[str, RecordedResult] = {}
  for _, entry in walk(entries):
    if isinstance(entry, ToolCall):
      calls.append(entry)
    elif isinstance(entry, ToolOutput) and not entry.awaiting_confirmation:
      # A call waiting for its confirmation has no result yet: the one after the answer counts.
      results[entry.call_id] = RecordedResult(output=entry.output)
    elif isinstance(entry, ToolError):
      results[entry.call_id] = RecordedResult(error_type=entry.error_type, message=entry.message)
  return calls, results


def recording_of(events: list[Event]) -> Recording:
  """Reads the person's moves out of a stored session's record.

  Answers a callback gave are not moves: the callback gives them again.
  """
  entries = read_events(events).entries
  recording = Recording()
  turn = 0
  structured_answer = False
  last_calls_event: str | None = None
  requests = {e.call_id: e for e in entries if isinstance(e, ConfirmationRequest)}
  calls_by_id = {e.call_id: e for e in entries if isinstance(e, ToolCall)}
  for _, entry in walk(entries):
    if isinstance(entry, UserQuery):
      turn += 1
      recording.moves.append(UserMessage(message=entry.text))
    elif isinstance(entry, ConfirmationAnswer):
      request = requests.get(entry.call_id)
      recording.moves.append(
        Confirm(
          confirmed=entry.confirmed,
          payload=entry.payload if isinstance(entry.payload, dict) else None,
          tool=request.tool_name if request else None,
          args=request.args if request else None,
        )
      )
    elif isinstance(entry, DeliveredResult):
      called = calls_by_id.get(entry.call_id)
      output = entry.output if isinstance(entry.output, dict) else {"result": entry.output}
      recording.moves.append(
        DeliverResult(tool=entry.tool_name, response=output, args=called.args if called else None)
      )
    elif isinstance(entry, ToolCall) and entry.by != "callback":
      if entry.event_id and entry.event_id == last_calls_event:
        previous = recording.moves[-1]
        assert isinstance(previous, ToolCallsTurn)
        previous.calls.append(CallRequest(tool=entry.tool_name, args=entry.args))
      else:
        recording.moves.append(
          ToolCallsTurn(
            calls=[CallRequest(tool=entry.tool_name, args=entry.args)], agent=entry.author
          )
        )
      last_calls_event = entry.event_id
      structured_answer = structured_answer or entry.tool_name == SET_MODEL_RESPONSE
    elif isinstance(entry, FinalResponse) and entry.by != "callback":
      if structured_answer:
        structured_answer = False  # ADK itself writes this answer after set_model_response
        continue
      recording.moves.append(FinalTurn(text=entry.text, agent=entry.author))
  # The root agent asks first. Its name may change in code without changing
  # the session; any other agent asking out of turn is drift.
  model_moves = [m for m in recording.moves if isinstance(m, ToolCallsTurn | FinalTurn)]
  root = model_moves[0].agent if model_moves else None
  for move in model_moves:
    if move.agent == root:
      move.agent = None
  calls, results = _results(entries)
  turns = _turn_of_calls(entries)
  recording.calls = [
    RecordedCall(
      turn=turns.get(c.call_id, 0),
      tool_name=c.tool_name,
      args=c.args,
      result=results.get(c.call_id),
    )
    for c in calls
  ]
  return recording


def _turn_of_calls(entries: list[HistoryEntry]) -> dict[str, int]:
  turn = 0
  turns: dict[str, int] = {}
  for _, entry in walk(entries):
    if isinstance(entry, UserQuery):
      turn += 1
    elif isinstance(entry, ToolCall):
      turns[entry.call_id] = turn
  return turns


# --- Playing it again ----------------------------------------------------------------


async def replay_session(
  simulation: Simulation,
  agent: LoadedAgent,
  session: Session,
  *,
  export: bool = False,
  on_step: Callable[[ReplayStep], None] | None = None,
  ignore: Iterable[str] = (),
  on_progress: Callable[[ReplayProgress], None] | None = None,
) -> ReplayReport:
  """Replays `session` in `simulation` (a new one, in SELECTING_AGENT).

  Args:
    simulation: Where the fresh session runs.
    agent: The configured agent that played the session.
    session: The recorded session.
    export: Export the fresh session as a golden trace when it completes.
    on_step: Called with each step as soon as it is compared.
    ignore: Output paths not to compare (see `ignored_paths`), for values that
      change on every run such as timestamps or new ids; added to the agent's
      configured `replay_ignore`.
    on_progress: Called as each move starts: which of how many, and the steps
      compared so far.
  """
  report = ReplayReport(session_id=session.id, agent=agent.config.name)
  skip = ignored_paths([*agent.config.replay_ignore, *ignore])
  recording = recording_of(session.events)
  await simulation.select_agent(agent, initial_state=recovered_initial_state(session))
  simulation.replay_of = session.id

  def compare_ready(*_: Any, final: bool = False) -> None:
    live_calls, live_results = _results(simulation.history.entries)
    for index in range(len(report.steps), len(recording.calls)):
      recorded = recording.calls[index]
      live = live_calls[index] if index < len(live_calls) else None
      replayed = live_results.get(live.call_id) if live else None
      if replayed is None and not final:
        return
      step = ReplayStep(
        number=index + 1,
        turn=recorded.turn,
        tool_name=recorded.tool_name,
        args=recorded.args,
        outcome="identical",
      )
      step.recorded, step.replayed = recorded.result, replayed
      if live is None:
        step.outcome, step.diff = "not_run", ["the live run did not make this call"]
      elif recorded.result is None or replayed is None:
        step.outcome = "identical" if recorded.result is replayed else "differs"
        if step.outcome == "differs":
          step.diff = [
            "the recording has no result for this call"
            if recorded.result is None
            else "no result now"
          ]
      else:
        step.outcome, step.diff = compare(recorded.result, replayed, skip)
      report.steps.append(step)
      if on_step:
        on_step(step)

  moves = recording.moves

  def progress(index: int) -> None:
    if on_progress is not None and index < len(moves):
      on_progress(
        ReplayProgress(
          session_id=session.id,
          move=index + 1,
          moves=len(moves),
          doing=describe_move(moves[index]),
          steps=len(report.steps),
          calls=len(recording.calls),
        )
      )

  def after_move(index: int, move: Any) -> None:
    compare_ready()
    progress(index + 1)

  try:
    progress(0)
    await play(simulation, recording.moves, after_move=after_move)
    if simulation.phase is not Phase.COMPLETED and recording.moves:
      report.error = "the recording ends before the live run does"
  except MoveError as error:
    move = recording.moves[error.index]
    turn = sum(isinstance(m, UserMessage) for m in recording.moves[: error.index + 1])
    if error.refused:
      report.error = (
        f"turn {turn}: the recorded {describe_move(move)} no longer fits the agent: {error}"
      )
    else:
      report.error = f"turn {turn}: {describe_move(move)}: {error}"
  compare_ready(final=True)
  if report.error is not None:
    await simulation.abandon()
  report.replay_session_id = simulation.session_id
  report.outcome = _outcome(report)
  if export and report.error is None and simulation.phase is Phase.COMPLETED:
    result: ExportResult = await simulation.export()
    report.eval_set, report.eval_id = str(result.path), result.eval_id
  return report


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
  on_progress: Callable[[ReplayProgress], None] | None = None,
) -> list[ReplayReport]:
  """Replays several sessions, at most `concurrency` at a time, in input order.

  `on_progress` hears every session's moves as they start (see `replay_session`).
  """
  gate = asyncio.Semaphore(max(1, concurrency))

  async def one(agent: LoadedAgent, session: Session) -> ReplayReport:
    async with gate:
      try:
        report = await replay_session(
          new_simulation(), agent, session, export=export, ignore=ignore, on_progress=on_progress
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
