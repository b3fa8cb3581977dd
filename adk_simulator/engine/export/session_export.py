"""Exporting a stored session: one session, one case.

A session exported again replaces the case it was exported as, in place and
under the same `eval_id`, so continuing a conversation and exporting it again
updates its golden trace instead of adding a near copy. Asking for a new case
(`as_new`) adds a separate one. Every export is noted on the session (an
`ExportRecord` on a content-less event), which is how the next export finds
its case; the case's first turn confirms it (`CaseClaim`).

The app, `adk-sim export` and the simulation all export through here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from adk_simulator.engine.export.evalset_file import CaseClaim
from adk_simulator.engine.export.evalset_file import EvalSetWriter
from adk_simulator.engine.export.evalset_file import ExportResult
from adk_simulator.engine.export.golden_trace import GoldenTraceBuilder
from adk_simulator.engine.export.golden_trace import user_turns
from adk_simulator.engine.record.notes import ExportRecord
from adk_simulator.engine.record.notes import Notes
from adk_simulator.engine.record.notes import metadata_event
from adk_simulator.engine.record.reader import read_events
from adk_simulator.engine.record.summary import exports_of

if TYPE_CHECKING:
  from google.adk.events.event import Event
  from google.adk.sessions.base_session_service import BaseSessionService
  from google.adk.sessions.session import Session


def _same_file(a: Path | str, b: Path | str) -> bool:
  return Path(a).resolve() == Path(b).resolve()


def case_claim(session: Session, eval_set_path: Path | str) -> CaseClaim | None:
  """Which case of `eval_set_path` the session owns, if it has a user turn."""
  turns = user_turns(read_events(session.events))
  if not turns:
    return None
  exported = [
    r.eval_id for r in exports_of(session.events) if _same_file(r.eval_set, eval_set_path)
  ]
  return CaseClaim(invocation_id=turns[0].query.invocation_id, eval_ids=exported[::-1])


def exported_case(session: Session, eval_set_path: Path | str) -> str | None:
  """The eval id of the case the session was exported as, if the file still holds it.

  Blocking (it takes the file's lock to read it): call it from a thread.

  Raises:
    EvalSetFileError: The file exists but cannot be read as an eval set.
  """
  claim = case_claim(session, eval_set_path)
  if claim is None:
    return None
  return EvalSetWriter(eval_set_path).owned_case(claim)


async def export_session(
  session_service: BaseSessionService,
  session: Session,
  *,
  agent_name: str,
  initial_state: Mapping[str, Any],
  eval_set_path: Path,
  as_new: bool = False,
  on_stage: Callable[[str], object] | None = None,
) -> tuple[ExportResult, Event]:
  """Writes the session's case to the eval set and notes the export on the session.

  Args:
    session_service: The store the session is in (the export note goes there).
    session: The stored session, as the store returns it.
    agent_name: The agent's display name (names the eval id and a new set).
    initial_state: The state the session started with.
    eval_set_path: The eval set file.
    as_new: Add a separate case even if the session was exported to this file.
    on_stage: Hears what the export does now, in a few words ("building the
      eval case", "writing FILE (2.4 MB)").

  Returns:
    What was written, and the export note's event as stored.

  Raises:
    NothingToExportError: The session has no user turn.
    EvalSetFileError: The file is not a valid eval set, or cannot be written;
      it is left as it was and the session is not marked exported.
  """
  stage = on_stage or (lambda _: None)
  stage("building the eval case")
  builder = GoldenTraceBuilder(session, agent_name=agent_name, initial_state=initial_state)
  case = builder.build()
  claim = None if as_new else case_claim(session, eval_set_path)
  writer = EvalSetWriter(eval_set_path)
  stage(
    f"writing {eval_set_path.name}"
    + (f" ({_size(eval_set_path)})" if eval_set_path.exists() else " (a new file)")
  )
  result = await asyncio.to_thread(
    writer.append, case, agent_name=agent_name, warnings=builder.warnings(), replacing=claim
  )
  record = ExportRecord(eval_set=str(result.path), eval_id=result.eval_id, at=time.time())
  stored = await session_service.append_event(session, metadata_event(Notes(export=record)))
  return result, stored


def _size(path: Path) -> str:
  try:
    size = path.stat().st_size
  except OSError:
    return "size unknown"
  if size < 1000:
    return f"{size} bytes"
  return f"{size / 1000:.1f} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"
