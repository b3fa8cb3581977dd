""" "What the model sees": the asking agent, its system instruction, its tools.

Everything shown comes from the engine's `ModelRequest`, which is built from
the `LlmRequest` ADK hands the model: the instruction after templating, the
tool declarations as sent. Nothing is re-derived from the agent's code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible
from textual.widgets import Input
from textual.widgets import Label
from textual.widgets import Static

if TYPE_CHECKING:
  from adk_simulator.engine.forms import FormField
  from adk_simulator.engine.schemas import ToolSpec
  from adk_simulator.engine.turns import ModelRequest


def _field_type(field: FormField) -> str:
  if field.kind == "enum":
    return " | ".join(repr(v) if isinstance(v, str) else str(v) for v in field.enum_values)
  if field.kind == "array" and field.item is not None:
    return f"list[{_field_type(field.item)}]"
  return field.kind


def _field_lines(fields: list[FormField], depth: int = 0) -> list[Content]:
  lines: list[Content] = []
  pad = "  " * depth
  for field in fields:
    line = Content(pad) + Content.styled(field.name, "bold")
    line += Content(": ") + Content.styled(_field_type(field), "$accent")
    notes = []
    if field.nullable:
      notes.append("nullable")
    notes.append("required" if field.required else "optional")
    if field.has_default:
      notes.append(f"default {one_json(field.default)}")
    line += Content.styled(f"  ({', '.join(notes)})", "$text-muted")
    if field.description:
      line += Content(f" — {field.description}")
    lines.append(line)
    if field.children:
      lines.extend(_field_lines(field.children, depth + 1))
    elif field.item is not None and field.item.children:
      lines.extend(_field_lines(field.item.children, depth + 1))
  return lines


def one_json(value: Any) -> str:
  from adk_simulator.tui.preview import one_line

  return one_line(value, limit=40)


def describe_tool(tool: ToolSpec) -> tuple[str, Content]:
  """A tool's description without its "Args:" section, and one line per parameter.

  The docstring's "Args:" help is shown with each parameter, not twice.
  """
  from adk_simulator.engine.docstrings import without_argument_sections
  from adk_simulator.engine.forms import form_from_schema

  description = without_argument_sections(tool.description or "")
  try:
    fields = form_from_schema(tool.parameters)
  except Exception:  # a schema the form code cannot read: show it raw instead
    return description, Content(f"parameters: {one_json(tool.parameters)}")
  if not fields:
    return description, Content.styled("no parameters", "$text-muted")
  return description, Content("\n").join(_field_lines(fields))


def tool_matches(tool: ToolSpec, words: str) -> bool:
  """Every word of the filter appears in the tool's name or description."""
  haystack = f"{tool.name} {tool.description}".lower()
  return all(word in haystack for word in words.lower().split())


class ToolCard(Vertical):
  """One tool of the catalog: its name, description and parameters."""

  def __init__(self, tool: ToolSpec) -> None:
    super().__init__(classes="tool-card")
    self.tool = tool

  def compose(self) -> ComposeResult:
    tool = self.tool
    title = Content.styled(tool.name, "bold $primary")
    if tool.is_long_running:
      title += Content.styled("  (long-running)", "$text-muted")
    description, parameters = describe_tool(tool)
    yield Static(title, classes="tool-name")
    if description:
      yield Static(Content(description), classes="tool-description")
    yield Static(parameters, classes="tool-parameters")


class ToolCatalog(Vertical):
  """The tools offered, each with its description and parameters; type to filter."""

  def __init__(self, *, id: str | None = None) -> None:
    super().__init__(id=id)
    self._tools: list[ToolSpec] = []

  def compose(self) -> ComposeResult:
    yield Input(placeholder="Filter tools", id="catalog-filter")
    yield Vertical(id="catalog-tools")

  def show_tools(self, tools: list[ToolSpec]) -> None:
    if tools == self._tools and self._tools:
      return
    self._tools = list(tools)
    box = self.query_one("#catalog-tools", Vertical)
    box.remove_children()
    box.mount_all(ToolCard(tool) for tool in tools)
    if not tools:
      box.mount(Static("This request offers no tools.", classes="catalog-empty"))
    self._apply_filter(self.query_one("#catalog-filter", Input).value)

  def visible_tools(self) -> list[str]:
    return [card.tool.name for card in self.query(ToolCard) if card.display]

  def _apply_filter(self, words: str) -> None:
    for card in self.query(ToolCard):
      card.display = tool_matches(card.tool, words)

  @on(Input.Changed, "#catalog-filter")
  def _filter_changed(self, event: Input.Changed) -> None:
    event.stop()
    self._apply_filter(event.value)


class ModelView(VerticalScroll):
  """The panel "What the model sees" for the pending model request."""

  def compose(self) -> ComposeResult:
    yield Label("What the model sees", classes="panel-title")
    yield Static("", id="model-asker")
    with Collapsible(title="System instruction", collapsed=False, id="model-instruction-box"):
      yield Static("", id="model-instruction", markup=False)
    with Collapsible(title="Tools", collapsed=False, id="model-tools-box"):
      yield ToolCatalog(id="model-tools")

  def show_request(self, request: ModelRequest | None, *, agent_name: str = "") -> None:
    asker = self.query_one("#model-asker", Static)
    instruction = self.query_one("#model-instruction", Static)
    if request is None:
      asker.update(
        Content.styled(
          f"No model call is waiting. {agent_name} asks again when its tools are done.".strip(),
          "$text-muted",
        )
      )
      return
    text = Content.from_markup(
      "[bold]$agent[/] asks (model call $step)", agent=request.agent_name, step=str(request.step)
    )
    if request.output_schema is not None:
      text += Content.styled("  · answers with a structured object", "$text-muted")
    asker.update(text)
    instruction.update(
      Content(request.system_instruction)
      if request.system_instruction
      else Content.styled("(no system instruction)", "$text-muted")
    )
    self.query_one("#model-tools-box", Collapsible).title = f"Tools ({len(request.tools)})"
    self.query_one(ToolCatalog).show_tools(request.tools)
