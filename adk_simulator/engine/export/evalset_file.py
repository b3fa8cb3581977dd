"""Eval set files: append golden traces safely, and check a file `adk eval` will read.

An eval set file is the JSON form of ADK's `EvalSet`
(`google.adk.evaluation.eval_set`). ADK writes it with
`model_dump_json(indent=2, exclude_none=...)` and field names as declared
(snake_case), and `adk eval` reads it back with `EvalSet.model_validate_json`
(`google.adk.evaluation.local_eval_sets_manager.load_eval_set_from_file`).
This module writes the same form and checks every file with that same call
before and after touching it.

Safety rules, in order of importance:
- A file that exists but is not a valid eval set is never overwritten: the
  writer raises `EvalSetFileError` and leaves its bytes alone. (An empty file
  holds nothing to lose, so it is treated as a new eval set.)
- Existing cases are copied through as the JSON they were read as, not
  re-serialised from models, so a case written by another tool (camelCase
  keys, extra fields, defaults spelled out) comes back semantically identical.
- Writes are atomic (temp file in the same folder, fsync, `os.replace`) and
  serialised across processes by a `filelock.FileLock` on `<file>.lock`; the
  eval id is made unique while the lock is held. Reading the cases
  (`EvalSetWriter.cases`), replacing one and deleting one take the same lock.
- One session, one case: a session exported again replaces the case it was
  exported as (`CaseClaim`), unless the caller asks for a new case.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import uuid
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock
import pydantic_core
from google.adk.evaluation.eval_case import EvalCase
from google.adk.evaluation.eval_set import EvalSet
from pydantic import BaseModel
from pydantic import ValidationError

from adk_simulator.engine.export.golden_trace import EVAL_ID_PATTERN
from adk_simulator.engine.export.golden_trace import case_warnings
from adk_simulator.engine.export.golden_trace import eval_set_id_for
from adk_simulator.engine.export.golden_trace import unique_eval_id

EVAL_SET_SUFFIX = ".evalset.json"
"""ADK's naming convention for eval set files."""

_WHAT_TO_DO = "Fix or move it, or export to another file (`adk-sim play --eval-set FILE`)."


class EvalSetFileError(Exception):
  """An eval set file cannot be read, or must not be written.

  The message names the file, says what is wrong and what to do about it.
  """

  def __init__(self, path: Path, problem: str, advice: str = _WHAT_TO_DO) -> None:
    super().__init__(f"{path}: {problem} {advice}")
    self.path = path
    self.problem = problem
    self.advice = advice


class CaseNotFoundError(LookupError):
  """The eval set holds no case with that id; the message lists the ids it holds."""


class ExportResult(BaseModel):
  """What `EvalSetWriter.append` did."""

  path: Path
  eval_set_id: str
  eval_id: str
  """The id the case was stored under (may carry a `_2`, `_3`... suffix)."""
  case_count: int
  """Number of cases in the file after the append."""
  created: bool
  """True when this append created the eval set (the file was absent or empty)."""
  warnings: list[str] = []
  """What `adk eval` will not reproduce, with reasons."""
  replaced: bool = False
  """True when the case replaced the one this session was exported as before."""


class CaseClaim(BaseModel):
  """Which case of an eval set a session owns: the one to replace when it is exported again.

  A case belongs to a session when its first turn's `invocation_id` is the
  session's first user turn's (ADK makes a new id for every invocation), so a
  case another session happens to share an id with is never taken for it.
  """

  invocation_id: str
  """The session's first user turn's invocation id."""
  eval_ids: list[str] = []
  """The ids the session was exported as to this file, newest first."""


class EvalSetSummary(BaseModel):
  """A valid eval set file, in brief."""

  path: Path
  eval_set_id: str
  name: str | None = None
  case_count: int
  case_ids: list[str]
  warnings: list[str] = []
  """Problems `adk eval` tolerates but a person should know about."""


