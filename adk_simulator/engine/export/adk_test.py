"""A played session as an `adk test` file: the replay test ADK's own runner runs.

`adk test AGENTS_DIR` (`google.adk.cli.agent_test_runner`) finds every
`<agent>/tests/*.json`, a saved session, and replays it: it sends the first
event's text as the user's message, answers every model call with the next
recorded model content (a mock model, in order), runs the real tools, and
compares the events the run makes with the recorded ones, ids and times
left out. `adk test --rebuild` writes such a file by running the real model.

`adk_test_file` writes what `--rebuild` would write for the session: the
conversation's events without the simulator's content-less notes and without
`customMetadata`, put through the runner's own id normalisation (`e-1`...,
call ids `fc-1`... in order of appearance; `engine/adk.py` reaches it), with
invocation ids `i-1`..., and dumped the way `--rebuild` dumps them.

The runner replays every later user event too (another message, a
confirmation answer, a delivered long-running result: it re-sends each to the
run), so a whole conversation is one file; this was checked with the
installed ADK, the runner passing on such files and failing when a tool's
result drifts. What it cannot replay is refused, with the reason
(`AdkTestRefusal`): a first message that is not plain text (the runner sends
only the first part's text), a non-empty initial state (each replay starts
from an empty session), a tool error no error callback turns into a response,
a cancelled or unanswered call, a model call a callback answered (the mock's
answers would shift), an AgentTool's inner run (ADK keeps it in a child
session the file cannot hold), a number JSON cannot hold, a session that
stops before the agent answers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any

from adk_simulator.engine import adk
from adk_simulator.engine.export.golden_trace import final_session_state
from adk_simulator.engine.record.history import ConfirmationAnswer
from adk_simulator.engine.record.history import DeliveredResult
from adk_simulator.engine.record.history import FinalResponse
from adk_simulator.engine.record.history import InnerRun
from adk_simulator.engine.record.history import ModelText
from adk_simulator.engine.record.history import ToolCall
from adk_simulator.engine.record.history import ToolError
from adk_simulator.engine.record.history import ToolOutput
from adk_simulator.engine.record.history import UserQuery
from adk_simulator.engine.record.notes import is_metadata_event
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.record.summary import recovered_initial_state

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.session import Session

  from adk_simulator.engine.agents.loader import LoadedAgent

_DUMP_EXCLUDED = {
  "timestamp",
  "usage_metadata",
  "model_version",
  "avg_logprobs",
  "cache_metadata",
  "logprobs_result",
  "citation_metadata",
  "interaction_id",
  "turn_complete",
}
"""What `adk test --rebuild` leaves out of each event it writes."""


class AdkTestRefusal(ValueError):
  """The session cannot be an `adk test` file; `reasons` says why, each precisely."""

  def __init__(self, session_id: str, reasons: list[str]) -> None:
    listed = "\n".join(f"  - {reason}" for reason in reasons)
    super().__init__(
      f"session {session_id} cannot be replayed by `adk test`, so no file was written:\n{listed}"
    )
    self.reasons = reasons


def adk_test_file(session: Session, agent: LoadedAgent) -> tuple[str, list[str]]:
  """The text of the `adk test` file for `session`, and warnings about it.

  Raises:
    AdkTestRefusal: The runner could not replay the session; every reason is listed.
    ImportError: ADK's test runner cannot be imported (it needs pytest).
  """
  reasons, warnings = _check(session, agent)
  if reasons:
    raise AdkTestRefusal(session.id, reasons)
  resumable = agent.app is not None and agent.app.resumability_config is not None
  events = [
    _bare(e)
    for e in adk.live_events(session.events)
    if not is_metadata_event(e) and (resumable or not _resumption_mark(e))
  ]
  events = adk.normalize_test_event_ids(events)
  invocations: dict[str, str] = {}
  for event in events:
    event.invocation_id = invocations.setdefault(event.invocation_id, f"i-{len(invocations) + 1}")
  dumped = [_dump(e) for e in events]
  data: dict[str, Any] = {
    "appName": session.app_name,
    "userId": session.user_id,
    "id": session.id,
    "state": final_session_state(session.state),
    "events": dumped,
  }
  text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
  return text, warnings


def _resumption_mark(event: Event) -> bool:
  """An event ADK writes only in a resumable run: no content, an agent's end or state.

  The simulator resumes a run with ADK's resumability when a session is
  resumed or a turn undone; `adk test` replays without it (unless the agent's
  App asks for it), so it never makes these events and they are left out.
  """
  if event.content is not None:
    return False
  actions = event.actions
  return bool(actions.end_of_agent or actions.agent_state) and not (
    actions.state_delta or actions.artifact_delta or actions.transfer_to_agent or actions.escalate
  )


def _bare(event: Event) -> Event:
  """The event as a run makes it: the simulator's notes off."""
  bare = event.model_copy(deep=True)
  bare.custom_metadata = None
  return bare


