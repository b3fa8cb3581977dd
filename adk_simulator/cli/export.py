"""`adk-sim export SESSION_ID`: a stored session into its agent's eval set, headless.

One session, one case: a session exported to the file before replaces its
case there (same `eval_id`); `--new` adds a separate case.
"""

from __future__ import annotations

from pathlib import Path

import click

from adk_simulator.cli.common import EXIT_FAILED
from adk_simulator.cli.common import command_loop
from adk_simulator.cli.common import config_option
from adk_simulator.cli.common import fail
from adk_simulator.cli.common import find_session
from adk_simulator.cli.common import open_store
from adk_simulator.cli.common import session_uri_option
from adk_simulator.engine.words import count

_UNFINISHED = {
  "in_progress": "it stopped before the agent answered",
  "waiting": "it waits for the user's side (a confirmation or a long-running result)",
  "failed": "a scripted run failed in it",
}


@click.command("export")
@click.argument("session_id")
@click.option(
  "--eval-set",
  "eval_set",
  type=click.Path(path_type=Path, dir_okay=False),
  help="The eval set file (default: the agent's, from the config).",
)
@click.option(
  "--new",
  "as_new",
  is_flag=True,
  help="Add a separate case even if the session was exported to this file before.",
)
@config_option
@session_uri_option
def export(
  session_id: str,
  eval_set: Path | None,
  as_new: bool,
  config_path: Path | None,
  session_service_uri: str | None,
) -> None:
  """Export a stored session to an eval set as one EvalCase (replacing its earlier case)."""
  from adk_simulator.engine.export.evalset_file import EvalSetFileError
  from adk_simulator.engine.export.golden_trace import NothingToExportError
  from adk_simulator.engine.export.session_export import export_session
  from adk_simulator.engine.record.summary import recovered_initial_state

  workspace, store = open_store(config_path, session_service_uri)
  with command_loop(workspace) as loop:
    stored = find_session(loop, store, session_id)
    summary = stored.summary
    if summary.status in _UNFINISHED:
      fail(
        f"session {summary.id} is not finished: {_UNFINISHED[summary.status]}. Open it in the"
        " app (`adk-sim`, s, the session, r) to finish it, then export it; nothing was exported",
        EXIT_FAILED,
      )
    path = eval_set if eval_set is not None else stored.agent.eval_set_path
    try:
      result, _ = loop.run(
        export_session(
          store.session_service,
          stored.session,
          agent_name=stored.agent.config.name,
          initial_state=recovered_initial_state(stored.session),
          eval_set_path=path,
          as_new=as_new,
        )
      )
    except (EvalSetFileError, NothingToExportError) as error:
      fail(f"{error}; session {summary.id} is kept as it was", EXIT_FAILED)
  for warning in result.warnings:
    click.echo(f"warning: {warning}", err=True)
  how = "replaced its case" if result.replaced else "added a new case"
  click.echo(f"eval set: {result.path} ({count(result.case_count, 'case')}; {how})")
  click.echo(f"eval_id: {result.eval_id}")
