"""One session, one case: exporting again replaces the case; `as_new` adds one; final state."""

from __future__ import annotations

import json
from pathlib import Path

from fixture_agents import fixture_workspace
from google.adk.evaluation.eval_set import EvalSet

from adk_simulator.engine.runtime.turns import answer
from adk_simulator.engine.runtime.turns import call
from adk_simulator.engine.store.sessions import SessionStore

REPO_ROOT = Path(__file__).resolve().parents[2]


def read_set(path: Path) -> EvalSet:
  return EvalSet.model_validate_json(path.read_text(encoding="utf-8"))


async def play_math(workspace, agent, query: str, a: int, b: int):
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query(query)
  await simulation.submit_turn(call("add", a=a, b=b))
  await simulation.submit_turn(answer(str(a + b)))
  return simulation


async def test_exporting_again_replaces_the_case_and_as_new_adds_one(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Math", REPO_ROOT / "agents" / "math_agent")
  other = await play_math(workspace, agent, "1+1?", 1, 1)
  await other.export()
  simulation = await play_math(workspace, agent, "2+3?", 2, 3)
  first = await simulation.export()
  assert (first.replaced, first.case_count) == (False, 2)
  assert await simulation.exported_case() == first.eval_id

  # The conversation goes on; the export after it updates the same case, in place.
  simulation.continue_conversation()
  await simulation.submit_query("and 4+4?")
  await simulation.submit_turn(call("add", a=4, b=4))
  await simulation.submit_turn(answer("8"))
  again = await simulation.export()
  assert (again.replaced, again.eval_id, again.case_count) == (True, first.eval_id, 2)
  cases = read_set(first.path).eval_cases
  assert [c.eval_id for c in cases][1] == first.eval_id, "the case keeps its place"
  assert len(cases[1].conversation or []) == 2, "the replacement holds both turns"
  assert len(cases[0].conversation or []) == 1, "the other session's case is untouched"

  # As new: a separate case, and the next plain export replaces that newest one.
  added = await simulation.export(as_new=True)
  assert (added.replaced, added.case_count) == (False, 3)
  assert added.eval_id != first.eval_id
  assert await simulation.exported_case() == added.eval_id


async def test_a_reopened_session_replaces_its_case_and_a_deleted_case_is_added_again(
  tmp_path: Path,
):
  workspace, agent = fixture_workspace(tmp_path, "Math", REPO_ROOT / "agents" / "math_agent")
  played = await play_math(workspace, agent, "2+3?", 2, 3)
  first = await played.export()
  store = SessionStore(workspace.session_service, [agent])
  stored = await store.find(played.session_id or "")
  reopened = workspace.new_simulation()
  await reopened.open_session(stored.agent, stored.session)
  result = await reopened.export()
  assert (result.replaced, result.eval_id, result.case_count) == (True, first.eval_id, 1)

  # Someone deletes the case from the file: the next export adds it back, as new.
  data = json.loads(first.path.read_text(encoding="utf-8"))
  data["eval_cases"] = []
  first.path.write_text(json.dumps(data), encoding="utf-8")
  assert await reopened.exported_case() is None
  back = await reopened.export()
  assert (back.replaced, back.case_count) == (False, 1)


async def test_a_case_another_session_owns_is_never_replaced(tmp_path: Path):
  """The claim checks the case's first turn: an id another session's case has is not ours."""
  workspace, agent = fixture_workspace(tmp_path, "Math", REPO_ROOT / "agents" / "math_agent")
  mine = await play_math(workspace, agent, "2+3?", 2, 3)
  first = await mine.export()
  # The file's case is swapped for another session's under the same id.
  theirs = await play_math(workspace, agent, "9+9?", 9, 9)
  other_path = tmp_path / "other.evalset.json"
  await theirs.export(other_path)
  data = json.loads(first.path.read_text(encoding="utf-8"))
  foreign = json.loads(other_path.read_text(encoding="utf-8"))["eval_cases"][0]
  foreign["eval_id"] = first.eval_id
  data["eval_cases"] = [foreign]
  first.path.write_text(json.dumps(data), encoding="utf-8")

  result = await mine.export()
  assert (result.replaced, result.case_count) == (False, 2)
  cases = read_set(first.path).eval_cases
  assert cases[0].conversation and cases[0].conversation[0].user_content.parts
  assert cases[0].conversation[0].user_content.parts[0].text == "9+9?", "theirs is kept"


async def test_the_case_holds_the_final_state_without_temp_keys(tmp_path: Path):
  workspace, agent = fixture_workspace(tmp_path, "Notebook", "notebook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent, initial_state={"owner": "ana"})
  await simulation.submit_query("Remember milk and eggs")
  await simulation.submit_turn(call("write_note", text="milk"))
  await simulation.submit_turn(call("write_note", text="eggs"))
  await simulation.submit_turn(answer("Noted."))
  stored = await simulation.stored_session()
  assert stored.state.get("notes") == ["milk", "eggs"], "the tool wrote state"
  result = await simulation.export()
  (case,) = read_set(result.path).eval_cases
  assert case.final_session_state == {
    "owner": "ana",
    "notes": ["milk", "eggs"],
    "user:notes_written": 2,
  }
  assert case.session_input is not None and case.session_input.state == {"owner": "ana"}
  raw = json.loads(result.path.read_text(encoding="utf-8"))["eval_cases"][0]
  assert not any(k.startswith(("temp:", "adk_simulator")) for k in raw["final_session_state"])


async def test_temp_keys_the_live_state_holds_stay_out_of_the_final_state(tmp_path: Path):
  """ADK applies `temp:` keys to the session object during the invocation (not to the store):
  the builder drops them whatever state it is given."""
  from adk_simulator.engine.export.golden_trace import GoldenTraceBuilder

  workspace, agent = fixture_workspace(tmp_path, "Notebook", "notebook_agent")
  simulation = workspace.new_simulation()
  await simulation.select_agent(agent)
  await simulation.submit_query("Remember milk")
  await simulation.submit_turn(call("write_note", text="milk"))
  await simulation.submit_turn(answer("Noted."))
  session = await simulation.stored_session()
  session.state.update({"temp:last_note": "milk", "adk_simulator:seen": True})
  case = GoldenTraceBuilder(session, agent_name="Notebook", initial_state={}).build()
  assert case.final_session_state == {"notes": ["milk"], "user:notes_written": 1}