class EvalSetWriter:
  """Writes eval cases to one eval set file, creating it when absent.

  Every operation holds the file's lock (`<file>.lock`) while it reads and
  writes, so exports, deletions and readers in other processes never lose or
  half-see each other's changes.
  """

  def __init__(self, path: Path | str, *, lock_timeout: float = 30.0) -> None:
    self.path = Path(path)
    self._lock_timeout = lock_timeout

  def append(
    self,
    case: EvalCase,
    *,
    agent_name: str,
    warnings: Sequence[str] | None = None,
    replacing: CaseClaim | None = None,
  ) -> ExportResult:
    """Adds `case`, or puts it in place of the case `replacing` names.

    A new case is renamed `{eval_id}_2`, `_3`... if its id is taken. A
    replacement keeps the replaced case's `eval_id` and its place in the file.
    When the claimed case is no longer in the file (deleted since), the case
    is added as new.

    Args:
      case: The case to store; its `eval_id` must match `^[A-Za-z0-9_]+$`.
      agent_name: The agent's display name, used to name a new eval set.
      warnings: What to report about the case; by default `case_warnings(case)`.
        Pass `trace_warnings(session)` when the session is at hand.
      replacing: The case the session owns in this file, to replace; None
        adds a new case.

    Raises:
      EvalSetFileError: The file exists but is not a valid eval set, or cannot
        be read, locked or written. Its bytes are left as they were.
    """
    if not EVAL_ID_PATTERN.fullmatch(case.eval_id):
      raise ValueError(f"eval_id {case.eval_id!r} must match {EVAL_ID_PATTERN.pattern}")
    target = self._target()
    try:
      target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
      raise EvalSetFileError(target, f"cannot create its folder ({e}).") from e
    with self._locked(target):
      return self._append_locked(target, case, agent_name, warnings, replacing)

  def owned_case(self, claim: CaseClaim) -> str | None:
    """The eval id of the case `claim` names in the file, if it is still there.

    Raises:
      EvalSetFileError: The file exists but cannot be read as an eval set.
    """
    target = self._target()
    if not target.exists():
      return None
    with self._locked(target, for_reading=True):
      existing = self._read_locked(target)
    if existing is None:
      return None
    index = _claimed_index(existing[1], claim)
    return None if index is None else existing[1].eval_cases[index].eval_id

  def cases(self) -> EvalSet:
    """The eval set, read under the lock.

    Raises:
      EvalSetFileError: The file is missing, empty or not a valid eval set.
    """
    target = self._target()
    if not target.exists():
      raise EvalSetFileError(target, "does not exist.", "Check the path.")
    with self._locked(target, for_reading=True):
      existing = self._read_locked(target)
    if existing is None:
      raise EvalSetFileError(target, "is empty, not an eval set.", "Check the path.")
    return existing[1]

  def delete(self, eval_id: str) -> int:
    """Removes the case `eval_id`; returns how many cases are left.

    Raises:
      CaseNotFoundError: No case has that id (the message lists the ids there are).
      EvalSetFileError: The file cannot be read as an eval set, or written.
    """
    target = self._target()
    if not target.exists():
      raise EvalSetFileError(target, "does not exist.", "Check the path.")
    with self._locked(target):
      existing = self._read_locked(target, writing=True)
      if existing is None:
        raise EvalSetFileError(target, "is empty, not an eval set.", "Check the path.")
      data, eval_set = existing
      ids = [c.eval_id for c in eval_set.eval_cases]
      if eval_id not in ids:
        raise CaseNotFoundError(unknown_case(target, eval_id, ids))
      index = ids.index(eval_id)
      del data["eval_cases"][index]
      _write_atomically(target, _dumps(data))
      return len(data["eval_cases"])

  def _target(self) -> Path:
    # Resolve symlinks so a linked eval set stays a link and both names share a lock.
    return self.path.resolve()

  @contextlib.contextmanager
  def _locked(self, target: Path, *, for_reading: bool = False) -> Iterator[None]:
    """Holds the file's lock. A reader that cannot create the lock file (a read-only
    folder) reads without it: writes are atomic renames, so it sees a whole file."""
    lock = filelock.FileLock(f"{target}.lock", timeout=self._lock_timeout)
    try:
      lock.acquire()
    except filelock.Timeout as e:
      raise EvalSetFileError(
        target,
        f"another export has held its lock file {target}.lock for over {self._lock_timeout:g} s.",
        "Try again; if no other export is running, delete the lock file.",
      ) from e
    except OSError as e:  # The lock file itself could not be created or opened.
      if for_reading:
        yield
        return
      raise EvalSetFileError(target, f"cannot be locked ({e}).") from e
    try:
      yield
    finally:
      lock.release()

  def _read_locked(
    self, target: Path, *, writing: bool = False
  ) -> tuple[dict[str, Any], EvalSet] | None:
    try:
      text = _read_text(target)
      return _parse(target, text) if text and text.strip() else None
    except EvalSetFileError as e:
      if not writing:
        raise
      raise EvalSetFileError(e.path, f"{e.problem} Nothing was written to it.", e.advice) from e

  def _append_locked(
    self,
    target: Path,
    case: EvalCase,
    agent_name: str,
    warnings: Sequence[str] | None,
    replacing: CaseClaim | None,
  ) -> ExportResult:
    existing = self._read_locked(target, writing=True)
    created = existing is None
    taken: set[str] = set()
    index: int | None = None
    if existing is None:
      now = datetime.now(UTC).timestamp()
      data: dict[str, Any] = EvalSet(
        eval_set_id=eval_set_id_for(agent_name),
        name=eval_set_id_for(agent_name),
        description=(
          f"Golden traces of the {agent_name} agent, recorded in ADK"
          " Simulator with a person playing the model."
        ),
        eval_cases=[],
        creation_timestamp=now,
      ).model_dump(mode="json", exclude_none=True)
    else:
      data, eval_set = existing
      taken = {c.eval_id for c in eval_set.eval_cases}
      if replacing is not None:
        index = _claimed_index(eval_set, replacing)
    cases: list[Any] = data["eval_cases"]
    if index is not None:
      eval_id = cases[index]["eval_id"]
    else:
      eval_id = unique_eval_id(case.eval_id, taken)
    stored = case.model_copy(update={"eval_id": eval_id})
    case_text = stored.model_dump_json(exclude_none=True)
    # Never write what `adk eval` could not read back. The rest of the file was
    # validated as it was read and is written back as read.
    EvalCase.model_validate_json(case_text)
    if index is not None:
      cases[index] = json.loads(case_text)
    else:
      cases.append(json.loads(case_text))
    _write_atomically(target, _dumps(data))
    return ExportResult(
      path=target,
      eval_set_id=data["eval_set_id"],
      eval_id=eval_id,
      case_count=len(cases),
      created=created,
      warnings=list(case_warnings(stored) if warnings is None else warnings),
      replaced=index is not None,
    )


