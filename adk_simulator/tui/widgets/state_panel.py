"""The state and artifacts panel: the session state, what the last step changed, the artifacts.

Everything shown is the engine's `StateView`. The panel reads it on a worker
of its own (a session store read, artifact loads) and shows it when it
arrives; a newer read replaces one still under way. Enter on the focused
panel opens the whole view as a JSON tree.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.preview import preview

if TYPE_CHECKING:
  from textual.app import ComposeResult

  from adk_simulator.engine.record.state import ArtifactVersionView
  from adk_simulator.engine.record.state import ArtifactView
  from adk_simulator.engine.record.state import StateView

StateReader = Callable[[], Awaitable["StateView"]]

CONTENT_LINES = 6
"""Lines of an artifact's latest text shown under it."""


def _key(key: str) -> str:
  """A state key as shown: an empty or blank one quoted, so it is seen."""
  return key if key.strip() else f'"{key}"'


def _size(version: ArtifactVersionView) -> str:
  if version.size is None:
    return ""
  unit = "chars" if version.text is not None and version.mime_type == "text/plain" else "bytes"
  return f"{version.size:,} {unit}"


def _step(step: int | None) -> str:
  if step is None:
    return ""
  return "before the first model call" if step == 0 else f"step {step}"


def _artifact_lines(artifact: ArtifactView) -> list[Content]:
  versions = ", ".join(
    f"v{v.version}" + (f" ({_step(v.step)})" if v.step is not None else "")
    for v in artifact.versions
  )
  line = Content.styled(artifact.name, "bold") + Content(f"  {versions}")
  if artifact.changed:
    line += Content.styled("  · saved by the last step", "$text-success")
  lines = [line]
  latest = artifact.latest
  if latest is None:
    return lines
  facts = [f for f in (latest.mime_type or "", _size(latest)) if f]
  if not latest.kept:
    lines.append(
      Content.styled(
        "  content not kept: artifacts live in memory for the run that saved them", "$text-muted"
      )
    )
  elif latest.text is not None:
    shown = preview(latest.text, max_lines=CONTENT_LINES)
    if facts:
      lines.append(Content.styled(f"  v{latest.version}: {', '.join(facts)}", "$text-muted"))
    lines.extend(Content(f"  │ {row}") for row in shown.text.splitlines() or [""])
  else:
    lines.append(
      Content.styled(f"  v{latest.version}: {', '.join(facts) or 'no content'}", "$text-muted")
    )
  return lines


def render_view(view: StateView) -> Content:
  """The panel's text for `view`: state, the last step's changes, artifacts."""
  muted = "$text-muted"
  lines: list[Content] = [
    Content.styled(f"State ({count(len(view.state), 'key')})", "bold $text-primary")
  ]
  if view.state:
    for key, value in sorted(view.state.items()):
      lines.append(Content.styled(_key(key), "bold") + Content(f": {one_line(value, limit=200)}"))
  else:
    lines.append(Content.styled("(empty)", muted))
  lines.append(Content(""))
  title = f"Changed by step {view.step}" if view.step else "Changed before the first model call"
  lines.append(Content.styled(title, "bold $text-primary"))
  if not view.changes:
    lines.append(Content.styled("(nothing)", muted))
  for change in view.changes:
    if change.change == "added":
      lines.append(
        Content.styled("+ ", "bold $text-success")
        + Content.styled(_key(change.key), "bold")
        + Content(f": {one_line(change.after, limit=200)}")
      )
    else:
      lines.append(
        Content.styled("~ ", "bold $text-warning")
        + Content.styled(_key(change.key), "bold")
        + Content(f": {one_line(change.before, limit=90)} → {one_line(change.after, limit=90)}")
      )
  lines.append(Content(""))
  lines.append(Content.styled(f"Artifacts ({len(view.artifacts)})", "bold $text-primary"))
  if not view.artifacts:
    lines.append(Content.styled("(none saved)", muted))
  for artifact in view.artifacts:
    lines.extend(_artifact_lines(artifact))
  return Content("\n").join(lines)


def view_value(view: StateView) -> dict[str, Any]:
  """The whole view as JSON, for the value viewer."""
  return view.model_dump(mode="json")


class StatePanel(VerticalScroll, can_focus=True):
  """Shows a `StateView`; `read(reader)` fetches a fresh one on a worker."""

  BINDINGS = [
    Binding("enter", "open_view", "View state", id="state_panel.open"),
  ]

  class Loaded(Message):
    """A state view has been read."""

    def __init__(self, view: StateView) -> None:
      super().__init__()
      self.view = view

  class Failed(Message):
    def __init__(self, error: Exception) -> None:
      super().__init__()
      self.error = error

  def __init__(self, *, id: str | None = None) -> None:
    super().__init__(id=id)
    self.view: StateView | None = None
    """The view shown, once one has been read."""
    self.reads = 0
    """Views shown so far (a test waits on it)."""

  def compose(self) -> ComposeResult:
    yield Label("State and artifacts", classes="panel-title")
    yield Static(Content.styled("Reading the session state…", "$text-muted"), id="state-body")

  def read(self, reader: StateReader) -> None:
    """Reads a fresh view with `reader` on a worker; a read under way is replaced."""
    self.run_worker(self._read(reader), group="state-panel", exclusive=True, exit_on_error=False)

  async def _read(self, reader: StateReader) -> None:
    try:
      view = await reader()
    except Exception as error:  # shown in the panel; the session goes on
      self.post_message(self.Failed(error))
    else:
      self.post_message(self.Loaded(view))

  def on_state_panel_loaded(self, message: StatePanel.Loaded) -> None:
    message.stop()
    self.view = message.view
    self.reads += 1
    self.query_one("#state-body", Static).update(render_view(message.view))

  def on_state_panel_failed(self, message: StatePanel.Failed) -> None:
    message.stop()
    error = message.error
    self.query_one("#state-body", Static).update(
      Content.styled(f"Could not read the state: {type(error).__name__}: {error}", "$error")
    )

  def action_open_view(self) -> None:
    from adk_simulator.tui.screens.value_viewer import ValueScreen

    if self.view is not None:
      self.app.push_screen(ValueScreen("State and artifacts", view_value(self.view)))
