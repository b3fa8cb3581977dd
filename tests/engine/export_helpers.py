"""Real ADK sessions for the export tests: the math agent on the real `Runner`.

`ScriptedModel` plays the model the way the simulator's human does: its
`before_model_callback` returns the next scripted `LlmResponse`, so no model is
built and no network is used, while the agent's real tools run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.adk.agents.base_agent import BaseAgent
from google.adk.apps import App
from google.adk.models.llm_response import LlmResponse
from google.adk.plugins.base_plugin import BasePlugin
from google.adk.runners import Runner
from google.adk.sessions.base_session_service import BaseSessionService
from google.adk.sessions.in_memory_session_service import InMemorySessionService
from google.adk.sessions.session import Session
from google.genai import types

AGENTS_DIR = Path(__file__).resolve().parents[2] / "agents"
APP_NAME = "math_agent"
USER_ID = "tester"

Turn = tuple[str, Sequence[LlmResponse]]
"""A user query and the model turns that answer it, in order."""


class ScriptedModel(BasePlugin):
  """Answers every model call with the next scripted response."""

  def __init__(self, responses: Sequence[LlmResponse]) -> None:
    super().__init__(name="scripted_model")
    self._responses = list(responses)

  async def before_model_callback(self, *, callback_context, llm_request) -> LlmResponse:
    if not self._responses:
      raise AssertionError("the agent asked the model more often than the script answers")
    return self._responses.pop(0)

  async def on_tool_error_callback(
    self, *, tool, tool_args, tool_context, error: Exception
  ) -> dict[str, Any]:
    # What the simulator does: the exception becomes the response the model sees.
    return {"error": {"type": type(error).__name__, "message": str(error)}}

  @property
  def unused(self) -> int:
    return len(self._responses)


def calls(*calls_: tuple[str, dict[str, Any]]) -> LlmResponse:
  """One model turn of function calls (several make a parallel turn)."""
  return LlmResponse(
    content=types.Content(
      role="model",
      parts=[types.Part(function_call=types.FunctionCall(name=n, args=a)) for n, a in calls_],
    )
  )


def answer(text: str) -> LlmResponse:
  """The model's final text for a turn."""
  return LlmResponse(content=types.Content(role="model", parts=[types.Part(text=text)]))


async def run_session(
  root_agent: BaseAgent,
  turns: Sequence[Turn],
  *,
  state: dict[str, Any] | None = None,
  session_service: BaseSessionService | None = None,
) -> Session:
  """Runs the turns on the real Runner and returns the stored session."""
  script = ScriptedModel([r for _, responses in turns for r in responses])
  service = session_service or InMemorySessionService()
  session = await service.create_session(app_name=APP_NAME, user_id=USER_ID, state=state)
  app = App(name=APP_NAME, root_agent=root_agent, plugins=[script])
  async with Runner(app=app, session_service=service) as runner:
    for query, _ in turns:
      message = types.Content(role="user", parts=[types.Part(text=query)])
      async for _event in runner.run_async(
        user_id=USER_ID, session_id=session.id, new_message=message
      ):
        pass
  assert script.unused == 0, "the agent stopped before the script was used up"
  stored = await service.get_session(app_name=APP_NAME, user_id=USER_ID, session_id=session.id)
  assert stored is not None
  return stored


def read_json(path: Path) -> Any:
  return json.loads(path.read_text(encoding="utf-8"))
