"""Fixtures for the bundled demo agents: import them, and run them on the real ADK runner.

The runner's model is a script: a plugin's `before_model_callback` returns the
next scripted `LlmResponse`, so no model is built and the real tools run.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.adk.agents import BaseAgent
from google.adk.apps import App
from google.adk.events import Event
from google.adk.models.llm_request import LlmRequest
from google.adk.models.llm_response import LlmResponse
from google.adk.plugins.base_plugin import BasePlugin
from google.adk.runners import Runner
from google.adk.sessions import InMemorySessionService
from google.adk.sessions import Session
from google.genai import types

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"


@pytest.fixture
def agents_on_path(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
  """Puts the repository's agents/ folder on sys.path; returns an importer."""
  monkeypatch.syspath_prepend(str(AGENTS_DIR))
  return importlib.import_module


@pytest.fixture
def helpdesk_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
  """Points the helpdesk at a database path in tmp_path (not built yet)."""
  path = tmp_path / "helpdesk.db"
  monkeypatch.setenv("HELPDESK_DB", str(path))
  return path


# One scripted model turn: a final text, or the tool calls of one turn (several
# calls make a parallel turn), each as (tool name, arguments).
ScriptedTurn = str | list[tuple[str, dict[str, Any]]]


def _content(turn: ScriptedTurn) -> types.Content:
  if isinstance(turn, str):
    return types.Content(role="model", parts=[types.Part.from_text(text=turn)])
  return types.Content(
    role="model",
    parts=[types.Part.from_function_call(name=name, args=args) for name, args in turn],
  )


class ScriptedModel(BasePlugin):
  """Plays the model from a script and records every request it was shown.

  Tool errors become the `{"error": {...}}` response the model would see, as
  the simulator does, so a failing tool does not end the run.
  """

  def __init__(self, turns: list[ScriptedTurn]):
    super().__init__(name="scripted_model")
    self.turns = [_content(turn) for turn in turns]
    self.requests: list[LlmRequest] = []

  async def before_model_callback(
    self, *, callback_context: Any, llm_request: LlmRequest
  ) -> LlmResponse:
    self.requests.append(llm_request)
    assert self.turns, "the agent asked the model for more turns than were scripted"
    return LlmResponse(content=self.turns.pop(0))

  async def on_tool_error_callback(
    self, *, tool: Any, tool_args: dict[str, Any], tool_context: Any, error: Exception
  ) -> dict[str, Any]:
    return {"error": {"type": type(error).__name__, "message": str(error)}}


@dataclass
class ScriptedRun:
  """What a scripted run produced."""

  events: list[Event]
  session: Session
  model: ScriptedModel
  function_responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


RunScript = Callable[..., Awaitable[ScriptedRun]]


@pytest.fixture
def run_script() -> RunScript:
  """Runs an agent for one user message with a scripted model; returns what happened."""

  async def run(
    agent: BaseAgent,
    message: str,
    turns: list[ScriptedTurn],
    state: dict[str, Any] | None = None,
  ) -> ScriptedRun:
    model = ScriptedModel(turns)
    sessions = InMemorySessionService()
    runner = Runner(
      app=App(name="demo_agent_test", root_agent=agent, plugins=[model]),
      session_service=sessions,
    )
    session = await sessions.create_session(
      app_name="demo_agent_test", user_id="tester", state=state or {}
    )
    try:
      events = [
        event
        async for event in runner.run_async(
          user_id="tester",
          session_id=session.id,
          new_message=types.Content(role="user", parts=[types.Part.from_text(text=message)]),
        )
      ]
    finally:
      await runner.close()
    stored = await sessions.get_session(
      app_name="demo_agent_test", user_id="tester", session_id=session.id
    )
    assert stored is not None
    assert not model.turns, "the run ended before the script did"
    responses: dict[str, list[dict[str, Any]]] = {}
    for event in events:
      for response in event.get_function_responses():
        responses.setdefault(response.name or "", []).append(dict(response.response or {}))
    return ScriptedRun(events, stored, model, responses)

  return run
