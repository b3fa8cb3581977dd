"""The ADK internals `engine/adk.py` relies on are still there, with the shapes it expects.

An ADK upgrade that moves one of them fails here, by name, rather than as a
strange failure in a session.
"""

from __future__ import annotations

import inspect

from google.adk.agents.context import Context
from google.adk.events import _internal_metadata
from google.adk.flows.llm_flows.tools import _caller
from google.adk.utils import _sync_runner

from adk_simulator.engine import adk


def test_contexts_expose_their_invocation():
  assert callable(Context.get_invocation_context)


def test_cli_helpers_exist():
  from google.adk.cli.utils import agent_loader
  from google.adk.cli.utils import envs
  from google.adk.cli.utils import service_factory

  assert callable(agent_loader.AgentLoader) and callable(agent_loader.is_single_agent_directory)
  assert callable(envs.load_dotenv_for_agent)
  assert (
    "session_service_uri"
    in inspect.signature(service_factory.create_session_service_from_options).parameters
  )


def test_public_session_strips_internal_metadata():
  assert callable(_internal_metadata.public_session)


def test_every_tool_call_goes_through_the_seam():
  signature = inspect.signature(_caller._call_tool_async)  # noqa: SLF001
  assert list(signature.parameters) == ["tool", "args", "tool_context"]
  # The runner looks the seam up at call time, so wrapping it reaches every call.
  source = inspect.getsource(_caller._execute_single_prepared_call_async)  # noqa: SLF001
  assert "_call_tool_async(" in source


def test_the_seam_wraps_once():
  adk.install_tool_call_wrapper(lambda original, *a: original(*a))
  first = _caller._call_tool_async  # noqa: SLF001
  adk.install_tool_call_wrapper(lambda original, *a: original(*a))
  assert first.__adk_simulator_seam__ is _caller._call_tool_async.__adk_simulator_seam__


def test_sync_callables_take_a_bound_runner():
  with _sync_runner._use_sync_callable_runner(None):  # noqa: SLF001
    pass
  assert callable(_sync_runner._resolve_sync_callable_runner)  # noqa: SLF001


def test_the_untrusted_description_fence_is_the_one_the_tool_lists_strip():
  # What McpTool sends the model; specs.without_untrusted_fence strips exactly it.
  from google.adk.flows.llm_flows.context import _fencing

  from adk_simulator.engine.schema.specs import UNTRUSTED_DESCRIPTION_BEGIN
  from adk_simulator.engine.schema.specs import UNTRUSTED_DESCRIPTION_END
  from adk_simulator.engine.schema.specs import without_untrusted_fence

  assert _fencing.UNTRUSTED_TOOL_DESCRIPTION_BEGIN == UNTRUSTED_DESCRIPTION_BEGIN
  assert _fencing.UNTRUSTED_TOOL_DESCRIPTION_END == UNTRUSTED_DESCRIPTION_END
  text = "Finds books.\n\nArgs:\n  query: A word."
  assert without_untrusted_fence(_fencing.fence_tool_description(text)) == text


def test_a_stdio_toolset_takes_its_server_stderr_from_its_session_manager(tmp_path):
  import sys

  from google.adk.tools.mcp_tool.mcp_session_manager import StdioConnectionParams
  from google.adk.tools.mcp_tool.mcp_toolset import McpToolset
  from mcp import StdioServerParameters

  toolset = McpToolset(
    connection_params=StdioConnectionParams(
      server_params=StdioServerParameters(command=sys.executable, args=["-c", "pass"])
    )
  )
  manager = toolset._mcp_session_manager  # noqa: SLF001
  assert manager._errlog is sys.stderr  # noqa: SLF001
  with (tmp_path / "server.log").open("a", encoding="utf-8") as log:
    assert adk.send_server_stderr(toolset, log)
    assert manager._errlog is log  # noqa: SLF001
  assert not adk.send_server_stderr(object(), log)


def test_the_confirmation_call_is_named_as_the_record_reads_it():
  from google.adk.utils import _function_call_names

  from adk_simulator.engine.record.reader import REQUEST_CONFIRMATION

  assert _function_call_names.REQUEST_CONFIRMATION_FUNCTION_CALL_NAME == REQUEST_CONFIRMATION


def test_the_test_runner_normalises_ids_as_adk_test_files_expect():
  from google.adk.events.event import Event
  from google.genai import types

  call = types.Part(function_call=types.FunctionCall(id="adk-x", name="add", args={"a": 1}))
  answer = types.Part(
    function_response=types.FunctionResponse(id="adk-x", name="add", response={"result": 1})
  )
  events = [
    Event(author="a", content=types.Content(role="model", parts=[call])),
    Event(author="a", content=types.Content(role="user", parts=[answer])),
  ]
  normalized = adk.normalize_test_event_ids(events)
  assert [e.id for e in normalized] == ["e-1", "e-2"]
  parts = [p for e in normalized for p in (e.content.parts if e.content else None) or []]
  assert parts[0].function_call and parts[0].function_call.id == "fc-1"
  assert parts[1].function_response and parts[1].function_response.id == "fc-1"


def test_rewound_events_are_left_out_by_adks_own_reader():
  from google.adk.events._rewind_events import _apply_rewinds
  from google.adk.events.event import Event
  from google.adk.events.event_actions import EventActions

  kept = Event(author="user", invocation_id="a")
  undone = Event(author="user", invocation_id="b")
  rewind = Event(
    author="user", invocation_id="c", actions=EventActions(rewind_before_invocation_id="b")
  )
  assert _apply_rewinds([kept, undone, rewind]) == [kept]  # noqa: SLF001
  assert adk.live_events([kept, undone, rewind]) == [kept]