def unknown_case(path: Path, eval_id: str, ids: Sequence[str]) -> str:
  """The message for an eval id the file does not hold."""
  listed = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
  return (
    f"{path}: no case {eval_id!r}; it holds {listed or 'no cases'}"
    f" (`adk-sim evalset list {path.name}` lists them)"
  )


def _claimed_index(eval_set: EvalSet, claim: CaseClaim) -> int | None:
  """Where the case `claim` names is: by its recorded ids, newest first, then by
  its first turn alone (an export whose note was never stored)."""

  def owned(case: EvalCase) -> bool:
    conversation = case.conversation or []
    return bool(conversation) and conversation[0].invocation_id == claim.invocation_id

  if not claim.invocation_id:
    return None
  by_id = {c.eval_id: i for i, c in enumerate(eval_set.eval_cases)}
  for eval_id in claim.eval_ids:
    index = by_id.get(eval_id)
    if index is not None and owned(eval_set.eval_cases[index]):
      return index
  owners = [i for i, c in enumerate(eval_set.eval_cases) if owned(c)]
  return owners[-1] if owners else None


def _dumps(data: dict[str, Any]) -> str:
  # pydantic_core's encoder: `json.dumps(indent=...)` falls back to pure
  # Python and dominates the cost of appending to a large set.
  return pydantic_core.to_json(data, indent=2, inf_nan_mode="constants").decode() + "\n"


