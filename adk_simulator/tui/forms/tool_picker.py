"""The tool picker: a filter box over the list of tools the model is offered."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from adk_simulator.engine.schema.specs import ToolSpec


def first_line(text: str | None) -> str:
  """The first non-blank line of a description, or ""."""
  return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def tool_matches(tool: ToolSpec, words: str) -> bool:
  """Whether every word of the filter appears in the tool's name or summary line.

  Only the line the list shows counts: a docstring's "Args:" section names
  other tools' words ("status", "order") and would make the filter noisy.
  """
  haystack = f"{tool.name} {first_line(tool.own_description)}".lower()
  return all(word in haystack for word in words.lower().split())


class ToolPicker(Vertical):
  """Type to filter, up/down to move, enter to pick.

  The filter box keeps the focus while the arrows move the highlight in the
  list, so a person can type a few letters and press enter.
  """

  DEFAULT_CSS = """
  ToolPicker {
    height: 1fr;
  }
  ToolPicker #tool-filter {
    margin-bottom: 1;
  }
  ToolPicker #tool-options {
    height: 1fr;
    text-wrap: nowrap;
    text-overflow: ellipsis;
  }
  """

  BINDINGS = [
    # The filter box and the list take enter themselves; this one is for the help.
    Binding("enter", "pick", "Pick the highlighted tool", show=False, id="tool_picker.pick"),
    Binding("down", "move(1)", "Next tool", show=False, id="tool_picker.next"),
    Binding("up", "move(-1)", "Previous tool", show=False, id="tool_picker.previous"),
  ]

  class Picked(Message):
    """The person picked a tool."""

    def __init__(self, tool: ToolSpec) -> None:
      super().__init__()
      self.tool = tool

  def __init__(self, tools: Sequence[ToolSpec], *, id: str | None = None) -> None:
    super().__init__(id=id)
    self._tools = list(tools)

  def compose(self) -> ComposeResult:
    yield Input(placeholder="Type to filter tools", id="tool-filter")
    yield OptionList(id="tool-options")

  def on_mount(self) -> None:
    self.refilter("")

  @property
  def filter_input(self) -> Input:
    return self.query_one("#tool-filter", Input)

  @property
  def option_list(self) -> OptionList:
    return self.query_one("#tool-options", OptionList)

  def visible_tools(self) -> list[str]:
    """The names of the tools the filter lets through, in list order."""
    return [option.id for option in self.option_list.options if option.id]

  def focus_filter(self) -> None:
    self.filter_input.focus()

  def refilter(self, words: str) -> None:
    options: list[Option] = []
    for tool in self._tools:
      if tool_matches(tool, words):
        summary = first_line(tool.own_description)
        prompt = Content.from_markup("[b]$name[/b]", name=tool.name)
        if summary:
          prompt = prompt + Content("  ") + Content.styled(summary, "$text-muted")
        options.append(Option(prompt, id=tool.name))
    option_list = self.option_list
    option_list.set_options(options)
    if options:
      option_list.highlighted = 0
    else:
      message = "No tool matches the filter." if self._tools else "No tools are offered."
      option_list.set_options([Option(message, disabled=True)])

  def action_move(self, step: int) -> None:
    option_list = self.option_list
    if option_list.highlighted is None:
      return
    if step > 0:
      option_list.action_cursor_down()
    else:
      option_list.action_cursor_up()

  @on(Input.Changed, "#tool-filter")
  def _filter_changed(self, event: Input.Changed) -> None:
    event.stop()
    self.refilter(event.value)

  @on(Input.Submitted, "#tool-filter")
  def _filter_submitted(self, event: Input.Submitted) -> None:
    event.stop()
    self.action_pick()

  def action_pick(self) -> None:
    option = self.option_list.highlighted_option
    if option is not None and option.id:
      self._pick(option.id)

  @on(OptionList.OptionSelected, "#tool-options")
  def _option_selected(self, event: OptionList.OptionSelected) -> None:
    event.stop()
    if event.option.id:
      self._pick(event.option.id)

  def _pick(self, name: str) -> None:
    tool = next((t for t in self._tools if t.name == name), None)
    if tool is not None:
      self.post_message(self.Picked(tool))
