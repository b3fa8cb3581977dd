"""The sessions browser: every stored session, newest first, filtered as you type.

Sessions are stored as they happen, so the list holds finished ones
(completed, exported) and ones that stopped half way (in progress). Enter
opens one in `SessionViewScreen`; `d` deletes one after asking.

The screen reads the store through a factory the app gives it
(`SessionsBrowserScreen(store_factory)`): the store needs the loaded agents,
which the agent picker loads in the background. `workspace_store(app)` is
that factory for the simulator app.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from rich.text import Text
from textual import on
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable
from textual.widgets import Footer
from textual.widgets import Header
from textual.widgets import Input
from textual.widgets import Static

from adk_simulator.engine.words import count
from adk_simulator.tui.preview import one_line
from adk_simulator.tui.services import services
from adk_simulator.tui.type_ahead import hold_keys_for

if TYPE_CHECKING:
  from textual.app import App

  from adk_simulator.engine.record.summary import SessionStatus
  from adk_simulator.engine.record.summary import SessionSummary
  from adk_simulator.engine.store.sessions import SessionStore
  from adk_simulator.engine.store.sessions import StoredSession

StoreFactory = Callable[[], Awaitable["SessionStore"]]
"""Opens the session store over the agents loaded so far (it may wait for them)."""

SHORT_ID = 8
"""Characters of a session id shown; `adk-sim sessions` accepts such a prefix."""

FIRST_ROWS = 100
"""Rows the table gets as soon as the list arrives: more than a screenful."""

ROWS_PER_CHUNK = 200
"""Rows added a chunk at a time until the table holds every session that matches."""

CHUNK_DELAY_S = 1 / 60
"""Between chunks: a frame, for the table to measure and paint the last one."""

_STATUS = {
  "in_progress": ("in progress", "$text-warning"),
  "waiting": ("waiting for the user", "$text-warning"),
  "failed": ("failed", "$text-error"),
  "completed": ("completed", "$text-success"),
  "exported": ("exported", "$text-accent"),
}


def status_label(status: SessionStatus) -> Content:
  """The status in words, coloured: in progress, completed, exported."""
  text, colour = _STATUS[status]
  return Content.styled(text, colour)


def local_time(timestamp: float) -> str:
  """A stored timestamp in the person's local time, to the minute."""
  return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def matches(row: SessionSummary, text: str) -> bool:
  """Every word of `text` appears in the row's agent, first query, status or id."""
  haystack = " ".join(
    [
      row.agent,
      row.first_query or "",
      row.status,
      _STATUS[row.status][0],
      row.id,
    ]
  ).casefold()
  return all(word in haystack for word in text.casefold().split())


def workspace_store(app: App[Any]) -> StoreFactory:
  """The store factory of the simulator app, over every configured agent that loads.

  Agents come from the workspace's registry: one the picker is still loading
  is waited for, so no agent's sessions go missing.
  """

  async def open_store() -> SessionStore:
    workspace = services(app).workspace
    agents = await asyncio.to_thread(workspace.load_all)
    # Opening the store imports ADK's session service and may touch disk.
    return await asyncio.to_thread(workspace.session_store, agents)

  return open_store


class SessionFilter(Input):
  """Filters the sessions as you type; enter opens the highlighted one."""

  BINDINGS = [
    Binding("enter", "submit", "Open session", id="sessions.filter.open"),
    Binding("down", "to_table", "Sessions", show=False, id="sessions.filter.down"),
  ]

  def action_to_table(self) -> None:
    self.screen.query_one(SessionTable).focus()


class SessionTable(DataTable[Text]):
  """The sessions, one row each; the row key is the session id."""

  BINDINGS = [
    Binding("enter", "select_cursor", "Open session", id="sessions.table.open"),
  ]

  def action_cursor_up(self) -> None:
    if self.cursor_row <= 0:
      self.screen.query_one(SessionFilter).focus()
      return
    super().action_cursor_up()

  @property
  def highlighted_id(self) -> str | None:
    if self.row_count == 0:
      return None
    key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
    return key.value


