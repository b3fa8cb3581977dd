"""The simulation engine: one session of a person playing an agent's model.

`Simulation` drives the real ADK `Runner`. Every agent it plays has the
`HumanModel` stand-in as its model (see `seat`), so every model call waits for
the person with every callback around it, and every tool runs for real, with
`HumanModelPlugin` watching. The TUI, the headless player and the tests all
drive this class; it never imports Textual. One `Simulation` plays one session.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from pydantic import BaseModel

from adk_simulator.engine.adk import live_events
from adk_simulator.engine.record.history import ConfirmationRequest
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import History
from adk_simulator.engine.record.history import HistoryEntry
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.notes import CallNote
from adk_simulator.engine.record.notes import InnerRun
from adk_simulator.engine.record.notes import Notes
from adk_simulator.engine.record.notes import SessionStart
from adk_simulator.engine.record.notes import metadata_event
from adk_simulator.engine.record.notes import notes_of
from adk_simulator.engine.record.reader import RecordReader
from adk_simulator.engine.record.resume import Interruption
from adk_simulator.engine.record.resume import interruption
from adk_simulator.engine.record.state import StateView
from adk_simulator.engine.record.summary import last_conversation_event
from adk_simulator.engine.record.summary import recovered_initial_state
from adk_simulator.engine.record.summary import session_status
from adk_simulator.engine.runtime.failures import failure_hint
from adk_simulator.engine.runtime.phase import Phase
from adk_simulator.engine.runtime.phase import PhaseMachine
from adk_simulator.engine.runtime.responses import instruction_text
from adk_simulator.engine.runtime.responses import json_object
from adk_simulator.engine.runtime.responses import query_text
from adk_simulator.engine.runtime.responses import response_for
from adk_simulator.engine.runtime.responses import schema_model
from adk_simulator.engine.runtime.tool_runs import EndedCall
from adk_simulator.engine.runtime.tool_runs import ToolRuns
from adk_simulator.engine.runtime.turns import EngineEvent
from adk_simulator.engine.runtime.turns import FinalTurn
from adk_simulator.engine.runtime.turns import HistoryChanged
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import ModelTurn
from adk_simulator.engine.runtime.turns import ModelTurnRequested
from adk_simulator.engine.runtime.turns import PhaseChanged
from adk_simulator.engine.runtime.turns import RunFailed
from adk_simulator.engine.runtime.turns import RunningTool
from adk_simulator.engine.runtime.turns import RunPaused
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import ToolCancelledError
from adk_simulator.engine.runtime.turns import ToolFinished
from adk_simulator.engine.runtime.turns import ToolStarted
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.runtime.turns import format_traceback
from adk_simulator.engine.runtime.undo import UndoError
from adk_simulator.engine.runtime.undo import UndoPlan
from adk_simulator.engine.runtime.undo import plan_undo
from adk_simulator.engine.runtime.undo import rewind_to
from adk_simulator.engine.schema.specs import OfferedTools

if TYPE_CHECKING:
  from google.adk.agents.llm_agent import LlmAgent
  from google.adk.artifacts.base_artifact_service import BaseArtifactService
  from google.adk.events.event import Event
  from google.adk.models.llm_request import LlmRequest
  from google.adk.models.llm_response import LlmResponse
  from google.adk.runners import Runner
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.sessions.session import Session

  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.export.evalset_file import ExportResult

logger = logging.getLogger(__name__)

Listener = Callable[[EngineEvent], None]


@dataclass
class _Ask:
  """A model call waiting for the person."""

  request: ModelRequest
  future: asyncio.Future[LlmResponse]
  output_model: type[BaseModel] | None


class Simulation:
  """One simulated session, from picking the agent to the last answer.

  Every method that waits returns once the engine needs the person again
  (`pending` is set) or the run has ended (`phase` is COMPLETED).
  """

  def __init__(
    self,
    session_service: BaseSessionService,
    *,
    listener: Listener | None = None,
    tool_workers: int = 8,
    tool_timeout: float | None = None,
  ) -> None:
    self.session_service = session_service
    self.tool_timeout = tool_timeout
    """Seconds a tool call may run before it is cancelled as an error; None: no limit."""
    self._listener = listener
    self._tool_workers = tool_workers
    self._machine = PhaseMachine()
    self.agent: LoadedAgent | None = None
    self.session_id: str | None = None
    self.user_id = "user"
    self.initial_state: dict[str, Any] = {}
    self.run_error: RunFailed | None = None
    self.started_at: float | None = None
    self._runner: Runner | None = None
    self._events: list[Event] = []
    self._asks: deque[_Ask] = deque()
    self._step = 0
    self._wakeup = asyncio.Event()
    self._run_task: asyncio.Task[None] | None = None
    self._tools = ToolRuns()
    self._exported_at = 0
    self.exports: list[ExportResult] = []
    self._projected: list[HistoryEntry] = []
    self._projected_events = 0
    self._reader = RecordReader()
    self._played: dict[str, LlmAgent] = {}
    self._inner: dict[str, list[Event]] = {}
    """Events of the AgentTool inner runs in progress, by the call they answer."""
    self._answered: dict[tuple[str, str | None], int] = {}
    """The step the person just answered, by (agent, enclosing call), until its event is stored."""
    self._offered: dict[str, OfferedTools] = {}
    """The tools each agent's requests offer, by agent."""
    self.replay_of: str | None = None
    """The recorded session this one replays, if it is a replay."""
    self.artifact_service: BaseArtifactService | None = None
    """Where the session's artifacts are saved: one service for every run of this session."""
    self.resumed_from: Interruption | None = None
    """Where the stored session this one resumed had stopped, if it had."""
    self._artifact_parts: dict[tuple[str, int], Any] = {}
    """Artifact versions the state view has loaded (a saved version never changes)."""
    self._resume_marker: Event | None = None
    """Stamped when a stored session is opened; stored when it first runs on."""

  # --- What drivers read ------------------------------------------------------

  @property
  def phase(self) -> Phase:
    return self._machine.phase

  @property
  def pending(self) -> ModelRequest | None:
    """The model call waiting for the person, if any."""
    return self._asks[0].request if self._asks else None

  @property
  def awaiting(self) -> list[ConfirmationRequest | ToolCall]:
    """What waits for the user's side: confirmations to answer, long-running
    calls whose result has not been delivered (see `History.awaiting`)."""
    return self.history.awaiting

  @property
  def paused(self) -> bool:
    """The run has ended waiting for the user's side (ACTIVE, nothing running):
    answer the confirmation, or deliver the long-running result."""
    if self._machine.phase is not Phase.ACTIVE or self._asks:
      return False
    if self._run_task is not None and not self._run_task.done():
      return False
    return self.history.paused

  @property
  def running_tools(self) -> list[RunningTool]:
    return self._tools.running

  @property
  def events(self) -> list[Event]:
    return list(self._events)

  @property
  def history(self) -> History:
    """The typed history, projected from the events.

    Projection is per event, so only events not seen before are projected: a
    long session or a huge tool output costs once, not on every read.
    """
    if self._projected_events > len(self._events) or not self._projected_events:
      root = self.agent.root_agent if self.agent else None
      self._reader = RecordReader(
        structured_input=schema_model(getattr(root, "input_schema", None)) is not None,
        structured_output=schema_model(getattr(root, "output_schema", None)) is not None,
      )
      self._projected, self._projected_events = [], 0
    if self._projected_events < len(self._events):
      self._projected.extend(self._reader.read(self._events[self._projected_events :]))
      self._projected_events = len(self._events)
    entries = list(self._projected)
    if self._inner:
      calls = {e.call_id: e for e in entries if isinstance(e, ToolCall)}
      for call_id, events in self._inner.items():
        if call_id in calls:
          entries.append(self._reader.running_inner_run(calls[call_id], list(events)))
    # The entries are typed already: validating them again would cost a pass
    # over the whole session on every read.
    return History.model_construct(entries=entries)

  @property
  def live_history(self) -> History:
    """`history`, plus the outputs of calls that have ended before ADK stored them.

    In a parallel turn ADK stores every response in one event when the
    slowest call ends; here each call's output (or error) shows as soon as it
    ends, after the stored entries. Nothing of it is in the record: once the
    event is stored, `history` holds the responses as ADK stored them.
    """
    history = self.history
    ended = self._tools.ended
    if not ended:
      return history
    calls = {e.call_id: e for e in history.entries if isinstance(e, ToolCall)}
    answered = {e.call_id for e in history.entries if isinstance(e, ToolOutput | ToolError)}
    live: list[HistoryEntry] = []
    for call_id, done in sorted(ended.items(), key=lambda item: item[1].ended_at):
      call = calls.get(call_id)
      if call is None or call_id in answered:
        continue
      live.append(_live_entry(call, done))
    if not live:
      return history
    return History.model_construct(entries=[*history.entries, *live])

  @property
  def played_seconds(self) -> float | None:
    """How long the session has been played, without the time the app was not
    running it (see `engine.record.resume`)."""
    from adk_simulator.engine.record.resume import played_seconds

    return played_seconds(self._events)

  async def stored_session(self) -> Session:
    """The session as the session service holds it."""
    if self.agent is None or self.session_id is None:
      raise RuntimeError("no session has started yet: submit a user query first")
    session = await self.session_service.get_session(
      app_name=self.agent.app_name, user_id=self.user_id, session_id=self.session_id
    )
    if session is None:
      raise RuntimeError(f"session {self.session_id} is not in the session store")
    return session

  async def state_view(self) -> StateView:
    """The session state as stored, what the last step changed, and the artifacts
    with every version and its content (see `engine.record.state`)."""
    from adk_simulator.engine.runtime.state_view import read_state_view

    return await read_state_view(
      session_service=self.session_service,
      artifact_service=self.artifact_service,
      app_name=self.agent.app_name if self.agent else "",
      user_id=self.user_id,
      session_id=self.session_id,
      events=self._events,
      initial_state=self.initial_state,
      loaded=self._artifact_parts,
    )

  # --- Transitions --------------------------------------------------------------

  async def select_agent(
    self,
    agent: LoadedAgent,
    *,
    initial_state: dict[str, Any] | None = None,
    user_id: str | None = None,
  ) -> None:
    """SELECTING_AGENT → AWAITING_QUERY: get ready to run `agent`."""
    self._machine.require(Phase.SELECTING_AGENT, action="select an agent")
    self._require_unused()
    self.agent = agent
    self.user_id = user_id or agent.config.user_id or "user"
    self.initial_state = dict(
      initial_state if initial_state is not None else (agent.config.initial_state or {})
    )
    self._runner = self._runner_for(agent)
    self._move(Phase.AWAITING_QUERY, "select an agent")

  async def open_session(self, agent: LoadedAgent, session: Session) -> None:
    """SELECTING_AGENT → COMPLETED or ACTIVE: reopen a stored session.

    A finished session opens COMPLETED (export it, or continue with another
    user turn). An unfinished one, for instance after a crash, resumes where
    it stopped: the runtime picks up the interrupted invocation, re-running a
    tool call that never got its response, and asks the person again.
    """
    self._machine.require(Phase.SELECTING_AGENT, action="open a stored session")
    self._require_unused()
    self.agent = agent
    self.user_id = session.user_id
    self.session_id = session.id
    self._events = live_events(session.events)
    self._projected, self._projected_events = [], 0
    self._step = self.history.last_step
    self.initial_state = recovered_initial_state(session)
    self.started_at = min((e.timestamp for e in session.events), default=time.time())
    from adk_simulator.engine.record.notes import ResumeRecord

    # Stamped now: the time the app was not running ends here.
    opened = time.time()
    self._resume_marker = metadata_event(Notes(resumed=ResumeRecord(at=opened)))
    self._resume_marker.timestamp = opened
    status = session_status(self._events, failures=False)
    self._exported_at = len(self._events) if status == "exported" else 0
    self._runner = self._runner_for(agent)
    last = last_conversation_event(self._events)
    if status == "waiting":
      self._machine = PhaseMachine(Phase.ACTIVE)
      self._emit(PhaseChanged(phase=Phase.ACTIVE))
      self._emit(RunPaused(awaiting=len(self.awaiting)))
      return
    if last is None or status != "in_progress":
      self._machine = PhaseMachine(Phase.COMPLETED)
      self._emit(PhaseChanged(phase=Phase.COMPLETED))
      return
    self.resumed_from = interruption(self.history)
    await self._store_resume_marker()
    self._machine = PhaseMachine(Phase.ACTIVE)
    self._emit(PhaseChanged(phase=Phase.ACTIVE))
    resumer = self._runner_for(agent, resumable=True)
    self._run_task = asyncio.create_task(
      self._run(None, runner=resumer, invocation_id=last.invocation_id),
      name="adk-simulator-resume",
    )
    await self.wait()

  async def submit_query(
    self, query: str | dict[str, Any], *, initial_state: dict[str, Any] | None = None
  ) -> None:
    """AWAITING_QUERY → ACTIVE: send the user's message and run until the model is asked.

    Args:
      query: The user's message; an object when the agent has an `input_schema`.
      initial_state: Replaces the configured initial state. Only before the
        first user turn of a session.
    """
    self._machine.require(Phase.AWAITING_QUERY, action="submit a user query")
    assert self.agent is not None and self._runner is not None
    from google.genai import types

    text = query_text(self.agent.root_agent, query)
    if self.session_id is None:
      if initial_state is not None:
        self.initial_state = dict(initial_state)
      session = await self.session_service.create_session(
        app_name=self.agent.app_name, user_id=self.user_id, state=dict(self.initial_state)
      )
      self.session_id = session.id
      self.started_at = time.time()
      start = metadata_event(
        Notes(
          session=SessionStart(
            agent=self.agent.config.name,
            initial_state=self.initial_state,
            replay_of=self.replay_of,
          )
        )
      )
      self._events.append(await self.session_service.append_event(session, start))
    elif initial_state is not None:
      raise ValueError("the initial state can only be set before the session's first user turn")
    else:
      await self._store_resume_marker()
    self.run_error = None
    self._move(Phase.ACTIVE, "submit a user query")
    message = types.Content(role="user", parts=[types.Part(text=text)])
    self._run_task = asyncio.create_task(self._run(message), name="adk-simulator-run")
    await self.wait()

  async def answer_confirmation(
    self, call_id: str, *, confirmed: bool, payload: Any = None
  ) -> None:
    """Answers a confirmation request as the user: approve or reject, optionally with a payload.

    Sends what ADK's clients send (a `FunctionResponse` to the
    `adk_request_confirmation` call) and runs on: on approval the tool runs.

    Args:
      call_id: The request's id (`ConfirmationRequest.call_id`).
      confirmed: Approve (True) or reject (False).
      payload: The `ToolConfirmation.payload` to answer with, if any.

    Raises:
      TurnValidationError: No confirmation request with that id waits.
    """
    from google.genai import types

    from adk_simulator.engine.record.reader import REQUEST_CONFIRMATION

    waiting = [e for e in self.awaiting if isinstance(e, ConfirmationRequest)]
    if not any(e.call_id == call_id for e in waiting):
      raise TurnValidationError.about(
        "confirmation",
        f"no confirmation request {call_id!r} waits"
        + (f" (waiting: {', '.join(e.call_id for e in waiting)})" if waiting else ""),
      )
    response: dict[str, Any] = {"confirmed": confirmed}
    if payload is not None:
      response["payload"] = json_object("confirmation payload", payload)
    part = types.Part(
      function_response=types.FunctionResponse(
        id=call_id, name=REQUEST_CONFIRMATION, response=response
      )
    )
    await self._send_client_answer(part, "answer a confirmation")

  async def deliver_result(self, call_id: str, response: dict[str, Any]) -> None:
    """Delivers a long-running call's result as the client would, and runs on.

    Sends a `FunctionResponse` with the call's id: ADK resumes the call's
    invocation and the model is asked again.

    Raises:
      TurnValidationError: No long-running call with that id waits for its
        result, or `response` is not a JSON object.
    """
    from google.genai import types

    waiting = [e for e in self.awaiting if isinstance(e, ToolCall)]
    call = next((e for e in waiting if e.call_id == call_id), None)
    if call is None:
      raise TurnValidationError.about(
        "tool result",
        f"no long-running call {call_id!r} waits for its result"
        + (
          f" (waiting: {', '.join(f'{e.tool_name} {e.call_id}' for e in waiting)})"
          if waiting
          else ""
        ),
      )
    json_object("tool result", response)
    part = types.Part(
      function_response=types.FunctionResponse(id=call_id, name=call.tool_name, response=response)
    )
    await self._send_client_answer(part, "deliver a tool result")

  async def _send_client_answer(self, part: Any, action: str) -> None:
    from google.genai import types

    if self._machine.phase is Phase.COMPLETED:
      self._move(Phase.AWAITING_QUERY, action)
    if self._machine.phase is Phase.AWAITING_QUERY:
      self._move(Phase.ACTIVE, action)
    elif not self.paused:
      self._machine.require(Phase.COMPLETED, Phase.AWAITING_QUERY, action=action)
      raise RuntimeError(f"{action}: the run is still going; wait for it to pause or finish")
    assert self.session_id is not None
    await self._store_resume_marker()
    self.run_error = None
    message = types.Content(role="user", parts=[part])
    self._run_task = asyncio.create_task(self._run(message), name="adk-simulator-resume")
    await self.wait()

  async def submit_turn(self, turn: ModelTurn | ToolCallsTurn | FinalTurn) -> None:
    """Answers the pending model call with the person's turn, then runs on.

    Raises:
      TurnValidationError: The turn does not fit the request (unknown tool,
        arguments that do not match the schema, an answer that does not match
        the output schema). Nothing ran.
    """
    self._machine.require(Phase.ACTIVE, action="submit a model turn")
    if not self._asks:
      raise RuntimeError("no model call is waiting: wait for the running tools first")
    ask = self._asks[0]
    response = response_for(ask.request, ask.output_model, turn)
    self._asks.popleft()
    if not ask.future.done():
      ask.future.set_result(response)
    await self.wait()

  async def wait(self) -> None:
    """Returns when a model call waits for the person or the run has ended."""
    while True:
      if self._asks or self._run_task is None or self._run_task.done():
        return
      self._wakeup.clear()
      await self._wakeup.wait()

  def cancel_tools(self) -> list[str]:
    """Cancels every running tool call; returns the names of those cancelled.

    Each cancelled call ends with an error the model sees, and the session
    goes on. A synchronous tool's thread cannot be stopped: it is abandoned.
    """
    return self._tools.cancel_all()

  def continue_conversation(self) -> None:
    """COMPLETED → AWAITING_QUERY: another user turn in the same session."""
    self._machine.require(Phase.COMPLETED, action="continue the conversation")
    self._move(Phase.AWAITING_QUERY, "continue the conversation")

  async def back_to_agents(self) -> None:
    """Any phase → SELECTING_AGENT: leaves the session, stored as it is.

    A `Simulation` plays one session: the next one takes a new `Simulation`
    (`Workspace.new_simulation`), so nothing of this one can leak into it.
    """
    await self.abandon()
    self._machine = PhaseMachine(Phase.SELECTING_AGENT)
    self._emit(PhaseChanged(phase=Phase.SELECTING_AGENT))

  async def abandon(self) -> None:
    """Stops a run in progress without answering it."""
    for ask in self._asks:
      if not ask.future.done():
        ask.future.cancel()
    self._asks.clear()
    task = self._run_task
    if task is not None and not task.done():
      task.cancel()
      try:
        await task
      except asyncio.CancelledError:
        pass

  # --- Undo ------------------------------------------------------------------------

  @property
  def undo_busy(self) -> str | None:
    """Why nothing can be undone right now (the run is busy), or None.

    While the person is asked (an AgentTool's agent included) or the session
    waits for the user or has ended, undo is possible; while tools run or the
    agent works between two questions, it is not.
    """
    if self.agent is None or self.session_id is None:
      return "nothing to undo yet: the session has not started"
    if self._run_task is not None and not self._run_task.done() and not self._asks:
      if self._tools.running:
        return "tools are running: wait for them, or cancel them (escape)"
      return "the agent is running: wait until it asks you again"
    return None

  def undo_plan(self, entry: HistoryEntry | None = None) -> UndoPlan:
    """What undoing would take away: the turn of `entry` (a history entry) and
    everything after it, or without `entry` the person's last model turn.

    Raises:
      UndoError: The run is busy, there is nothing to undo, or the entry is
        not the person's to undo.
    """
    busy = self.undo_busy
    if busy is not None:
      raise UndoError(busy)
    return plan_undo(self.history.entries, entry)

  async def undo(self, plan: UndoPlan | None = None) -> UndoPlan:
    """Takes the session back to just before a turn, and asks the person again.

    The stored session is rewound (see `runtime/undo.py`): its state and
    artifacts are what they were before the turn; the history, the export and
    a replay hold only the kept path; the undone events stay stored, marked
    undone. Tools' effects outside the session are not undone.

    After it, the session stands where the kept path ends: the person is
    asked for the undone step again (ACTIVE); or it waits for the user's side
    (a confirmation, a long-running result); or, when a user message was
    undone, for a new one (AWAITING_QUERY); or, when a result delivered after
    the agent's answer was undone, it is COMPLETED.

    Args:
      plan: From `undo_plan`; None undoes the person's last model turn.

    Returns:
      The plan carried out.

    Raises:
      UndoError: The run is busy, or there is nothing (or no such turn) to undo.
    """
    plan = plan or self.undo_plan()
    busy = self.undo_busy
    if busy is not None:
      raise UndoError(busy)
    assert self.agent is not None and self._runner is not None
    if not any(e.id == plan.event_id for e in self._events):
      raise UndoError("that turn is not in the session any more: look at the timeline again")
    await self.abandon()
    self._inner.clear()
    self._answered.clear()
    self._tools = ToolRuns()
    session = await self.stored_session()
    resumed = await rewind_to(
      runner=self._runner,
      session_service=self.session_service,
      artifact_service=self.artifact_service,
      session=session,
      event_id=plan.event_id,
    )
    stored = await self.stored_session()
    self._events = live_events(stored.events)
    self._projected, self._projected_events = [], 0
    history = self.history
    self._step = history.last_step
    exported = bool(self._events) and notes_of(self._events[-1]).export is not None
    self._exported_at = len(self._events) if exported else 0
    self.run_error = None
    self._emit(HistoryChanged(size=len(self._events)))
    if history.paused and not (resumed is not None and plan.step is not None):
      # Waiting for the user's side again; a model turn undone after a
      # long-running call's interim result is asked again instead.
      self._arrive(Phase.ACTIVE)
      self._emit(RunPaused(awaiting=len(self.awaiting)))
    elif resumed is None:
      self._arrive(Phase.AWAITING_QUERY)
    elif history.entries and isinstance(history.entries[-1], FinalResponse):
      # The user's answer to a long-running call came after the agent had answered.
      self._arrive(Phase.COMPLETED)
    else:
      self._arrive(Phase.ACTIVE)
      resumer = self._runner_for(self.agent, resumable=True)
      self._run_task = asyncio.create_task(
        self._run(None, runner=resumer, invocation_id=resumed), name="adk-simulator-undo"
      )
      await self.wait()
    return plan

  def _arrive(self, phase: Phase) -> None:
    """Stands the session in `phase` after an undo, whichever it was in before."""
    self._machine = PhaseMachine(phase)
    self._emit(PhaseChanged(phase=phase))

  @property
  def has_unexported_work(self) -> bool:
    """True when the session holds turns that no export has written yet."""
    return bool(self._events) and len(self._events) != self._exported_at

  async def export(
    self,
    eval_set_path: Path | None = None,
    *,
    as_new: bool = False,
    on_stage: Callable[[str], object] | None = None,
  ) -> ExportResult:
    """Writes the session to the agent's eval set (or `eval_set_path`) as one EvalCase.

    A session exported to that file before replaces its case there (same
    `eval_id`); `as_new` adds a separate case instead (see `export.session_export`).
    The file write runs on a thread: it takes a cross-process lock and fsyncs.
    `on_stage` hears what the export does now, in a few words ("reading the
    session", "building the eval case", "writing FILE (2.4 MB)").

    Raises:
      EvalSetFileError: The eval set file exists but is not a valid EvalSet, or
        cannot be written. The file is left as it was; the session stays stored.
    """
    self._machine.require(Phase.COMPLETED, action="export the session")
    assert self.agent is not None
    from adk_simulator.engine.export.session_export import export_session

    stage = on_stage or (lambda _: None)
    stage("reading the session")
    session = await self.stored_session()
    result, marker = await export_session(
      self.session_service,
      session,
      agent_name=self.agent.config.name,
      initial_state=self.initial_state,
      eval_set_path=eval_set_path or self.agent.eval_set_path,
      as_new=as_new,
      on_stage=stage,
    )
    self._events.append(marker)
    self._exported_at = len(self._events)
    self.exports.append(result)
    return result

  async def exported_case(self, eval_set_path: Path | None = None) -> str | None:
    """The eval id this session was exported as to that eval set, if the file still holds it."""
    assert self.agent is not None
    from adk_simulator.engine.export.session_export import exported_case

    return await asyncio.to_thread(
      exported_case, await self.stored_session(), eval_set_path or self.agent.eval_set_path
    )

  async def mark_failed(self, reason: str) -> None:
    """Notes on the stored session that a headless run failed (`reason`).

    The session stays stored as it is; its status reads "failed" until a
    later turn continues it, and `replay --all` leaves it out.
    """
    from adk_simulator.engine.record.notes import FailureRecord

    if self.session_id is None:
      return
    session = await self.stored_session()
    marker = metadata_event(Notes(failure=FailureRecord(reason=reason, at=time.time())))
    self._events.append(await self.session_service.append_event(session, marker))

  # --- Internals ------------------------------------------------------------------

  async def _store_resume_marker(self) -> None:
    """Notes, once, that a reopened session runs on: played time leaves out the gap."""
    marker, self._resume_marker = self._resume_marker, None
    if marker is not None:
      session = await self.stored_session()
      self._events.append(await self.session_service.append_event(session, marker))

  def _require_unused(self) -> None:
    if self.agent is not None:
      raise RuntimeError(
        "this Simulation has played a session already; a new session takes a new Simulation"
        " (Workspace.new_simulation)"
      )

  def _move(self, phase: Phase, action: str) -> None:
    self._machine.move(phase, action)
    self._emit(PhaseChanged(phase=phase))

  def _emit(self, event: EngineEvent) -> None:
    if self._listener is None:
      return
    try:
      self._listener(event)
    except Exception:  # a driver's bug must not break the run
      logger.exception("engine listener failed on %s", event.kind)

  def _runner_for(self, agent: LoadedAgent, *, resumable: bool = False) -> Runner:
    from adk_simulator.engine.runtime.plugin import seat_human
    from adk_simulator.engine.runtime.seat import seat_person

    self._played = seat_person(agent.root_agent)
    if self.artifact_service is None:
      from google.adk.artifacts.in_memory_artifact_service import InMemoryArtifactService

      self.artifact_service = InMemoryArtifactService()
    return seat_human(
      agent,
      self,
      self.session_service,
      resumable=resumable,
      artifact_service=self.artifact_service,
    )

  async def _run(
    self, message: Any, *, runner: Runner | None = None, invocation_id: str | None = None
  ) -> None:
    from google.adk.agents.run_config import RunConfig
    from google.adk.agents.run_config import ToolThreadPoolConfig

    from adk_simulator.engine.runtime.seat import take_seat

    take_seat(self)
    runner = runner or self._runner
    assert runner is not None and self.session_id is not None
    config = RunConfig(tool_thread_pool_config=ToolThreadPoolConfig(max_workers=self._tool_workers))
    try:
      async for event in runner.run_async(
        user_id=self.user_id,
        session_id=self.session_id,
        invocation_id=invocation_id,
        new_message=message,
        run_config=config,
        yield_user_message=message is not None,
      ):
        if event.partial:
          continue
        self._events.append(event)
        self._tools.stored(_response_ids(event))
        self._emit(HistoryChanged(size=len(self._events)))
    except asyncio.CancelledError:
      raise
    except Exception as error:  # the run itself failed: report, keep the app up
      logger.exception("ADK run failed")
      from adk_simulator.engine.store.services import is_store_error

      self.run_error = RunFailed(
        error_type=type(error).__name__,
        message=str(error),
        traceback=format_traceback(error),
        store=is_store_error(error),
        hint=failure_hint(error),
      )
      self._emit(self.run_error)
    finally:
      for ask in self._asks:
        if not ask.future.done():
          ask.future.cancel()
      self._asks.clear()
      if self._machine.phase is Phase.ACTIVE and not _being_cancelled():
        if self.run_error is None and self.history.paused:
          self._emit(RunPaused(awaiting=len(self.awaiting)))
        else:
          self._move(Phase.COMPLETED, "finish the run")
      self._wakeup.set()

  # --- HumanSeat: called by the plugin on the runner's loop --------------------------

  async def ask_human(
    self, agent_name: str, llm_request: LlmRequest, within_call: str | None
  ) -> LlmResponse:
    agent = self._played.get(agent_name)
    output_model = schema_model(getattr(agent, "output_schema", None))
    self._step += 1
    step = self._step
    tools, builtin_tools = self._offered.setdefault(agent_name, OfferedTools()).read(llm_request)
    request = ModelRequest(
      step=step,
      agent_name=agent_name,
      within_call=within_call,
      system_instruction=instruction_text(llm_request.config.system_instruction),
      tools=tools,
      builtin_tools=builtin_tools,
      raw_contents=list(llm_request.contents),
      output_schema=output_model.model_json_schema() if output_model else None,
    )
    future: asyncio.Future[LlmResponse] = asyncio.get_running_loop().create_future()
    self._asks.append(_Ask(request=request, future=future, output_model=output_model))
    self._emit(ModelTurnRequested(request=request))
    self._wakeup.set()
    response = await future
    self._answered[(agent_name, within_call)] = step
    return response

  def answered_step(self, agent_name: str, within_call: str | None) -> int | None:
    return self._answered.pop((agent_name, within_call), None)

  def inner_event(self, call_id: str, event: Event) -> None:
    self._inner.setdefault(call_id, []).append(event)
    self._tools.stored(_response_ids(event))
    self._emit(HistoryChanged(size=len(self._events)))

  def inner_run(self, call_id: str) -> InnerRun | None:
    events = self._inner.pop(call_id, None)
    if events is None:
      return None
    agent = next((e.author for e in events if e.author and e.author != "user"), "")
    dumped = [e.model_dump(mode="json", exclude_none=True, by_alias=True) for e in events]
    return InnerRun(agent=agent, events=dumped)

  def tool_started(
    self, call_id: str, tool_name: str, args: dict[str, Any], agent: str, *, on_thread: bool
  ) -> None:
    tool = self._tools.start(call_id, tool_name, args, agent, on_thread=on_thread)
    self._emit(ToolStarted(tool=tool))

  def tool_finished(
    self, call_id: str, *, error: BaseException | None, result: Any = None
  ) -> CallNote:
    tool, note, ended_now = self._tools.finish(call_id, error, result)
    if ended_now:
      self._emit(
        ToolFinished(
          call_id=call_id,
          tool_name=tool.tool_name if tool else "",
          duration_s=note.duration_s or 0.0,
          failed=error is not None,
          cancelled=isinstance(error, ToolCancelledError),
        )
      )
    return note

  def cancel_signal(self, call_id: str) -> asyncio.Future[None] | None:
    return self._tools.signal(call_id)

  def call_notes(self, call_id: str) -> CallNote | None:
    return self._tools.notes(call_id)


def _live_entry(call: ToolCall, done: EndedCall) -> ToolOutput | ToolError:
  """What the record will hold for `call` once ADK stores its response."""
  common = {
    "timestamp": done.ended_at,
    "invocation_id": call.invocation_id,
    "author": call.author,
    "call_id": call.call_id,
    "tool_name": call.tool_name,
    "duration_s": done.note.duration_s,
  }
  error = done.note.error
  if error is not None:
    return ToolError(
      **common,
      error_type=error.type,
      message=error.message,
      traceback=error.traceback,
      cancelled=error.cancelled,
    )
  return ToolOutput(**common, output=done.result)


def _response_ids(event: Event) -> list[str]:
  parts = event.content.parts if event.content and event.content.parts else []
  return [p.function_response.id for p in parts if p.function_response and p.function_response.id]


def _being_cancelled() -> bool:
  task = asyncio.current_task()
  return bool(task and task.cancelling())
