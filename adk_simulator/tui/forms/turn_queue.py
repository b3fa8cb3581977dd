"""The calls added to a model turn so far, each one to edit or remove before it runs."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from adk_simulator.engine.runtime.turns import CallRequest
from adk_simulator.engine.schema.specs import show


class TurnQueue(OptionList):
  """The queued calls of the turn, in order: enter edits one, delete removes it.

  The call being edited, when it has a place among them, shows as a line of
  its own that cannot be picked.
  """

  DEFAULT_CSS = """
  TurnQueue {
    height: auto;
    max-height: 6;
    border: none;
    padding: 0;
    background: transparent;
  }
  """

  BINDINGS = [
    Binding("enter", "select", "Edit call", id="turn_queue.edit"),
    Binding("delete,backspace,x", "remove_call", "Remove call", id="turn_queue.remove"),
  ]

  class Edit(Message):
    """The person wants to edit queued call `index`."""

    def __init__(self, index: int) -> None:
      super().__init__()
      self.index = index

  class Remove(Message):
    """The person removes queued call `index` from the turn."""

    def __init__(self, index: int) -> None:
      super().__init__()
      self.index = index

  def show_calls(self, calls: list[CallRequest], *, editing: tuple[int, str] | None) -> None:
    """Lists `calls`; `editing` is (place, tool) of the call in the form, if it has one."""
    lines: list[tuple[str, str | None]] = [(c.tool, show(c.args, limit=70)) for c in calls]
    if editing is not None:
      lines.insert(editing[0], (editing[1], None))
    highlighted = self.highlighted
    options: list[Option] = []
    index = 0
    for number, (tool, args) in enumerate(lines, start=1):
      prompt = Content(f"{number}. ") + Content.from_markup("[b]$tool[/b]", tool=tool)
      if args is None:
        options.append(Option(prompt + Content.styled("  ◂ editing", "italic"), disabled=True))
        continue
      options.append(Option(prompt + Content(f"  {args}"), id=f"call-{index}"))
      index += 1
    self.set_options(options)
    if options and editing is None:
      self.highlighted = min(highlighted or 0, len(options) - 1)

  def _queued_index(self) -> int | None:
    option = self.highlighted_option
    if option is None or option.id is None:
      return None
    return int(option.id.removeprefix("call-"))

  def action_remove_call(self) -> None:
    index = self._queued_index()
    if index is not None:
      self.post_message(self.Remove(index))

  def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
    event.stop()
    index = self._queued_index()
    if index is not None:
      self.post_message(self.Edit(index))
