"""`SchemaForm`: a form generated from `FormField`s, with inline errors."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from adk_simulator.engine.schema.forms import FormField
from adk_simulator.engine.schema.forms import args_to_values
from adk_simulator.engine.schema.forms import initial_values
from adk_simulator.engine.schema.forms import is_blank
from adk_simulator.engine.schema.forms import values_to_args
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import validate_arguments
from adk_simulator.tui.forms.schema_fields import FieldWidget
from adk_simulator.tui.forms.schema_fields import ScalarField
from adk_simulator.tui.forms.schema_fields import make_field_widget
from adk_simulator.tui.type_ahead import drop_keys_typed_ahead


class SchemaForm(Vertical):
  """Edits one object's fields: a tool call's arguments, an answer, a query.

  Strings, integers and numbers get inputs (numeric inputs refuse other
  characters), booleans a switch (or a true/false/empty picker when the value
  may be null or left out), enums a picker whose values keep their JSON types,
  objects a bordered group, arrays rows with "+ add" and "remove", unions of
  objects a picker of variants above the chosen variant's fields, and
  anything a form cannot model a raw-JSON text area. Defaults are filled in;
  an empty optional field says what it sends ("null (optional)").

  Args:
    fields: From `engine.forms.form_from_schema`.
    args: Arguments to show instead of the defaults.
  """

  BINDINGS = [
    Binding("ctrl+o", "use_default", "Fill in the default", id="schema_form.use_default"),
  ]

  DEFAULT_CSS = """
  SchemaForm {
    height: auto;
    padding: 0 1;

    .form-errors {
      display: none;
      color: $text-error;
      margin-bottom: 1;
    }
    .form-empty {
      color: $text-muted;
    }
    .schema-field {
      height: auto;
      margin-bottom: 1;
    }
    .field-label {
      text-style: bold;
    }
    .field-description {
      color: $text-muted;
    }
    .field-error {
      display: none;
      color: $text-error;
    }
    Input.field-control, TextArea.field-control {
      background: $boost;
    }
    .switch-row {
      height: auto;
    }
    Switch.field-control {
      border: none;
      height: 1;
      padding: 0;
      background: $boost;
    }
    .switch-value {
      width: auto;
      margin-left: 1;
      color: $text-muted;
    }
    .-has-error > .field-control {
      background-tint: $text-error 25%;
    }
    .json-control {
      height: auto;
      min-height: 3;
      max-height: 10;
    }
    .schema-group {
      border: round $border-blurred;
      border-title-color: $foreground;
      padding: 0 1;
    }
    .schema-group:focus-within {
      border: round $border;
    }
    .schema-group.-has-error {
      border: round $error;
    }
    .array-rows {
      height: auto;
    }
    Select.variant-control {
      margin-bottom: 1;
    }
    .variant-fields {
      height: auto;
    }
    .array-row {
      height: auto;
      margin-bottom: 1;
    }
    .array-row.-scalar {
      margin-bottom: 0;
    }
    .array-row > .schema-field {
      width: 1fr;
      margin-bottom: 0;
    }
    .row-index {
      width: 4;
      color: $text-muted;
    }
    .row-remove {
      margin-left: 1;
      min-width: 0;
    }
    .array-add {
      min-width: 0;
    }
  }
  """

  def __init__(
    self,
    fields: list[FormField],
    *,
    args: dict[str, Any] | None = None,
    id: str | None = None,
    classes: str | None = None,
  ) -> None:
    super().__init__(id=id, classes=classes)
    self.fields = fields
    self._values = initial_values(fields) if args is None else args_to_values(fields, args)
    self.form_errors: list[str] = []
    """The messages shown at the top: errors whose path names no field."""

  def compose(self) -> ComposeResult:
    yield Static("", classes="form-errors")
    if not self.fields:
      yield Static("No arguments.", classes="form-empty")
    for field in self.fields:
      yield make_field_widget(field, self._values.get(field.name))

  def field_widgets(self) -> list[FieldWidget]:
    """The top-level field widgets, in schema order."""
    return [w for w in self.children if isinstance(w, FieldWidget)]

  def get_values(self) -> dict[str, Any]:
    """The widget values, as `engine.forms.values_to_args` takes them."""
    return {w.field.name: w.get_value() for w in self.field_widgets()}

  def get_args(self) -> tuple[dict[str, Any], list[FieldError]]:
    """The arguments the form holds, and what could not be converted."""
    return values_to_args(self.fields, self.get_values())

  def check(self, spec: ToolSpec | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """Converts, validates against `spec`, and shows the errors inline.

    Validation runs only once everything converts: a value that did not
    convert is left out of the arguments, so the schema would report it again
    (or, inside a list, under a neighbour's index).

    Returns:
      The arguments and the errors (empty when the arguments may be sent).
    """
    args, errors = self.get_args()
    if not errors and spec is not None:
      errors = validate_arguments(spec, args)
    self.show_errors(errors)
    return args, errors

  async def set_args(self, args: dict[str, Any]) -> None:
    """Shows these arguments, replacing every field's value; clears the errors."""
    self._values = args_to_values(self.fields, args)
    await self.recompose()

  def show_errors(self, errors: list[FieldError]) -> None:
    """Shows each error under its field, replacing the errors shown before.

    An error whose path names no field (the arguments as a whole, an
    argument the tool does not declare) is listed at the top of the form.
    The focus moves to the first field in error (that is where the next
    keystroke belongs), unless it already is in a field in error.
    """
    pending: dict[str, list[str]] = {}
    for error in errors:
      pending.setdefault(error.path, []).append(error.message)
    for widget in self.field_widgets():
      widget.show_errors(widget.field.name, pending)
    leftovers = [f"{path}: {m}" if path else m for path, ms in pending.items() for m in ms]
    self.form_errors = leftovers
    box = self.query_one(".form-errors", Static)
    box.update(Content("\n".join(f"⚠ {line}" for line in leftovers)))
    box.display = bool(leftovers)
    if leftovers:
      box.scroll_visible(animate=False)
    in_error = [w for w in self.query(FieldWidget) if w.errors]
    if not in_error:
      return
    drop_keys_typed_ahead(self)
    focused = self.screen.focused
    if focused is not None and any(focused in w.walk_children() for w in in_error):
      return
    target = in_error[0].first_focusable()
    if target is not None:
      target.focus()
    else:
      in_error[0].scroll_visible(animate=False)

  def field_widget(self, path: str) -> FieldWidget | None:
    """The field widget at a concrete path such as `attachments[1].size_kb`."""
    for widget in self.field_widgets():
      found = widget.find(widget.field.name, path)
      if found is not None:
        return found
    return None

  def is_blank_at(self, path: str) -> bool:
    """Whether the field at `path` holds nothing (so nothing typed is lost without it)."""
    widget = self.field_widget(path)
    return widget is not None and is_blank(widget.field, widget.get_value())

  def control(self, path: str) -> Widget:
    """The input, switch, picker or text area of the scalar field at `path`."""
    widget = self.field_widget(path)
    if not isinstance(widget, ScalarField):
      raise LookupError(f"no scalar field at {path!r}")
    return widget.control

  def errors_at(self, path: str) -> list[str]:
    """The messages shown under the field at `path`."""
    widget = self.field_widget(path)
    return [] if widget is None else list(widget.errors)

  def focused_field(self) -> ScalarField | None:
    """The field holding the focus, when it has a default to fill in."""
    node = self.screen.focused
    while node is not None and node is not self and not isinstance(node, ScalarField):
      node = node.parent
    return node if isinstance(node, ScalarField) and node.has_default_to_fill else None

  def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
    if action == "use_default":
      return self.focused_field() is not None
    return True

  def action_use_default(self) -> None:
    """Fills in the focused field's default: left blank it is not sent, filled in it is."""
    field = self.focused_field()
    if field is not None:
      field.use_default()

  def focus_first(self) -> None:
    """Focuses the first field, where the next keystroke belongs."""
    target = next((w for w in self.query("*") if w.focusable), None)
    if target is not None:
      target.focus()
