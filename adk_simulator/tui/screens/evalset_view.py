"""An agent's eval set: its cases in a table, the highlighted one as a timeline, delete.

Opened from the agent picker. The file is read on a thread, under the lock
exports take (`EvalSetWriter.cases`), and a deletion is the same locked,
atomic rewrite `adk-sim evalset delete` makes, so an export running at the
same time (in this app or another process) loses nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable
from textual.widgets import Header
from textual.widgets import Label
from textual.widgets import Static

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.screens.sessions_browser import local_time
from adk_simulator.tui.services import services
from adk_simulator.tui.widgets.footer import KeyFooter
from adk_simulator.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
  from adk_simulator.engine.export.evalset_cases import CaseRow
  from adk_simulator.engine.record.history import History


class CaseTable(DataTable[Text]):
  """The cases, in file order; the row key is the eval id."""

  BINDINGS = [
    Binding("enter", "select_cursor", "View case", id="evalset.table.view"),
  ]

  @property
  def highlighted_id(self) -> str | None:
    if self.row_count == 0:
      return None
    return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


class EvalSetScreen(Screen[None]):
  """The cases of one eval set file."""

  CSS_PATH = "evalset_view.tcss"
  SUB_TITLE = "Eval set"

  BINDINGS = [
    Binding("d", "delete", "Delete case", id="evalset.delete"),
    Binding("escape", "back", "Back", id="evalset.back"),
  ]

  class Read(Message):
    """The file as read: its cases and their timelines, or why it could not be read."""

    def __init__(
      self,
      eval_set_id: str | None,
      cases: list[tuple[CaseRow, History]],
      problem: str | None = None,
    ) -> None:
      super().__init__()
      self.eval_set_id = eval_set_id
      self.cases = cases
      self.problem = problem

  class Deleted(Message):
    def __init__(self, eval_id: str, left: int) -> None:
      super().__init__()
      self.eval_id = eval_id
      self.left = left

  class Failed(Message):
    def __init__(self, doing: str, error: Exception) -> None:
      super().__init__()
      self.doing = doing
      self.error = error

  def __init__(self, agent_name: str, path: Path) -> None:
    super().__init__()
    self.agent_name = agent_name
    self.path = path
    self._cases: dict[str, tuple[CaseRow, History]] = {}
    self._busy = False

  @property
  def table(self) -> CaseTable:
    return self.query_one(CaseTable)

  @property
  def case_ids(self) -> list[str]:
    """The eval ids shown, in file order."""
    return list(self._cases)

  def compose(self) -> ComposeResult:
    yield Header()
    yield Static(self._facts(None, "Reading the eval set…"), id="evalset-facts")
    table = CaseTable(id="cases", cursor_type="row", zebra_stripes=True)
    table.add_column("ID", key="id")
    table.add_column("Turns", key="turns")
    table.add_column("Calls", key="calls")
    table.add_column("Created", key="created")
    table.add_column("First query", key="query")
    yield table
    with Vertical(id="case-box"):
      yield Label("Case", classes="panel-title", id="case-title")
      yield Timeline(id="timeline")
    yield KeyFooter()

  def on_mount(self) -> None:
    self.table.focus()
    self.read_file()

  def _shown_path(self) -> str:
    from adk_simulator.tui.screens.agent_picker import shown_path

    return shown_path(self.path, services(self).workspace.base_dir)

  def _facts(self, eval_set_id: str | None, note: str) -> Content:
    title = Content.from_markup("[bold]$agent[/]", agent=self.agent_name) + Content.styled(
      f"  ·  {self._shown_path()}", "$text-muted"
    )
    if eval_set_id:
      title += Content.styled(f"  ·  {eval_set_id}", "$text-muted")
    return Content("\n").join([title, Content(note)])

  # --- Reading and deleting, on threads ----------------------------------------------

  @work(thread=True, exclusive=True, group="evalset-read", exit_on_error=False)
  def read_file(self) -> None:
    """Reads the file under its lock and posts its cases with their timelines."""
    from adk_simulator.engine.export.evalset_cases import case_history
    from adk_simulator.engine.export.evalset_cases import case_row
    from adk_simulator.engine.export.evalset_file import EvalSetFileError
    from adk_simulator.engine.export.evalset_file import EvalSetWriter

    if not self.path.exists():
      self.post_message(self.Read(None, []))
      return
    try:
      eval_set = EvalSetWriter(self.path).cases()
    except EvalSetFileError as error:
      self.post_message(self.Read(None, [], problem=str(error)))
      return
    cases = [(case_row(case), case_history(case)) for case in eval_set.eval_cases]
    self.post_message(self.Read(eval_set.eval_set_id, cases))

  @work(thread=True, exclusive=True, group="evalset-delete", exit_on_error=False)
  def delete_case(self, eval_id: str) -> None:
    from adk_simulator.engine.export.evalset_file import EvalSetWriter

    try:
      left = EvalSetWriter(self.path).delete(eval_id)
    except Exception as error:  # shown; the file is as it was
      self.post_message(self.Failed(f"delete case {eval_id}", error))
    else:
      self.post_message(self.Deleted(eval_id, left))

  def on_eval_set_screen_read(self, message: EvalSetScreen.Read) -> None:
    table = self.table
    highlighted = table.highlighted_id
    table.clear()
    self._cases = {row.eval_id: (row, history) for row, history in message.cases}
    if message.problem is not None:
      self.query_one("#evalset-facts", Static).update(self._facts(None, message.problem))
    elif not self.path.exists():
      note = "No file yet: export a session of this agent to create it."
      self.query_one("#evalset-facts", Static).update(self._facts(None, note))
    elif not message.cases:
      note = "No cases yet: export a session of this agent (e on the summary) to add one."
      self.query_one("#evalset-facts", Static).update(self._facts(message.eval_set_id, note))
    else:
      note = f"{count(len(message.cases), 'case')} · enter views one · d deletes it"
      self.query_one("#evalset-facts", Static).update(self._facts(message.eval_set_id, note))
    for row, _ in message.cases:
      table.add_row(
        Text(row.eval_id),
        Text(str(row.turns), justify="right"),
        Text(str(row.calls), justify="right"),
        Text(local_time(row.created) if row.created else "-"),
        Text(one_line(row.first_query or "", limit=60)),
        key=row.eval_id,
      )
    table.display = bool(message.cases)
    self.query_one("#case-box").display = bool(message.cases)
    if highlighted in self._cases:
      table.move_cursor(row=list(self._cases).index(highlighted))
    self._show_case(table.highlighted_id)
    self.refresh_bindings()

  def on_eval_set_screen_deleted(self, message: EvalSetScreen.Deleted) -> None:
    self._busy = False
    self.notify(
      f"{message.eval_id} · {count(message.left, 'case')} left", title="Deleted", markup=False
    )
    self.read_file()

  def on_eval_set_screen_failed(self, message: EvalSetScreen.Failed) -> None:
    self._busy = False
    self.refresh_bindings()
    self.notify(
      f"{type(message.error).__name__}: {message.error}",
      title=f"Could not {message.doing}",
      severity="error",
      markup=False,
    )

  # --- The highlighted case -----------------------------------------------------------

  @on(DataTable.RowHighlighted, "#cases")
  def _highlighted(self, event: DataTable.RowHighlighted) -> None:
    self._show_case(event.row_key.value)
    self.refresh_bindings()

  @on(DataTable.RowSelected, "#cases")
  def _selected(self, event: DataTable.RowSelected) -> None:
    event.stop()
    self._show_case(event.row_key.value)
    self.query_one(Timeline).focus_last()

  def _show_case(self, eval_id: str | None) -> None:
    title = self.query_one("#case-title", Label)
    timeline = self.query_one(Timeline)
    found = self._cases.get(eval_id or "")
    if found is None:
      title.update("Case")
      timeline.sync([])
      return
    row, history = found
    title.update(
      f"Case {row.eval_id} · {count(row.turns, 'turn')} · {count(row.calls, 'tool call')}"
    )
    # A different case is a different history: start the timeline afresh.
    timeline.sync([])
    timeline.show(history)

  # --- Keys --------------------------------------------------------------------------

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "delete":
      return not self._busy and self.table.highlighted_id is not None
    return True

  def action_delete(self) -> None:
    from adk_simulator.tui.screens.dialogs import ConfirmScreen

    eval_id = self.table.highlighted_id
    if eval_id is None or self._busy:
      return
    row, _ = self._cases[eval_id]

    def answered(confirmed: bool | None) -> None:
      if confirmed:
        self._busy = True
        self.refresh_bindings()
        self.delete_case(eval_id)

    self.app.push_screen(
      ConfirmScreen(
        f"Delete case {eval_id}?",
        f"{count(row.turns, 'turn')}, first query {row.first_query!r}. It is removed from"
        f" {self._shown_path()} for good; the session it was exported from stays stored.",
        yes="Delete",
        no="Keep",
      ),
      answered,
    )

  def action_back(self) -> None:
    if self.focused is not None and self.focused is not self.table and self.table.display:
      self.table.focus()
      return
    self.dismiss(None)
