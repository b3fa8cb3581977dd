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
from textual.binding import Binding
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible
from textual.widgets import Input
from textual.widgets import Label
from textual.widgets import Static

if TYPE_CHECKING:
  from adk_simulator.engine.runtime.turns import ModelRequest
  from adk_simulator.engine.schema.forms import FormField
  from adk_simulator.engine.schema.specs import ToolSpec


def _field_type(field: FormField) -> str:
  if field.kind == "enum":
    return " | ".join(repr(v) if isinstance(v, str) else str(v) for v in field.enum_values)
  if field.kind == "array" and field.item is not None:
    return f"list[{_field_type(field.item)}]"
  if field.kind == "union":
    return " | ".join(variant.title for variant in field.variants)
  return field.kind


def _field_lines(fields: list[FormField], depth: int = 0) -> list[Content]:
  lines: list[Content] = []
  pad = "  " * depth
  for field in fields:
    line = Content(pad) + Content.styled(field.name, "bold")
    line += Content(": ") + Content.styled(_field_type(field), "$text-accent")
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
  from adk_simulator.engine.schema.docstrings import without_argument_sections
  from adk_simulator.engine.schema.forms import form_from_schema

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
    title = Content.styled(tool.name, "bold $text-primary")
    if tool.is_long_running:
      title += Content.styled("  (long-running)", "$text-muted")
    description, parameters = describe_tool(tool)
    yield Static(title, classes="tool-name")
    if description:
      yield Static(Content(description), classes="tool-description")
    yield Static(parameters, classes="tool-parameters")


class ToolCatalog(Vertical):
  """The tools offered, each with its description and parameters; type to filter.

  Escape in the filter leaves it to the screen, so the next key is the
  screen's again (`b`, `t`...), not more filter text.
  """

  BINDINGS = [
    Binding("escape", "leave_filter", "Leave the filter", show=False, id="catalog.leave"),
  ]

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

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "leave_filter":
      return self.screen.focused is self.query_one("#catalog-filter", Input)
    return True

  def action_leave_filter(self) -> None:
    home = getattr(self.screen, "focus_home", None)
    if callable(home):
      home()
    else:
      self.screen.set_focus(None)

  @on(Input.Changed, "#catalog-filter")
  def _filter_changed(self, event: Input.Changed) -> None:
    event.stop()
    self._apply_filter(event.value)


def _part_line(part: dict[str, Any]) -> Content:
  from adk_simulator.tui.preview import one_line

  if part.get("thought"):
    return Content.styled(f"(thought) {part.get('text', '')}", "$text-muted")
  if "text" in part:
    return Content(part["text"])
  if call := part.get("function_call"):
    args = one_line(call.get("args") or {}, limit=200)
    return Content.styled("call ", "bold $text-accent") + Content(f"{call.get('name')}({args})")
  if response := part.get("function_response"):
    shown = one_line(response.get("response"), limit=200)
    return Content.styled("result ", "bold $text-success") + Content(
      f"{response.get('name')} → {shown}"
    )
  if data := part.get("inline_data"):
    size = len(data.get("data") or "") * 3 // 4
    name = data.get("display_name") or "inline data"
    return Content.styled("attachment ", "bold") + Content(
      f"{name} ({data.get('mime_type', '?')}, about {size:,} bytes)"
    )
  if data := part.get("file_data"):
    return Content.styled("file ", "bold") + Content(
      f"{data.get('file_uri')} ({data.get('mime_type', '?')})"
    )
  return Content(one_json(part))


def contents_text(contents: list[dict[str, Any]]) -> Content:
  """The request's contents as the model receives them: every role and every part."""
  if not contents:
    return Content.styled("(no contents)", "$text-muted")
  blocks = []
  for content in contents:
    role = str(content.get("role") or "?")
    colour = "$text-secondary" if role == "user" else "$text-primary"
    lines = [Content.styled(role.upper(), f"bold {colour}")]
    lines.extend(_part_line(part) for part in content.get("parts") or [])
    blocks.append(Content("\n").join(lines))
  return Content("\n\n").join(blocks)


class ModelView(VerticalScroll):
  """The panel "What the model sees" for the pending model request."""

  def compose(self) -> ComposeResult:
    yield Label("What the model sees", classes="panel-title")
    yield Static("", id="model-asker")
    with Collapsible(title="System instruction", collapsed=False, id="model-instruction-box"):
      yield Static("", id="model-instruction", markup=False)
    with Collapsible(title="Tools", collapsed=False, id="model-tools-box"):
      yield Static("", id="model-builtin-tools")
      yield ToolCatalog(id="model-tools")
    with Collapsible(title="Contents", collapsed=False, id="model-contents-box"):
      yield Static("", id="model-contents", markup=False)

  def show_request(
    self, request: ModelRequest | None, *, agent_name: str = "", paused: bool = False
  ) -> None:
    """Shows the model call waiting, or why none is.

    Args:
      request: The waiting model call, if any.
      agent_name: The agent played, for the message when none waits.
      paused: The run waits for the user's side (a confirmation, a result).
    """
    asker = self.query_one("#model-asker", Static)
    instruction = self.query_one("#model-instruction", Static)
    if request is None:
      waits = (
        "No model call is waiting: the runtime waits for the user's side (see below)."
        if paused
        else f"No model call is waiting. {agent_name} asks again when its tools are done."
      )
      asker.update(Content.styled(waits.strip(), "$text-muted"))
      return
    text = Content.from_markup(
      "[bold]$agent[/] asks (model call $step)", agent=request.agent_name, step=str(request.step)
    )
    if request.within_call is not None:
      text += Content.styled(
        f"  · inside AgentTool call {request.within_call[:8]}, its own run", "$text-muted"
      )
    if request.output_schema is not None:
      text += Content.styled("  · answers with a structured object", "$text-muted")
    asker.update(text)
    instruction.update(
      Content(request.system_instruction)
      if request.system_instruction
      else Content.styled("(no system instruction)", "$text-muted")
    )
    builtin = request.builtin_tools
    tools_title = f"Tools ({len(request.tools)}" + (
      f" + {len(builtin)} built-in)" if builtin else ")"
    )
    self.query_one("#model-tools-box", Collapsible).title = tools_title
    builtin_box = self.query_one("#model-builtin-tools", Static)
    builtin_box.display = bool(builtin)
    builtin_box.update(
      Content("\n").join(
        Content.styled(name, "bold")
        + Content.styled("  (built-in: the model's own tool, not callable here)", "$text-muted")
        for name in builtin
      )
    )
    self.query_one(ToolCatalog).show_tools(request.tools)
    contents = request.contents
    self.query_one("#model-contents-box", Collapsible).title = f"Contents ({len(contents)})"
    self.query_one("#model-contents", Static).update(contents_text(contents))
