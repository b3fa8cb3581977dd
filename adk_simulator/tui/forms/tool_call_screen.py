"""`ToolCallScreen`: the person, as the model, calls one tool or several at once."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets import ContentSwitcher
from textual.widgets import Footer
from textual.widgets import Static

from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.runtime.turns import ModelRequest
from adk_simulator.engine.runtime.turns import ToolCallsTurn
from adk_simulator.engine.runtime.turns import TurnValidationError
from adk_simulator.engine.schema.docstrings import without_argument_sections
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.tui.forms.arguments_editor import ArgumentsEditor
from adk_simulator.tui.forms.tool_picker import ToolPicker
from adk_simulator.tui.forms.turn_queue import TurnQueue


def engine_error_lines(error: TurnValidationError) -> list[str]:
  """One line per problem: "call 2 (apply_credit) amount: must be at most 250"."""
  lines = []
  for problem in error.problems:
    for e in problem.errors:
      where = f" {e.path}:" if e.path else ":"
      subject = (
        problem.tool if problem.index is None else f"call {problem.index + 1} ({problem.tool})"
      )
      lines.append(f"{subject}{where} {e.message}")
  return lines or [str(error)]


class ToolCallScreen(ModalScreen[ToolCallsTurn | None]):
  """Pick a tool, fill its arguments, add more calls, execute them as one turn.

  Step 1 is the tool picker (type to filter, enter to pick); step 2 the
  arguments form of the picked tool, with its description on top. "Add to
  turn" keeps the call and goes back to the picker for another one; "Execute"
  sends every kept call and the one being edited, in order, as one parallel
  turn. Nothing is sent while a field is in error (the same checks the engine
  makes). The kept calls are listed above (`TurnQueue`): enter on one opens it
  in the form again, in its place; delete removes it. Escape from the picker
  with calls kept asks before discarding them.

  Dismisses with the `ToolCallsTurn`, or None when cancelled.

  Args:
    request: The model request being answered (its tools are offered).
    turn: A turn to start from: its calls are shown as already added. With
      `errors`, reopens a turn the engine refused.
    errors: What the engine said about `turn`: the first call in error opens
      in the form with its errors under the fields; the rest are listed.
    tool: The name of a tool whose form to open at once, skipping the picker
      (ignored with `errors`, or when the request does not offer it).
  """

  CSS_PATH = "tool_call_screen.tcss"

  BINDINGS = [
    Binding("ctrl+s", "execute", "Execute turn", id="tool_call.execute"),
    Binding("ctrl+t", "add_to_turn", "Add to turn", id="tool_call.add_to_turn"),
    Binding("ctrl+j", "toggle_json", "Form/raw JSON", id="tool_call.toggle_json"),
    Binding("escape", "back", "Back to tools", id="tool_call.back"),
    Binding("escape", "cancel", "Cancel", id="tool_call.cancel"),
  ]

  def __init__(
    self,
    request: ModelRequest,
    *,
    turn: ToolCallsTurn | None = None,
    errors: TurnValidationError | None = None,
    tool: str | None = None,
    name: str | None = None,
    id: str | None = None,
    classes: str | None = None,
  ) -> None:
    super().__init__(name=name, id=id, classes=classes)
    self.request = request
    self.queued: list[CallRequest] = list(turn.calls) if turn else []
    """The calls added to the turn so far, in order."""
    self.current_tool: ToolSpec | None = None
    """The tool whose arguments are being edited (None while picking)."""
    self._insert_at = len(self.queued)
    self._editing: CallRequest | None = None
    """The queued call taken out for the form, put back if the edit is abandoned."""
    self._engine_errors = errors
    self._initial_tool = request.tool(tool) if tool else None

  def compose(self) -> ComposeResult:
    with Vertical(id="dialog") as dialog:
      dialog.border_title = "Call tools"
      dialog.border_subtitle = f"{self.request.agent_name} · model turn {self.request.step}"
      yield Static("", id="engine-errors")
      with Vertical(id="turn-queue"):
        yield Static("", id="turn-queue-title")
        yield TurnQueue(id="turn-calls")
      with ContentSwitcher(initial="picker", id="steps"):
        yield ToolPicker(self.request.tools, id="picker")
        with Vertical(id="call"):
          yield Static("", id="call-title")
          # Not in the tab order: tab goes from field to field.
          with VerticalScroll(id="call-description", can_focus=False):
            yield Static("", id="call-description-text")
          yield Vertical(id="call-editor")
          with Horizontal(id="call-buttons"):
            yield Button("Raw JSON", compact=True, id="toggle-json")
            yield Button("Add to turn", compact=True, id="add-to-turn")
            yield Button("Execute", compact=True, variant="primary", id="execute")
    yield Footer()

  async def on_mount(self) -> None:
    self._show_queue()
    if self._engine_errors is not None:
      await self.show_engine_errors(self._engine_errors)
    elif self._initial_tool is not None:
      await self.open_call(self._initial_tool)
    else:
      self.picker.focus_filter()

  # --- Parts ---------------------------------------------------------------------

  @property
  def picker(self) -> ToolPicker:
    return self.query_one(ToolPicker)

  @property
  def editor(self) -> ArgumentsEditor:
    """The arguments editor of the call being edited (step 2 only)."""
    return self.query_one(ArgumentsEditor)

  @property
  def in_form(self) -> bool:
    return self.current_tool is not None

  # --- Steps ---------------------------------------------------------------------

  async def open_call(
    self, tool: ToolSpec, *, args: dict[str, Any] | None = None, insert_at: int | None = None
  ) -> None:
    """Shows the form for a call of `tool` (step 2).

    Args:
      tool: The tool to call.
      args: Arguments to start from instead of the defaults.
      insert_at: Where the call goes among the added calls (default: last).
    """
    self.current_tool = tool
    self._editing = None
    self._insert_at = len(self.queued) if insert_at is None else insert_at
    title = Content.from_markup("[b]$name[/b]", name=tool.name)
    if tool.is_long_running:
      title += Content.styled("  long-running", "italic")
    self.query_one("#call-title", Static).update(title)
    text = without_argument_sections(tool.own_description)
    self.query_one("#call-description-text", Static).update(
      Content(text or "This tool has no description.")
    )
    container = self.query_one("#call-editor")
    await container.remove_children()
    await container.mount(ArgumentsEditor(tool, args=args))
    self.query_one("#toggle-json", Button).label = "Raw JSON"
    self.query_one(ContentSwitcher).current = "call"
    self.editor.focus_first()
    self._show_queue()
    self.refresh_bindings()

  async def _close_call(self, *, clear_filter: bool) -> None:
    self.current_tool = None
    self._editing = None
    self._insert_at = len(self.queued)
    await self.query_one("#call-editor").remove_children()
    self.query_one(ContentSwitcher).current = "picker"
    if clear_filter:
      self.picker.filter_input.value = ""
    self.picker.focus_filter()
    self._show_queue()
    self.refresh_bindings()

  def _turn_with_current(self) -> list[CallRequest] | None:
    """The calls of the turn, the edited one included; None if it is in error."""
    calls = list(self.queued)
    if self.current_tool is not None:
      args, errors = self.editor.check()
      if errors:
        return None
      calls.insert(self._insert_at, CallRequest(tool=self.current_tool.name, args=args))
    return calls

  def _show_queue(self) -> None:
    editing = None
    if self.current_tool is not None and self.queued:
      editing = (self._insert_at, self.current_tool.name)
    self.query_one(TurnQueue).show_calls(self.queued, editing=editing)
    count = len(self.queued) + (editing is not None)
    summary = f"{count} calls, run in parallel" if count > 1 else "1 call"
    title = Content.styled(f"In this turn: {summary}", "bold")
    if self.queued:
      title += Content.styled("  · shift+tab to edit or remove one", "$text-muted")
    self.query_one("#turn-queue-title", Static).update(title)
    self.query_one("#turn-queue").display = bool(self.queued)

  async def show_engine_errors(self, error: TurnValidationError) -> None:
    """Shows why the engine refused a turn, and opens the first call in error.

    The refused turn's calls must be in `queued` (pass it as `turn=`). The
    first call in error leaves the list and opens in the form, its errors
    under the fields; once fixed it goes back in its place.
    """
    box = self.query_one("#engine-errors", Static)
    lines = ["The engine refused this turn:", *engine_error_lines(error)]
    box.update(Content("\n".join(f"⚠ {line}" if i else line for i, line in enumerate(lines))))
    box.display = True
    problem = next(
      (
        p
        for p in error.problems
        if p.index is not None
        and 0 <= p.index < len(self.queued)
        and self.request.tool(self.queued[p.index].tool)
      ),
      None,
    )
    if problem is None or problem.index is None or self.in_form:
      self.picker.focus_filter()
      return
    await self._edit_queued(problem.index)
    self.editor.show_errors(problem.errors)

  async def _edit_queued(self, index: int) -> None:
    """Takes queued call `index` out of the list into the form, keeping its place."""
    call = self.queued[index]
    tool = self.request.tool(call.tool)
    if tool is None:
      self.notify(
        f"{call.tool} is not offered in this request: remove the call (delete)",
        severity="warning",
      )
      return
    self.queued.pop(index)
    await self.open_call(tool, args=call.args, insert_at=index)
    self._editing = call

  # --- Actions -------------------------------------------------------------------

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action in ("back", "add_to_turn", "toggle_json"):
      return self.in_form
    if action == "cancel":
      return not self.in_form
    if action == "execute":
      # Shown but greyed out while there is nothing to execute.
      return True if self.in_form or self.queued else None
    return True

  async def action_execute(self) -> None:
    calls = self._turn_with_current()
    if calls:
      self.dismiss(ToolCallsTurn(calls=calls))

  async def action_add_to_turn(self) -> None:
    if self.current_tool is None:
      return
    args, errors = self.editor.check()
    if errors:
      return
    self.queued.insert(self._insert_at, CallRequest(tool=self.current_tool.name, args=args))
    await self._close_call(clear_filter=True)

  async def action_toggle_json(self) -> None:
    if not self.in_form:
      return
    editor = self.editor
    if await editor.toggle_json():
      self.query_one("#toggle-json", Button).label = "Form" if editor.json_mode else "Raw JSON"

  async def action_back(self) -> None:
    if self._editing is not None:
      # An edit of a queued call abandoned: the call stays as it was.
      self.queued.insert(self._insert_at, self._editing)
    await self._close_call(clear_filter=False)

  def action_cancel(self) -> None:
    if not self.queued:
      self.dismiss(None)
      return
    from adk_simulator.engine.words import count
    from adk_simulator.tui.screens.dialogs import ConfirmScreen

    calls = count(len(self.queued), "call")
    screen = ConfirmScreen(
      f"Discard the {calls} of this turn?",
      "Nothing has run: the calls added to the turn are dropped, and the model is asked again.",
      yes="Discard",
      no="Keep",
    )
    self.app.push_screen(screen, self._cancel_answered)

  def _cancel_answered(self, discard: bool | None) -> None:
    if discard:
      self.dismiss(None)
    else:
      self.picker.focus_filter()

  @on(TurnQueue.Edit)
  async def _edit_requested(self, event: TurnQueue.Edit) -> None:
    if self.in_form:
      # The call in the form goes back into the turn first, if it is complete.
      if self.current_tool is None or self._turn_with_current() is None:
        self.notify("Fix the call in the form first, or go back (escape)", severity="warning")
        return
      args, _ = self.editor.check()
      self.queued.insert(self._insert_at, CallRequest(tool=self.current_tool.name, args=args))
      index = event.index + (event.index >= self._insert_at)
    else:
      index = event.index
    await self._edit_queued(index)

  @on(TurnQueue.Remove)
  def _remove_requested(self, event: TurnQueue.Remove) -> None:
    if not 0 <= event.index < len(self.queued):
      return
    removed = self.queued.pop(event.index)
    if self.in_form and event.index < self._insert_at:
      self._insert_at -= 1
    self._show_queue()
    self.refresh_bindings()
    self.notify(f"Removed {removed.tool} from the turn")
    if not self.queued:
      if self.in_form:
        self.editor.focus_first()
      else:
        self.picker.focus_filter()

  @on(ToolPicker.Picked)
  async def _picked(self, event: ToolPicker.Picked) -> None:
    await self.open_call(event.tool)

  @on(Button.Pressed, "#toggle-json")
  async def _toggle_pressed(self) -> None:
    await self.action_toggle_json()

  @on(Button.Pressed, "#add-to-turn")
  async def _add_pressed(self) -> None:
    await self.action_add_to_turn()

  @on(Button.Pressed, "#execute")
  async def _execute_pressed(self) -> None:
    await self.action_execute()
