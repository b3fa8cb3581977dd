"""The agent picker: every configured agent, loading in the background.

The rows paint at once with "loading…"; a worker thread imports the agents
one by one (the first import pulls in ADK, which takes seconds) and each row
fills in as its agent arrives. An agent that fails shows its error in place,
its traceback one key away; the others stay usable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import ListItem
from textual.widgets import ListView
from textual.widgets import Static

from adk_simulator.tui.messages import AgentLoaded
from adk_simulator.tui.messages import EvalCasesCounted
from adk_simulator.tui.services import services
from adk_simulator.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
  from adk_simulator.engine.agents.loader import AgentLoadFailure
  from adk_simulator.engine.agents.loader import LoadedAgent
  from adk_simulator.engine.config.model import SimulatedAgentConfig


def shown_path(path: Path, base_dir: Path) -> str:
  """`path` relative to the config's folder when it is inside it."""
  try:
    return str(path.relative_to(base_dir))
  except ValueError:
    return str(path)


class AgentRow(ListItem):
  """One configured agent: loading, loaded or failed."""

  def __init__(self, config: SimulatedAgentConfig, base_dir: Path) -> None:
    super().__init__(classes="-loading")
    self.config = config
    self.base_dir = base_dir
    self.result: LoadedAgent | AgentLoadFailure | None = None
    self.starting = False
    """Enter was pressed while it loaded: the session starts once it has."""

  def compose(self) -> ComposeResult:
    yield Label(Content.styled(self.config.name, "bold"), classes="agent-name")
    yield Static(self._details(), classes="agent-details")

  @property
  def loaded(self) -> LoadedAgent | None:
    from adk_simulator.engine.agents.loader import LoadedAgent

    return self.result if isinstance(self.result, LoadedAgent) else None

  @property
  def failure(self) -> AgentLoadFailure | None:
    from adk_simulator.engine.agents.loader import AgentLoadFailure

    return self.result if isinstance(self.result, AgentLoadFailure) else None

  def set_starting(self, starting: bool) -> None:
    self.starting = starting
    self.query_one(".agent-details", Static).update(self._details())

  def show_result(self, result: LoadedAgent | AgentLoadFailure) -> None:
    self.result = result
    self.set_class(False, "-loading")
    self.set_class(self.failure is not None, "-failed")
    self.query_one(".agent-details", Static).update(self._details())

  def show_case_count(self, count: int | None, error: str | None) -> None:
    loaded = self.loaded
    if loaded is None:
      return
    from dataclasses import replace

    self.result = replace(loaded, eval_case_count=count, eval_set_error=error)
    self.query_one(".agent-details", Static).update(self._details())

  def _eval_set_line(self) -> Content:
    path = shown_path(self.config.eval_set_path, self.base_dir)
    loaded = self.loaded
    if loaded is None:
      return Content(f"eval set {path}")
    if loaded.eval_set_error:
      return Content(f"eval set {path}  ") + Content.styled(loaded.eval_set_error, "$text-warning")
    if loaded.eval_case_count is None:
      return Content(f"eval set {path} (no file yet)")
    cases = loaded.eval_case_count
    return Content(f"eval set {path} ({cases} case{'' if cases == 1 else 's'})")

  def _details(self) -> Content:
    failure = self.failure
    if failure is not None:
      return Content("\n").join(
        [
          Content.styled(failure.error, "$text-error"),
          Content.styled("x: show the traceback", "$text-muted"),
        ]
      )
    loaded = self.loaded
    if loaded is None:
      line = Content.styled("loading…", "$text-muted italic")
      if self.starting:
        line += Content.styled(
          "  the session starts as soon as it has loaded (escape cancels)", "$accent"
        )
      return line
    tools = f"{loaded.tool_count} tool{'' if loaded.tool_count == 1 else 's'}"
    if loaded.toolset_count:
      # The toolsets' tools are counted in (listed at load).
      tools += f" ({loaded.toolset_count} toolset{'s' if loaded.toolset_count > 1 else ''})"
    facts = [tools]
    if loaded.input_schema is not None:
      facts.append("structured input")
    if loaded.output_schema is not None:
      facts.append("structured output")
    lines = [
      Content(loaded.description or "(no description)"),
      Content.styled(" · ".join(facts), "$text-muted")
      + Content.styled("  ·  ", "$text-muted")
      + self._eval_set_line().stylize("$text-muted"),
    ]
    return Content("\n").join(lines)


class AgentList(ListView):
  """The list of agents; enter starts a session with the highlighted one."""

  BINDINGS = [
    Binding("enter", "select_cursor", "Start session", id="picker.select"),
  ]


