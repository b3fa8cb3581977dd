"""An object's fields as a form or as raw JSON, switching without losing them."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import ContentSwitcher
from textual.widgets import Static
from textual.widgets import TextArea

from adk_simulator.engine.schema.forms import args_to_values
from adk_simulator.engine.schema.forms import form_from_schema
from adk_simulator.engine.schema.forms import values_to_args
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import validate_arguments
from adk_simulator.tui.forms.schema_form import SchemaForm
from adk_simulator.tui.type_ahead import drop_keys_typed_ahead


def _canonical(value: Any) -> str:
  # Type-exact: 7 and 7.0, 1 and true read differently here (not under ==).
  return json.dumps(value, sort_keys=True)


def parse_json_object(text: str) -> tuple[dict[str, Any], list[FieldError]]:
  """Parses the raw-JSON editor's text; the arguments must be one object."""
  try:
    value = json.loads(text or "{}")
  except json.JSONDecodeError as exc:
    message = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    return {}, [FieldError(path="", message=message)]
  if not isinstance(value, dict):
    return {}, [FieldError(path="", message="expected a JSON object: {...}")]
  return value, []


def schema_spec(schema: dict[str, Any], *, name: str) -> ToolSpec:
  """An agent's input or output schema wrapped as a tool, to check values against it."""
  title = schema.get("title")
  description = schema.get("description")
  return ToolSpec(
    name=title if isinstance(title, str) and title else name,
    description=description if isinstance(description, str) else "",
    parameters=schema,
  )


class ArgumentsEditor(Vertical):
  """A `SchemaForm` for `spec.parameters`, or the same arguments as JSON text.

  `toggle_json()` switches between the two and carries the arguments over;
  it refuses (showing why) when the form holds a value that is not a value
  yet, when the JSON does not parse, or when the JSON holds something the
  form cannot show exactly (an undeclared argument, a value of the wrong type).

  Args:
    spec: What the arguments are checked against (a tool, or an output or
      input schema wrapped as one).
    args: Arguments to start from instead of the schema's defaults.
  """

  DEFAULT_CSS = """
  ArgumentsEditor {
    height: 1fr;

    #arguments-switcher {
      height: 1fr;
    }
    #arguments-form {
      height: 1fr;
    }
    #arguments-json {
      height: 1fr;
    }
    #json-text {
      height: 1fr;
      min-height: 5;
    }
    #json-errors {
      display: none;
      color: $text-error;
      height: auto;
      max-height: 6;
    }
  }
  """

  def __init__(
    self, spec: ToolSpec, *, args: dict[str, Any] | None = None, id: str | None = None
  ) -> None:
    super().__init__(id=id)
    self.spec = spec
    # The engine has put each argument's docstring help on its schema; the
    # form shows the tool's own help (an MCP server's, unfenced).
    self.fields = form_from_schema(spec.own_parameters)
    self._args = args
    self.json_errors: list[FieldError] = []
    """The errors shown under the JSON text now."""

  def compose(self) -> ComposeResult:
    with ContentSwitcher(initial="arguments-form", id="arguments-switcher"):
      # Not in the tab order itself: a focused field scrolls into view anyway.
      with VerticalScroll(id="arguments-form", can_focus=False):
        yield SchemaForm(self.fields, args=self._args)
      with Vertical(id="arguments-json"):
        yield TextArea("", soft_wrap=True, show_line_numbers=True, id="json-text")
        yield Static("", id="json-errors")

  @property
  def form(self) -> SchemaForm:
    return self.query_one(SchemaForm)

  @property
  def json_text(self) -> TextArea:
    return self.query_one("#json-text", TextArea)

  @property
  def json_mode(self) -> bool:
    """Whether the raw JSON is shown (and is what `check` reads)."""
    return self.query_one(ContentSwitcher).current == "arguments-json"

  def focus_first(self) -> None:
    if self.json_mode:
      self.json_text.focus()
    else:
      self.form.focus_first()

  async def toggle_json(self) -> bool:
    """Switches form <-> JSON; False (errors shown) when the values cannot move."""
    switcher = self.query_one(ContentSwitcher)
    if not self.json_mode:
      args, errors = self.form.get_args()
      # A blank required field is simply absent from the JSON; a value that
      # does not convert ("-" in a number field) would be lost, so it stays.
      lost = [e for e in errors if not self.form.is_blank_at(e.path)]
      if lost:
        self.form.show_errors(lost)
        return False
      self.form.show_errors([])
      self.json_text.load_text(json.dumps(args, indent=2, ensure_ascii=False))
      self._show_json_errors([])
      switcher.current = "arguments-json"
      self.json_text.focus()
      return True
    args, errors = parse_json_object(self.json_text.text)
    if not errors:
      errors = self._form_cannot_show(args)
    if errors:
      self._show_json_errors(errors)
      return False
    self._show_json_errors([])
    await self.form.set_args(args)
    switcher.current = "arguments-form"
    self.form.focus_first()
    return True

  def _form_cannot_show(self, args: dict[str, Any]) -> list[FieldError]:
    back, _ = values_to_args(self.fields, args_to_values(self.fields, args))
    if _canonical(back) == _canonical(args):
      return []
    errors = validate_arguments(self.spec, args)
    if errors:
      return errors
    lost = sorted(name for name in args if _canonical(back.get(name)) != _canonical(args[name]))
    return [
      FieldError(path=name, message="the form cannot show this value exactly; edit it as JSON")
      for name in lost
    ]

  async def set_args(self, args: dict[str, Any]) -> None:
    """Shows these arguments in whichever view is current."""
    if self.json_mode:
      self.json_text.load_text(json.dumps(args, indent=2, ensure_ascii=False))
      self._show_json_errors([])
    else:
      await self.form.set_args(args)

  def check(self) -> tuple[dict[str, Any], list[FieldError]]:
    """The arguments of the current view, validated; errors shown inline."""
    if not self.json_mode:
      return self.form.check(self.spec)
    args, errors = parse_json_object(self.json_text.text)
    if not errors:
      errors = validate_arguments(self.spec, args)
    self._show_json_errors(errors)
    return args, errors

  def show_errors(self, errors: list[FieldError]) -> None:
    """Shows errors from elsewhere (the engine) in the current view."""
    if self.json_mode:
      self._show_json_errors(errors)
    else:
      self.form.show_errors(errors)

  def _show_json_errors(self, errors: list[FieldError]) -> None:
    self.json_errors = list(errors)
    box = self.query_one("#json-errors", Static)
    lines = [f"⚠ {e.path}: {e.message}" if e.path else f"⚠ {e.message}" for e in errors]
    box.update(Content("\n".join(lines)))
    box.display = bool(errors)
    if errors:
      drop_keys_typed_ahead(self)
