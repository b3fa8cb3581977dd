"""Keys typed ahead: whole flows played with no pause between keys or screens.

Each flow is one `pilot.press` call: the picker, the user's message, the tool
picker and its form, the final response and the export, typed as fast as the
app takes keys. What is exported must be exactly what was typed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key  # pyright: ignore[reportPrivateUsage]
from textual.message import Message
from textual.pilot import Pilot
from tui_helpers import WorkspaceFactory
from tui_helpers import settle
from tui_helpers import wait_until

from adk_simulator.tui.app import SimulatorApp
from adk_simulator.tui.screens.completed import CompletedScreen


def _cases(path: Path) -> list[dict]:
  return json.loads(path.read_text(encoding="utf-8"))["eval_cases"]


def _keys(text: str) -> list[str]:
  return list(text)


def burst(pilot: Pilot[None], *keys: str) -> None:
  """Sends every key at once, as a terminal does with a paste or a fast typist.

  `pilot.press` waits for the app to go idle after each key; a terminal does
  not, so this hands the whole burst to the driver before any is handled.
  """
  app = pilot.app
  driver = app._driver  # noqa: SLF001 - where the terminal's keys come in
  assert driver is not None
  for key in keys:
    # As `pilot.press` names them: "*" is the key "asterisk" with the character "*".
    char: str | None = key if len(key) == 1 else None
    if char is not None and not char.isalnum():
      key = _character_to_key(char)
    event = events.Key(key, char)
    event.set_sender(app)
    driver.send_message(event)


@pytest.fixture(params=["idle", "busy"])
def machine(request: pytest.FixtureRequest) -> Iterator[None]:
  """As is, or with a thread that keeps a core (and the GIL) busy meanwhile."""
  if request.param == "idle":
    yield
    return
  stop = threading.Event()

  def spin() -> None:
    while not stop.is_set():
      sum(range(20_000))

  thread = threading.Thread(target=spin, daemon=True)
  thread.start()
  try:
    yield
  finally:
    stop.set()
    thread.join()


@pytest.mark.usefixtures("machine")
async def test_a_whole_math_session_typed_without_a_pause(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    burst(
      pilot,
      "enter",
      *_keys("What is 7*12.5?"),
      "ctrl+s",
      "t",
      *_keys("mul"),
      "enter",
      "7",
      "tab",
      *_keys("12.5"),
      "ctrl+s",
      "f",
      *_keys("It is 87.5"),
      "ctrl+s",
      "e",
    )
    await wait_until(pilot, lambda: (tmp_path / "evalsets" / "math.evalset.json").exists())
    await settle(pilot)
    assert isinstance(app.screen, CompletedScreen)
  (case,) = _cases(tmp_path / "evalsets" / "math.evalset.json")
  (turn,) = case["conversation"]
  assert turn["user_content"]["parts"][0]["text"] == "What is 7*12.5?"
  (call,) = turn["intermediate_data"]["tool_uses"]
  assert (call["name"], call["args"]) == ("multiply", {"a": 7, "b": 12.5})
  assert turn["final_response"]["parts"][0]["text"] == "It is 87.5"


async def test_structured_input_and_answer_with_a_new_row_typed_without_a_pause(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  # The row that "+ add line item" mounts gets the keys typed after enter.
  app = SimulatorApp(tui_workspace("Quote"))
  eval_set = tmp_path / "evalsets" / "quote.evalset.json"
  async with app.run_test(size=(80, 24)) as pilot:
    await settle(pilot)
    burst(
      pilot,
      "enter",
      *_keys("Lyon"),
      "tab",
      *_keys("Lisbon"),
      "tab",
      "3",
      "tab",
      "2",
      "ctrl+s",
      "f",
      *_keys("330"),
      "tab",
      *("enter", "down", "enter"),  # currency: EUR
      "tab",
      "enter",  # + add line item
      *_keys("Standard room"),
      "tab",
      "3",
      "tab",
      *_keys("110"),
      "tab",
      *_keys("330"),
      "ctrl+s",
      "e",
    )
    await wait_until(pilot, eval_set.exists)
    await settle(pilot)
  (case,) = _cases(eval_set)
  (turn,) = case["conversation"]
  query = json.loads(turn["user_content"]["parts"][0]["text"])
  assert query == {
    "origin": "Lyon",
    "destination": "Lisbon",
    "nights": 3,
    "travellers": 2,
    "room": "standard",
    "breakfast": False,
    "currency": "EUR",
  }
  answer = json.loads(turn["final_response"]["parts"][0]["text"])
  assert answer["line_items"] == [
    {"description": "Standard room", "quantity": 3, "unit_price": 110, "amount": 330}
  ]
  assert answer["total"] == 330 and answer["currency"] == "EUR"


async def test_pilot_press_of_a_whole_session_in_one_call(
  tui_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
  app = SimulatorApp(tui_workspace("Math"))
  eval_set = tmp_path / "evalsets" / "math.evalset.json"
  async with app.run_test(size=(80, 24)) as pilot:
    await settle(pilot)
    await pilot.press(
      "enter", *"2+3", "ctrl+s", "t", *"add", "enter", "2", "tab", "3", "ctrl+s",
      "f", *"5", "ctrl+s", "e",
    )  # fmt: skip
    await wait_until(pilot, eval_set.exists)
  (case,) = _cases(eval_set)
  (turn,) = case["conversation"]
  assert turn["user_content"]["parts"][0]["text"] == "2+3"
  (call,) = turn["intermediate_data"]["tool_uses"]
  assert (call["name"], call["args"]) == ("add", {"a": 2, "b": 3})
  assert turn["final_response"]["parts"][0]["text"] == "5"


async def test_keys_for_the_next_move_wait_for_a_slow_tool_and_the_screens_keys_do_not(
  tui_workspace: WorkspaceFactory,
) -> None:
  app = SimulatorApp(tui_workspace("Helpdesk"))
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    # Helpdesk is the first agent; run_diagnostics sleeps on its thread.
    burst(
      pilot,
      "enter",
      *_keys("Check ticket 1"),
      "ctrl+s",
      "t",
      *_keys("diag"),
      "enter",
      "1",
      "tab",
      "ctrl+u",
      "1",
      "ctrl+s",
      "m",  # the session screen takes it at once (the model view toggles)
      "f",  # waits: no model call waits until the tool is done
      *_keys("All checks passed."),
      "ctrl+s",
    )
    await wait_until(pilot, lambda: isinstance(app.screen, CompletedScreen))
    await settle(pilot)
    simulation = app.simulation
    assert simulation is not None
    kinds = [entry.kind for entry in simulation.history.entries]
    assert kinds == ["user_query", "tool_call", "tool_output", "final_response"]
    assert simulation.history.entries[0].text == "Check ticket 1"  # type: ignore[union-attr]
    assert simulation.history.entries[-1].text == "All checks passed."  # type: ignore[union-attr]


async def test_a_key_typed_while_a_saved_session_opens_goes_to_it(
  tui_workspace: WorkspaceFactory,
) -> None:
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.runtime.turns import answer
  from adk_simulator.engine.runtime.turns import call
  from adk_simulator.tui.screens.replay_view import ReplayViewScreen

  workspace = tui_workspace("Math")
  agent = workspace.load_agent(workspace.agents[0])
  assert isinstance(agent, LoadedAgent)
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("2+2?")
  await simulation.submit_turn(call("add", a=2, b=2))
  await simulation.submit_turn(answer("4"))
  await simulation.abandon()
  app = SimulatorApp(workspace)
  async with app.run_test(size=(120, 40)) as pilot:
    await settle(pilot)
    # s opens the saved sessions, enter opens the one listed (read on a worker), p replays it.
    burst(pilot, "s", "enter", "p")
    await wait_until(pilot, lambda: isinstance(app.screen, ReplayViewScreen))
    await settle(pilot)
    replay = app.screen
    assert isinstance(replay, ReplayViewScreen) and replay.report is not None
    assert replay.stored.session.id == simulation.session_id


async def test_keys_typed_after_a_refused_send_do_not_land_in_the_field_in_error(
  tui_workspace: WorkspaceFactory,
) -> None:
  from textual.widgets import Input

  from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen

  app = SimulatorApp(tui_workspace("Math"))
  async with app.run_test(size=(80, 24)) as pilot:
    await settle(pilot)
    burst(pilot, "enter", *_keys("2+3?"), "ctrl+s", "t", *_keys("add"), "enter", "2")
    await wait_until(pilot, lambda: isinstance(app.screen, ToolCallScreen))
    await settle(pilot)
    # b is missing: ctrl+s is refused and b takes the focus; what was typed for
    # the next screen ("f" and an answer) must not end up in b or a.
    burst(pilot, "ctrl+s", "f", *_keys("55"), "ctrl+s")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ToolCallScreen), "not sent"
    fields = [w for w in screen.query(Input) if w.has_class("field-control")]
    assert [f.value for f in fields] == ["2", ""]
    assert app.focused is fields[1], "the field in error has the focus"
    # What is typed now, seeing the error, goes in.
    burst(pilot, "3", "ctrl+s")
    await wait_until(pilot, lambda: not isinstance(app.screen, ToolCallScreen))
    await settle(pilot)
    assert app.simulation is not None
    calls = [e for e in app.simulation.history.entries if e.kind == "tool_call"]
    assert [c.args for c in calls] == [{"a": 2, "b": 3}]  # type: ignore[attr-defined]


async def test_the_textual_internals_type_ahead_reads_still_say_when_a_widget_is_busy() -> None:
  # Pins adk_simulator/tui/textual_internals.py against the installed Textual.
  import asyncio

  from textual.app import App
  from textual.widgets import Static

  from adk_simulator.tui.textual_internals import is_busy

  release, handling = asyncio.Event(), asyncio.Event()

  class Handled(Message):
    pass

  class Slow(Static):
    async def on_handled(self) -> None:
      handling.set()
      await release.wait()  # handling a message until the test lets it go

  class Host(App[None]):
    def compose(self):
      yield Slow("slow")

  async with Host().run_test() as pilot:
    await pilot.pause()
    slow = pilot.app.query_one(Slow)
    try:
      assert not is_busy(slow), "idle: waiting on its queue"
      slow.post_message(Handled())
      assert is_busy(slow), "a message waits"
      await asyncio.wait_for(handling.wait(), timeout=30)  # pilot.pause would wait for it
      assert is_busy(slow), "handling it"
    finally:
      release.set()
    await wait_until(pilot, lambda: not is_busy(slow))
