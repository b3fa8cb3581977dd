"""`adk-sim evalset ...`: the cases of an eval set file: list, show, delete.

Each command holds the file's lock while it reads or writes, as exports do,
and a deletion is an atomic rewrite: an export running at the same time
loses nothing, and neither does the deletion.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import when
from adk_simulator.engine.words import count

if TYPE_CHECKING:
  from google.adk.evaluation.eval_case import EvalCase
  from google.adk.evaluation.eval_set import EvalSet

_file_argument = click.argument(
  "eval_set_path", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False)
)


@click.group("evalset")
def evalset() -> None:
  """The cases of an eval set file: list, show, delete."""


def _read(path: Path) -> EvalSet:
  from adk_simulator.engine.export.evalset_file import EvalSetFileError
  from adk_simulator.engine.export.evalset_file import EvalSetWriter

  try:
    return EvalSetWriter(path).cases()
  except EvalSetFileError as error:
    fail(str(error), EXIT_FAILED)


def _case(path: Path, eval_id: str) -> EvalCase:
  """The case `eval_id` of the file; exit 1 naming the ids it holds if there is none."""
  from adk_simulator.engine.export.evalset_cases import find_case
  from adk_simulator.engine.export.evalset_file import unknown_case

  eval_set = _read(path)
  case = find_case(eval_set, eval_id)
  if case is None:
    fail(unknown_case(path, eval_id, [c.eval_id for c in eval_set.eval_cases]), EXIT_FAILED)
  return case


@evalset.command("list")
@_file_argument
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
def list_cases(eval_set_path: Path, as_json: bool) -> None:
  """List the cases: id, turns, tool calls, created, first query."""
  from adk_simulator.engine.export.evalset_cases import case_rows

  rows = case_rows(_read(eval_set_path))
  if as_json:
    click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
    return
  if not rows:
    click.echo(f"{eval_set_path}: no cases")
    return
  width = max(len("ID"), *(len(r.eval_id) for r in rows))
  click.echo(f"{'ID':<{width}}  TURNS CALLS  {'CREATED':<16}  FIRST QUERY")
  for row in rows:
    query = (row.first_query or "").replace("\n", " ")
    query = query if len(query) <= 40 else query[:39] + "…"
    created = when(row.created) if row.created else "-"
    click.echo(f"{row.eval_id:<{width}}  {row.turns:>5} {row.calls:>5}  {created:<16}  {query}")


@evalset.command("show")
@_file_argument
@click.argument("eval_id")
@click.option("--json", "as_json", is_flag=True, help="The case as the file holds it (JSON).")
def show_case(eval_set_path: Path, eval_id: str, as_json: bool) -> None:
  """Show one case as a timeline: each turn's message, calls, results and answer."""
  from adk_simulator.engine.export.evalset_cases import case_history
  from adk_simulator.engine.export.evalset_cases import case_row
  from adk_simulator.engine.record.lines import describe_entry

  case = _case(eval_set_path, eval_id)
  if as_json:
    click.echo(case.model_dump_json(indent=2, exclude_none=True))
    return
  row = case_row(case)
  created = when(row.created) if row.created else "unknown"
  click.echo(
    f"case {case.eval_id}: {count(row.turns, 'turn')}, {count(row.calls, 'tool call')},"
    f" created {created}"
  )
  if case.session_input is not None and case.session_input.state:
    click.echo(f"initial state  {json.dumps(case.session_input.state, ensure_ascii=False)}")
  for entry in case_history(case).entries:
    click.echo(describe_entry(entry))
  if case.final_session_state:
    click.echo(f"final state    {json.dumps(case.final_session_state, ensure_ascii=False)}")


@evalset.command("delete")
@_file_argument
@click.argument("eval_id")
@click.option("--yes", is_flag=True, help="Do not ask first.")
def delete_case(eval_set_path: Path, eval_id: str, yes: bool) -> None:
  """Delete one case from the file (asks first)."""
  from adk_simulator.engine.export.evalset_cases import case_row
  from adk_simulator.engine.export.evalset_file import CaseNotFoundError
  from adk_simulator.engine.export.evalset_file import EvalSetFileError
  from adk_simulator.engine.export.evalset_file import EvalSetWriter

  row = case_row(_case(eval_set_path, eval_id))
  if not yes and not click.confirm(
    f"delete case {eval_id} ({count(row.turns, 'turn')}, {row.first_query!r})"
    f" from {eval_set_path}?",
    default=False,
  ):
    click.echo("kept")
    return
  try:
    left = EvalSetWriter(eval_set_path).delete(eval_id)
  except (CaseNotFoundError, EvalSetFileError) as error:
    fail(str(error), EXIT_FAILED)
  click.echo(f"deleted {eval_id} from {eval_set_path} ({count(left, 'case')} left)")