class AgentPickerScreen(Screen[None]):
  """Choose the agent whose model you will play."""

  CSS_PATH = "agent_picker.tcss"

  BINDINGS = [
    Binding("x", "traceback", "Traceback", id="picker.traceback"),
    Binding("s", "sessions", "Saved sessions", id="picker.sessions"),
    Binding("v", "eval_set", "Eval set", id="picker.eval_set"),
    Binding("escape", "cancel_start", "Cancel the start", id="picker.cancel_start"),
  ]

  def compose(self) -> ComposeResult:
    yield Header()
    yield Static(
      "Pick an agent. You will play its model: read what it sees, call its tools, answer.",
      id="picker-intro",
    )
    simulator = services(self)
    base_dir = simulator.workspace.base_dir
    yield AgentList(
      *(AgentRow(config, base_dir) for config in simulator.workspace.agents),
      id="agents",
    )
    yield KeyFooter()

  def on_mount(self) -> None:
    self.query_one("#agents", ListView).focus()
    # Import the agents only once the picker is on screen.
    self.call_after_refresh(self.load_agents)

  @property
  def rows(self) -> list[AgentRow]:
    return list(self.query(AgentRow))

  @property
  def highlighted_row(self) -> AgentRow | None:
    item = self.query_one("#agents", ListView).highlighted_child
    return item if isinstance(item, AgentRow) else None

  @work(thread=True, exclusive=True, group="load-agents", exit_on_error=False)
  def load_agents(self) -> None:
    """Imports each agent on this thread and posts it as soon as it is ready."""
    from textual.worker import get_current_worker

    workspace = services(self).workspace
    worker = get_current_worker()
    for index, config in enumerate(workspace.agents):
      if worker.is_cancelled:
        return
      self.post_message(AgentLoaded(index, workspace.load_agent(config)))
    self.app.call_from_thread(self.warm_up_runtime)

  @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
  def warm_up_runtime(self) -> None:
    """Pays ADK's first-run imports now, so the first query does not stall a frame."""
    services(self).workspace.warm_up()

  def action_sessions(self) -> None:
    services(self).show_saved_sessions()

  def action_eval_set(self) -> None:
    """The highlighted agent's eval set: its cases, one as a timeline, delete."""
    from adk_simulator.tui.screens.evalset_view import EvalSetScreen

    row = self.highlighted_row
    if row is not None:
      self.app.push_screen(EvalSetScreen(row.config.name, row.config.eval_set_path))

  @property
  def starting_row(self) -> AgentRow | None:
    """The loading agent enter was pressed on, whose session starts once it has loaded."""
    return next((row for row in self.rows if row.starting), None)

  def on_agent_loaded(self, message: AgentLoaded) -> None:
    rows = self.rows
    if 0 <= message.index < len(rows):
      row = rows[message.index]
      row.show_result(message.result)
      if row.starting:
        row.set_starting(False)
        if self.is_current:
          self._start(row)
    self.refresh_bindings()

  def on_screen_resume(self) -> None:
    # Back from a session: an export may have added cases to an eval set.
    if any(row.loaded is not None for row in self.rows):
      self.recount_eval_cases()

  @work(thread=True, exclusive=True, group="count-cases", exit_on_error=False)
  def recount_eval_cases(self) -> None:
    """Reads how many cases each loaded agent's eval set holds now."""
    from adk_simulator.engine.agents.loader import count_eval_cases

    for index, row in enumerate(self.rows):
      if row.loaded is None:
        continue
      try:
        count, error = count_eval_cases(row.config.eval_set_path), None
      except ValueError as problem:
        count, error = None, str(problem)
      self.post_message(EvalCasesCounted(index, count, error))

  def on_eval_cases_counted(self, message: EvalCasesCounted) -> None:
    rows = self.rows
    if 0 <= message.index < len(rows):
      rows[message.index].show_case_count(message.count, message.error)

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    row = self.highlighted_row
    if action == "traceback":
      return row is not None and row.failure is not None
    if action == "eval_set":
      return row is not None
    if action == "cancel_start":
      return self.starting_row is not None
    return True

  @on(ListView.Highlighted, "#agents")
  def _highlighted(self) -> None:
    self.refresh_bindings()

  @on(ListView.Selected, "#agents")
  def _selected(self, event: ListView.Selected) -> None:
    event.stop()
    self.action_select()

  def action_select(self) -> None:
    row = self.highlighted_row
    if row is None:
      return
    # Choosing an agent cancels a start that waits for another one.
    waiting = self.starting_row
    if waiting is not None:
      waiting.set_starting(False)
    if row.loaded is None and row.failure is None:
      row.set_starting(True)
      self.refresh_bindings()
      return
    self.refresh_bindings()
    self._start(row)

  def _start(self, row: AgentRow) -> None:
    if row.failure is not None:
      self.notify(row.failure.error, title="This agent did not load", severity="error")
      return
    if row.loaded is not None:
      services(self).start_session(row.loaded)

  def action_cancel_start(self) -> None:
    row = self.starting_row
    if row is not None:
      row.set_starting(False)
      self.refresh_bindings()

  def action_traceback(self) -> None:
    from adk_simulator.tui.screens.dialogs import TextScreen

    row = self.highlighted_row
    if row is not None and row.failure is not None:
      self.app.push_screen(TextScreen(f"Why {row.config.name} did not load", row.failure.traceback))