class SessionsBrowserScreen(Screen[None]):
  """Saved sessions: find one, open it, delete it."""

  CSS_PATH = "sessions_browser.tcss"
  SUB_TITLE = "Saved sessions"

  BINDINGS = [
    Binding("d", "delete", "Delete session", id="sessions.delete"),
    Binding("slash", "filter", "Filter", id="sessions.filter"),
    Binding("escape", "back", "Back", id="sessions.back"),
  ]

  class Listed(Message):
    def __init__(self, rows: list[SessionSummary]) -> None:
      super().__init__()
      self.rows = rows

  class Found(Message):
    def __init__(self, stored: StoredSession) -> None:
      super().__init__()
      self.stored = stored

  class Deleted(Message):
    def __init__(self, summary: SessionSummary) -> None:
      super().__init__()
      self.summary = summary

  class Failed(Message):
    """Listing, opening or deleting failed: say so in place."""

    def __init__(self, doing: str, error: Exception) -> None:
      super().__init__()
      self.doing = doing
      self.error = error

  def __init__(self, store_factory: StoreFactory) -> None:
    super().__init__()
    self._store_factory = store_factory
    self._store: SessionStore | None = None
    self._rows: list[SessionSummary] | None = None
    self._stale = True
    self._filling = 0
    """Counts the table's fillings; chunks of an older one stop."""
    self.loading_lines: list[str] = []
    """Every progress line shown while the first listing loaded, in order."""

  @property
  def rows(self) -> list[SessionSummary]:
    """The stored sessions, newest first (before filtering)."""
    return list(self._rows or [])

  @property
  def table(self) -> SessionTable:
    return self.query_one(SessionTable)

  def compose(self) -> ComposeResult:
    yield Header()
    yield SessionFilter(placeholder="Filter by agent, query, status or id", id="sessions-filter")
    yield Static(Content.styled("Loading sessions…", "$text-muted italic"), id="sessions-count")
    table = SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
    # The first query's width varies: it goes last, so a narrow terminal cuts
    # the query, not the status.
    table.add_column("Agent", key="agent")
    table.add_column("Started", key="started")
    table.add_column("Status", key="status")
    table.add_column("Turns", key="turns")
    table.add_column("Calls", key="calls")
    table.add_column("ID", key="id")
    table.add_column("First query", key="query")
    yield table
    yield Static("", id="sessions-empty")
    yield Footer()

  def on_mount(self) -> None:
    self.query_one(SessionFilter).focus()
    self.table.display = False

  def on_screen_resume(self) -> None:
    # First shown, or back from a session view (which may have exported or
    # deleted it): read the store again. Not after a question was answered.
    if self._stale:
      self._stale = False
      # Keys typed meanwhile (a filter, enter) are for the list: they wait for it.
      hold_keys_for(self, self.load_sessions())

  # --- Reading the store ----------------------------------------------------------

  async def _open_store(self) -> SessionStore:
    if self._store is None:
      self._store = await self._store_factory()
    return self._store

  class Progress(Message):
    """How far the listing has got: sessions read in full of those it must read."""

    def __init__(self, stage: str, read: int = 0, to_read: int = 0) -> None:
      super().__init__()
      self.stage = stage
      """"agents" (waiting for them to load), "listing" or "reading"."""
      self.read = read
      self.to_read = to_read

  @work(exclusive=True, group="sessions-list", exit_on_error=False)
  async def load_sessions(self) -> None:
    self.post_message(self.Progress("agents"))
    step = 1

    def progress(read: int, to_read: int) -> None:
      nonlocal step
      # About a hundred updates at most, however big the store.
      step = max(1, to_read // 100)
      if read == to_read or read % step == 0:
        self.post_message(self.Progress("reading", read, to_read))

    try:
      store = await self._open_store()
      self.post_message(self.Progress("listing"))
      rows = await store.list(progress=progress)
    except Exception as error:  # shown in place of the list
      self.post_message(self.Failed("list the sessions", error))
    else:
      self.post_message(self.Listed(rows))

  def _loading_line(self, text: str) -> None:
    self.loading_lines.append(text)
    self.query_one("#sessions-count", Static).update(Content.styled(text, "$text-muted italic"))

  def on_sessions_browser_screen_progress(self, message: SessionsBrowserScreen.Progress) -> None:
    if self._rows is not None:
      return  # a list is shown already: it stays until the new one is in
    if message.stage == "agents":
      self._loading_line("Loading sessions: waiting for the agents to load…")
    elif message.stage == "listing":
      self._loading_line("Loading sessions: listing the session store…")
    elif message.to_read:
      self._loading_line(
        f"Loading sessions: read {message.read:,} of {message.to_read:,}"
        " (once: later listings read only what changed)"
      )

  def on_sessions_browser_screen_listed(self, message: SessionsBrowserScreen.Listed) -> None:
    self._rows = message.rows
    self._show_rows()

  def on_sessions_browser_screen_failed(self, message: SessionsBrowserScreen.Failed) -> None:
    text = f"{type(message.error).__name__}: {message.error}"
    if self._rows is None:
      self.query_one("#sessions-count", Static).update(
        Content.styled(f"Could not {message.doing}: {text}", "$text-error")
      )
    self.notify(text, title=f"Could not {message.doing}", severity="error")

  def _show_rows(self) -> None:
    table = self.table
    keep = table.highlighted_id
    text = self.query_one(SessionFilter).value
    rows = [row for row in self.rows if matches(row, text)]
    table.clear()
    self._filling += 1
    self._add_rows(rows, 0, FIRST_ROWS, keep, self._filling)
    total = len(self.rows)
    if len(rows) == total:
      shown = f"{count(total, 'session')}, newest first"
    else:
      shown = f"{len(rows)} of {count(total, 'session')}"
    self.query_one("#sessions-count", Static).update(Content.styled(shown, "$text-muted"))
    empty = self.query_one("#sessions-empty", Static)
    table.display = bool(rows)
    empty.display = not rows
    if not total:
      empty.update(
        Content.styled("No saved sessions yet.", "bold")
        + Content(
          "\nSessions are stored as you play them: pick an agent and start one."
          " Sessions of agents that did not load are not listed."
        )
      )
    elif not rows:
      empty.update(Content(f"No session matches “{text.strip()}”."))
    if self.focused is table and not rows:
      self.query_one(SessionFilter).focus()
    self.refresh_bindings()

  def _add_rows(
    self, rows: list[SessionSummary], start: int, size: int, keep: str | None, filling: int
  ) -> None:
    """Adds `rows[start:start + size]` to the table, and the rest after the next frame.

    Thousands of rows take the table a second or more to build; in chunks the
    first screenful shows at once and keys work between chunks. A new listing
    or filter (`filling` changed) stops the chunks of the old one.
    """
    if filling != self._filling:
      return
    table = self.table
    colours = self.app.get_css_variables()
    for index, row in enumerate(rows[start : start + size], start):
      status, colour = _STATUS[row.status]
      table.add_row(
        Text(row.agent),
        Text(local_time(row.started)),
        Text(status, style=colours.get(colour.removeprefix("$"), "")),
        Text(str(row.turns), justify="right"),
        Text(str(row.tool_calls), justify="right"),
        Text(row.id[:SHORT_ID]),
        Text(one_line(row.first_query or "", limit=48)),
        key=row.id,
      )
      # Back on the session highlighted before, unless the person moved since.
      if row.id == keep and table.cursor_row == 0:
        table.move_cursor(row=index, animate=False)
    if start + size < len(rows):
      # A timer, not the next callback: the table measures the rows it was
      # given when idle, and the screen paints them, before the next chunk.
      self.set_timer(
        CHUNK_DELAY_S,
        functools.partial(self._add_rows, rows, start + size, ROWS_PER_CHUNK, keep, filling),
      )

  @on(Input.Changed, "#sessions-filter")
  def _filter_changed(self) -> None:
    if self._rows is not None:
      self._show_rows()

  # --- Opening ----------------------------------------------------------------------

  @on(Input.Submitted, "#sessions-filter")
  def _filter_submitted(self, event: Input.Submitted) -> None:
    event.stop()
    self.action_open()

  @on(DataTable.RowSelected, "#sessions")
  def _row_selected(self, event: DataTable.RowSelected) -> None:
    event.stop()
    self.action_open()

  @on(DataTable.RowHighlighted, "#sessions")
  def _row_highlighted(self) -> None:
    self.refresh_bindings()

  def on_descendant_focus(self) -> None:
    self.refresh_bindings()

  def action_open(self) -> None:
    session_id = self.table.highlighted_id
    if session_id is not None and self._rows is not None:
      hold_keys_for(self, self.find_session(session_id))

  @work(exclusive=True, group="sessions-open", exit_on_error=False)
  async def find_session(self, session_id: str) -> None:
    try:
      stored = await (await self._open_store()).find(session_id)
    except Exception as error:  # deleted elsewhere meanwhile, or the store failed
      self.post_message(self.Failed("open the session", error))
    else:
      self.post_message(self.Found(stored))

  def on_sessions_browser_screen_found(self, message: SessionsBrowserScreen.Found) -> None:
    from adk_simulator.tui.screens.session_view import SessionViewScreen

    self._stale = True
    self.app.push_screen(SessionViewScreen(message.stored, store=self._store))

  # --- Deleting ---------------------------------------------------------------------

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "delete":
      # In the filter box `d` is a letter; the key deletes from the list.
      return self.focused is self.table and self.table.highlighted_id is not None
    return True

  def action_delete(self) -> None:
    from adk_simulator.tui.screens.dialogs import ConfirmScreen

    session_id = self.table.highlighted_id
    row = next((r for r in self.rows if r.id == session_id), None)
    if row is None:
      return

    def answered(confirmed: bool | None) -> None:
      if confirmed:
        self.delete_session(row.id)

    self.app.push_screen(
      ConfirmScreen(
        "Delete this session?",
        f"{row.agent}, started {local_time(row.started)}: {one_line(row.first_query or '')}\n"
        "It is removed from the session store for good. Eval cases exported from it stay.",
        yes="Delete",
        no="Keep",
      ),
      answered,
    )

  @work(exclusive=True, group="sessions-delete", exit_on_error=False)
  async def delete_session(self, session_id: str) -> None:
    try:
      summary = await (await self._open_store()).delete(session_id)
    except Exception as error:  # shown; the list is read again either way
      self.post_message(self.Failed("delete the session", error))
    else:
      self.post_message(self.Deleted(summary))

  def on_sessions_browser_screen_deleted(self, message: SessionsBrowserScreen.Deleted) -> None:
    self.notify(f"{message.summary.agent} session {message.summary.id[:SHORT_ID]}", title="Deleted")
    self.load_sessions()

  # --- Moving around ----------------------------------------------------------------

  def action_filter(self) -> None:
    self.query_one(SessionFilter).focus()

  def action_back(self) -> None:
    self.dismiss(None)
