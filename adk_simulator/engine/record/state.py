"""The session's state and artifacts as they stand, and what the last step changed.

ADK keeps both in the session: each event's `actions.state_delta` is what it
wrote to the state, and `actions.artifact_delta` the artifact versions it
saved. The "last step" is the person's latest model turn and everything that
ran because of it (its tool calls, the callbacks around it): the events from
that turn's model response on. Before the first model turn it is the user's
message and what ran before the model was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from adk_simulator.engine.record.notes import notes_of

if TYPE_CHECKING:
  from google.adk.events.event import Event

TEXT_LIMIT = 64_000
"""Characters of an artifact's text kept in a view; the rest is cut (`truncated`)."""

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/yaml")


class StateChange(BaseModel):
  """One state key the last step wrote."""

  key: str
  change: Literal["added", "changed"]
  before: Any = None
  after: Any = None


class ArtifactVersionView(BaseModel):
  """One saved version of an artifact."""

  version: int
  step: int | None = None
  """The model step whose run saved it (0: before the first model call); None: not in the record."""
  mime_type: str | None = None
  size: int | None = None
  """Bytes of binary content, or characters of text."""
  text: str | None = None
  """The content, when it is text (a text part, or text-like inline data)."""
  truncated: bool = False
  kept: bool = True
  """False when the artifact service no longer holds this version (an earlier run's)."""


class ArtifactView(BaseModel):
  """An artifact of the session, all its versions, newest last."""

  name: str
  versions: list[ArtifactVersionView] = Field(default_factory=list)
  changed: bool = False
  """The last step saved a version of it."""

  @property
  def latest(self) -> ArtifactVersionView | None:
    return self.versions[-1] if self.versions else None


class StateView(BaseModel):
  """The session state now, the last step's changes, and the artifacts."""

  state: dict[str, Any] = Field(default_factory=dict)
  step: int | None = None
  """The step whose changes `changes` shows; None before the first model call."""
  changes: list[StateChange] = Field(default_factory=list)
  artifacts: list[ArtifactView] = Field(default_factory=list)


def _last_step_start(events: Sequence[Event]) -> tuple[int, int | None]:
  """Index of the first event of the last step, and that step's number."""
  for index in range(len(events) - 1, -1, -1):
    turn = notes_of(events[index]).turn
    if turn is not None:
      return index, turn.step
  return 0, None


def _delta(event: Event) -> dict[str, Any]:
  actions = event.actions
  if actions is None:
    return {}
  # `temp:` keys live only for an invocation and are never stored.
  return {k: v for k, v in (actions.state_delta or {}).items() if not k.startswith("temp:")}


def state_changes(
  events: Sequence[Event], initial_state: dict[str, Any]
) -> tuple[int | None, list[StateChange]]:
  """What the last step wrote to the state, key by key, in the order it wrote them.

  Args:
    events: The session's events, in order.
    initial_state: The state the session started with.

  Returns:
    The last step's number (None before the first model call) and its changes.
  """
  start, step = _last_step_start(events)
  before = dict(initial_state)
  for event in events[:start]:
    before.update(_delta(event))
  after = dict(before)
  order: list[str] = []
  for event in events[start:]:
    for key, value in _delta(event).items():
      if key not in order:
        order.append(key)
      after[key] = value
  changes = []
  for key in order:
    old, new = before.get(key), after.get(key)
    if key in before and old == new:
      continue
    if key not in before:
      changes.append(StateChange(key=key, change="added", after=new))
    else:
      changes.append(StateChange(key=key, change="changed", before=old, after=new))
  return step, changes


def artifact_saves(events: Sequence[Event]) -> dict[str, dict[int, int]]:
  """The artifact versions the record says were saved: name → version → step.

  A version saved before the first model call is step 0.
  """
  saves: dict[str, dict[int, int]] = {}
  step = 0
  for event in events:
    turn = notes_of(event).turn
    if turn is not None:
      step = turn.step
    actions = event.actions
    for name, version in ((actions.artifact_delta or {}) if actions else {}).items():
      saves.setdefault(name, {})[version] = step
  return saves


def last_step_artifacts(events: Sequence[Event]) -> set[str]:
  """The artifacts the last step saved a version of."""
  start, _ = _last_step_start(events)
  names: set[str] = set()
  for event in events[start:]:
    if event.actions is not None:
      names.update((event.actions.artifact_delta or {}).keys())
  return names


def record_view(
  events: Sequence[Event], state: dict[str, Any], initial_state: dict[str, Any]
) -> StateView:
  """The view a stored record gives by itself: `state` as stored, the last step's
  changes, and the artifact versions its events saved (their content lives in
  an artifact service, so none of it here: `kept` is False)."""
  step, changes = state_changes(events, initial_state)
  changed = last_step_artifacts(events)
  artifacts = [
    ArtifactView(
      name=name,
      versions=[
        ArtifactVersionView(version=v, step=s, kept=False) for v, s in sorted(versions.items())
      ],
      changed=name in changed,
    )
    for name, versions in sorted(artifact_saves(events).items())
  ]
  return StateView(state=dict(state), step=step, changes=changes, artifacts=artifacts)


def version_view(version: int, step: int | None, part: Any) -> ArtifactVersionView:
  """What a version of an artifact holds (`part`: a `google.genai.types.Part`, or None)."""
  if part is None:
    return ArtifactVersionView(version=version, step=step, kept=False)
  text = getattr(part, "text", None)
  if text is not None:
    return ArtifactVersionView(
      version=version,
      step=step,
      mime_type="text/plain",
      size=len(text),
      text=text[:TEXT_LIMIT],
      truncated=len(text) > TEXT_LIMIT,
    )
  blob = getattr(part, "inline_data", None)
  if blob is not None:
    data: bytes = blob.data or b""
    mime = blob.mime_type
    shown: str | None = None
    if mime and mime.startswith(_TEXT_TYPES):
      try:
        shown = data[: TEXT_LIMIT * 4].decode("utf-8")[:TEXT_LIMIT]
      except UnicodeDecodeError:
        shown = None
    return ArtifactVersionView(
      version=version,
      step=step,
      mime_type=mime,
      size=len(data),
      text=shown,
      truncated=shown is not None and len(data) > len(shown.encode("utf-8")),
    )
  file = getattr(part, "file_data", None)
  if file is not None:
    return ArtifactVersionView(
      version=version, step=step, mime_type=file.mime_type, text=file.file_uri
    )
  return ArtifactVersionView(version=version, step=step)