def validate_eval_set(path: Path | str) -> EvalSetSummary:
  """Checks that `path` is an eval set `adk eval` can load.

  Raises:
    EvalSetFileError: With the reason, when the file is missing, empty, not
      JSON, in ADK's old list format, not an `EvalSet`, or has duplicate ids.
  """
  target = Path(path)
  text = _read_text(target)
  if text is None:
    raise EvalSetFileError(target, "does not exist.", "Check the path.")
  if not text.strip():
    raise EvalSetFileError(target, "is empty, not an eval set.")
  _, eval_set = _parse(target, text)
  ids = [c.eval_id for c in eval_set.eval_cases]
  duplicates = sorted({i for i in ids if ids.count(i) > 1})
  if duplicates:
    raise EvalSetFileError(
      target,
      f"has duplicate eval ids ({', '.join(duplicates)}); `adk eval` refuses to load such a set.",
      "Rename or remove the duplicates.",
    )
  warnings = [
    f"eval id {i!r} has characters outside [A-Za-z0-9_]; `adk eval FILE.json:ID` cannot select it."
    for i in ids
    if not EVAL_ID_PATTERN.fullmatch(i)
  ]
  for case in eval_set.eval_cases:
    warnings.extend(f"{case.eval_id}: {w}" for w in case_warnings(case))
  return EvalSetSummary(
    path=target,
    eval_set_id=eval_set.eval_set_id,
    name=eval_set.name,
    case_count=len(ids),
    case_ids=ids,
    warnings=warnings,
  )


def _read_text(target: Path) -> str | None:
  """The file's text, or None when there is no file."""
  try:
    raw = target.read_bytes()
  except FileNotFoundError:
    return None
  except IsADirectoryError as e:
    raise EvalSetFileError(target, "is a folder, not an eval set file.") from e
  except OSError as e:
    raise EvalSetFileError(target, f"cannot be read ({e.strerror or e}).") from e
  try:
    return raw.decode("utf-8")
  except UnicodeDecodeError as e:
    raise EvalSetFileError(target, f"is not UTF-8 text ({e.reason} at byte {e.start}).") from e


def _parse(target: Path, text: str) -> tuple[dict[str, Any], EvalSet]:
  """The file as raw JSON (kept for writing back) and as ADK's `EvalSet`."""
  try:
    data = json.loads(text)
  except json.JSONDecodeError as e:
    raise EvalSetFileError(
      target, f"is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})."
    ) from e
  if isinstance(data, list):
    raise EvalSetFileError(
      target,
      "is in ADK's old eval data format (a JSON list), which this tool does not rewrite.",
      "Migrate it with AgentEvaluator.migrate_eval_data_to_new_schema, or"
      " export to another file (`adk-sim play --eval-set FILE`).",
    )
  if not isinstance(data, dict):
    raise EvalSetFileError(target, f"holds a JSON {type(data).__name__}, not an eval set object.")
  try:
    # The same call `adk eval` uses to read the file.
    eval_set = EvalSet.model_validate_json(text)
  except ValidationError as e:
    raise EvalSetFileError(target, f"is not a valid ADK EvalSet: {_describe(e)}.") from e
  return data, eval_set


def _describe(error: ValidationError) -> str:
  problems = [
    f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in error.errors()[:3]
  ]
  more = error.error_count() - len(problems)
  return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def _write_atomically(target: Path, text: str) -> None:
  """Replaces `target` with `text` so readers see the old or the new file, never half."""
  temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
  try:
    # O_EXCL with 0o666 lets the umask decide a new file's mode, as for any file.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
      f.write(text)
      f.flush()
      os.fsync(f.fileno())
    if target.exists():
      os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
    os.replace(temp, target)
  except OSError as e:
    temp.unlink(missing_ok=True)
    raise EvalSetFileError(target, f"cannot be written ({e.strerror or e}).") from e
  except BaseException:
    temp.unlink(missing_ok=True)
    raise
  _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
  """Makes the rename durable where the platform allows syncing a folder."""
  try:
    fd = os.open(folder, os.O_RDONLY)
  except OSError:
    return  # Windows cannot open folders; the rename is still atomic there.
  try:
    os.fsync(fd)
  except OSError:
    pass  # Some filesystems refuse fsync on folders; nothing more to do.
  finally:
    os.close(fd)