def _dump(event: Event) -> dict[str, Any]:
  """One event as `adk test --rebuild` writes it."""
  data = event.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=_DUMP_EXCLUDED)
  content = data.get("content")
  if isinstance(content, dict):
    for part in content.get("parts") or []:
      if isinstance(part, dict):
        part.pop("thoughtSignature", None)
  actions = data.get("actions")
  if isinstance(actions, dict):
    kept = {k: v for k, v in actions.items() if not (isinstance(v, dict) and not v)}
    if kept:
      data["actions"] = kept
    else:
      del data["actions"]
  return data


def _check(session: Session, agent: LoadedAgent) -> tuple[list[str], list[str]]:
  """Why the runner could not replay the session (refusals), and what to know (warnings)."""
  reasons: list[str] = []
  warnings: list[str] = []
  history = read_events(session.events)
  entries = history.entries
  sent = [e for e in entries if isinstance(e, UserQuery | ConfirmationAnswer | DeliveredResult)]
  if not sent:
    return [f"session {session.id} has no user message: there is nothing to replay."], []
  first_event = next((e for e in adk.live_events(session.events) if not is_metadata_event(e)), None)
  if not isinstance(entries[0], UserQuery) or first_event is None or first_event.author != "user":
    reasons.append(
      "the conversation does not start with the user's message; the runner skips such a file."
    )
  else:
    parts = (first_event.content.parts if first_event.content else None) or []
    if len(parts) != 1 or not parts[0].text:
      reasons.append(
        "the first user message is not one plain text part (it has"
        f" {len(parts)} parts, or an attachment); the runner sends only the first part's text."
      )
  initial = recovered_initial_state(session)
  if initial:
    keys = ", ".join(sorted(initial))
    reasons.append(
      f"the session started with state ({keys}); `adk test` starts every replay from an empty"
      " state, so the agent would not see it. Play it with an empty initial state."
    )
  for entry in entries:
    match entry:
      case ToolError(cancelled=True):
        reasons.append(
          f"call {entry.call_id} of `{entry.tool_name}` was cancelled in the simulator; `adk test`"
          " runs the tool to completion, so its result would differ."
        )
      case ToolError() if not _handles_tool_errors(agent, entry.author):
        reasons.append(
          f"`{entry.tool_name}` (call {entry.call_id}) raised {entry.error_type}: {entry.message};"
          f" agent `{entry.author}` has no on_tool_error_callback (nor its App a plugin with"
          " one), so under `adk test` the tool raises again and the replay fails instead of"
          " sending this error to the model."
        )
      case ToolOutput() if entry.non_finite:
        reasons.append(
          f"`{entry.tool_name}` (call {entry.call_id}) returned NaN or Infinity at"
          f" {', '.join(entry.non_finite)}: the file holds null there, the replay would not."
        )
      case InnerRun():
        reasons.append(
          f"`{entry.tool_name}` (call {entry.call_id}) ran agent `{entry.agent}` as an AgentTool:"
          " ADK keeps that run in a child session the file cannot hold, so the mock model would"
          " have no answers for its model calls."
        )
      case ToolCall() | ModelText() | FinalResponse() if entry.by == "callback":
        reasons.append(
          f"a model call of `{entry.author}` was answered by a callback, not the model; the"
          " runner feeds every recorded model response to the mock model in order, so every"
          " answer after it would go to the wrong call."
        )
      case _:
        pass
  answered = {e.call_id for e in entries if isinstance(e, ToolOutput | ToolError)}
  for entry in entries:
    if isinstance(entry, ToolCall) and entry.call_id not in answered:
      reasons.append(
        f"call {entry.call_id} of `{entry.tool_name}` has no recorded response; the replay"
        " would run it and go on from its real result."
      )
  if entries and not isinstance(entries[-1], FinalResponse) and not history.paused and not reasons:
    reasons.append("the session does not end with the agent's final response: finish it first.")
  if agent.config.replay_ignore:
    warnings.append(
      "this agent's replay_ignore ("
      + ", ".join(agent.config.replay_ignore)
      + ") names tool output values that change on every run; `adk test` compares every"
      " output exactly, so such a value fails the test."
    )
  return list(dict.fromkeys(reasons)), warnings


def _handles_tool_errors(agent: LoadedAgent, author: str) -> bool:
  """Whether the agent that made the call, or its App's plugins, turn tool errors into responses."""
  from google.adk.plugins.base_plugin import BasePlugin

  plugins = list(agent.app.plugins) if agent.app is not None else []
  if any(type(p).on_tool_error_callback is not BasePlugin.on_tool_error_callback for p in plugins):
    return True
  caller = agent.root_agent.find_agent(author) if author else None
  callbacks = getattr(caller or agent.root_agent, "canonical_on_tool_error_callbacks", None)
  return bool(callbacks)
