"""One widget per `FormField`: scalars, object groups and array groups.

Each field widget holds a *widget value* in the shape `engine.forms` defines
(text for string/integer/number/json fields, `bool | None` for booleans, the
raw enum value or None for enums, a dict for objects, a list for arrays, a
`UnionValue` for unions, whose widget is in `union_field`) and shows the
errors addressed to its *concrete* path (`attachments[1].size_kb`), which the
parent passes down because array rows move when one is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button
from textual.widgets import Input
from textual.widgets import Select
from textual.widgets import Static
from textual.widgets import Switch
from textual.widgets import TextArea

from adk_simulator.engine.schema.forms import FormField
from adk_simulator.engine.schema.forms import default_value
from adk_simulator.engine.schema.forms import enum_text
from adk_simulator.engine.schema.forms import initial_value
from adk_simulator.engine.schema.specs import show

Pending = dict[str, list[str]]
"""Error messages by concrete path; each field widget takes its own out."""
_GROUPS = ("object", "array", "union")
"""Kinds shown as a bordered group of their own (an array entry gets a title)."""


def field_label(field: FormField, title: str | None = None) -> Content:
  """The field's title, with a "*" when the argument is required."""
  text = Content(title if title is not None else field.title)
  # Array entries count as required, but the "*" would only say the row exists.
  if field.required and not field.path.endswith("[]"):
    text = text + Content.from_markup(" [bold $text-error]*[/]")
  return text


def value_hint(field: FormField) -> str:
  """What an empty field means and what it takes, e.g. "number > 0, ≤ 250"."""
  kind = {"integer": "integer", "number": "number", "json": "JSON"}.get(field.kind, "")
  limits: list[str] = []
  if field.minimum is not None:
    limits.append(f"≥ {show(field.minimum)}")
  if field.exclusive_minimum is not None:
    limits.append(f"> {show(field.exclusive_minimum)}")
  if field.maximum is not None:
    limits.append(f"≤ {show(field.maximum)}")
  if field.exclusive_maximum is not None:
    limits.append(f"< {show(field.exclusive_maximum)}")
  if field.min_length:
    limits.append(f"at least {field.min_length} chars")
  if field.max_length is not None:
    limits.append(f"at most {field.max_length} chars")
  if field.format:
    limits.append(field.format)
  what = " ".join(part for part in (kind, ", ".join(limits)) if part)
  return " · ".join(part for part in (what, empty_meaning(field)) if part)


def empty_meaning(field: FormField) -> str:
  """What leaving the field empty sends, so the empty state is never a guess."""
  if field.required:
    return "null" if field.nullable else ""
  if field.has_default and field.default is not None:
    return f"optional, tool default {show(field.default)} · ctrl+o fills it in"
  return "null (optional)"


def item_title(item: FormField) -> str:
  """An array entry's name in words: "LineItem" -> "Line item" (its type's title)."""
  words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", item.title).replace("_", " ").split()
  text = " ".join(words).lower()
  return text[:1].upper() + text[1:] if text else "Item"


def switch_text(value: bool, *, left_out: bool) -> str:
  """The JSON value a switch sends, or that it sends nothing yet."""
  text = "true" if value else "false"
  return f"{text} · left out (tool default)" if left_out else text


def make_field_widget(field: FormField, value: Any, *, title: str | None = None) -> FieldWidget:
  """The widget for a field, holding `value` (a widget value)."""
  if field.kind == "object":
    return ObjectField(field, value, title=title)
  if field.kind == "array":
    return ArrayField(field, value, title=title)
  if field.kind == "union":
    # Imported here: a union's variants are made of field widgets from this module.
    from adk_simulator.tui.forms.union_field import UnionField

    return UnionField(field, value, title=title)
  return ScalarField(field, value, title=title)


class FieldWidget(Vertical):
  """A field: its label, editor, description and (when any) its errors."""

  def __init__(self, field: FormField, *, title: str | None = None) -> None:
    super().__init__(classes="schema-field")
    self.field = field
    self.label_title = title
    self.errors: list[str] = []
    """The messages shown under this field now."""

  def get_value(self) -> Any:
    raise NotImplementedError

  def child_fields(self, path: str) -> Iterator[tuple[str, FieldWidget]]:
    """The nested field widgets with their concrete paths."""
    yield from ()

  def error_box(self) -> Static:
    return self.query_one(".field-error", Static)

  def set_errors(self, messages: list[str]) -> None:
    self.errors = list(messages)
    box = self.error_box()
    box.update(Content("\n".join(f"⚠ {message}" for message in messages)))
    box.display = bool(messages)
    self.set_class(bool(messages), "-has-error")

  def show_errors(self, path: str, pending: Pending) -> bool:
    """Shows the errors for `path` and below; True when any was shown."""
    messages = pending.pop(path, [])
    self.set_errors(messages)
    shown = bool(messages)
    for child_path, child in self.child_fields(path):
      shown = child.show_errors(child_path, pending) or shown
    return shown

  def find(self, path: str, target: str) -> FieldWidget | None:
    """The field widget at concrete path `target`, searching from here."""
    if path == target:
      return self
    for child_path, child in self.child_fields(path):
      found = child.find(child_path, target)
      if found is not None:
        return found
    return None

  def first_focusable(self) -> Widget | None:
    return next((w for w in self.query("*") if w.focusable), None)


class ScalarField(FieldWidget):
  """A string, number, boolean, enum or raw-JSON field."""

  def __init__(self, field: FormField, value: Any, *, title: str | None = None) -> None:
    super().__init__(field, title=title)
    self._initial = value
    self._left_out = False
    """A switch showing its default for an argument the call leaves out."""
    self._value_in_error: Any = None

  def compose(self) -> ComposeResult:
    field = self.field
    if self.label_title != "":
      yield Static(field_label(field, self.label_title), classes="field-label")
    control = self._make_control(self._initial)
    if isinstance(control, Switch):
      # A switch is only colours; the words say which JSON value it sends.
      with Horizontal(classes="switch-row"):
        yield control
        yield Static(switch_text(control.value, left_out=self._left_out), classes="switch-value")
    else:
      yield control
    if field.description and self.label_title != "":
      yield Static(Content(field.description), classes="field-description")
    yield Static("", classes="field-error")

  def _make_control(self, value: Any) -> Widget:
    field = self.field
    hint = value_hint(field)
    if field.kind in ("string", "integer", "number"):
      return Input(
        "" if value is None else str(value),
        placeholder=hint,
        type="text" if field.kind == "string" else field.kind,
        valid_empty=True,
        max_length=field.max_length or 0,
        compact=True,
        classes="field-control",
      )
    if field.kind == "boolean" and not field.nullable and isinstance(field.default, bool):
      # A boolean with a default: a switch. Shown for a call that leaves the
      # argument out, it shows the default and keeps leaving it out until
      # toggled, so reopening a call does not add arguments to it. Booleans
      # without a default need a blank state: a true/false picker.
      self._left_out = value is None
      return Switch(
        field.default if value is None else bool(value), animate=False, classes="field-control"
      )
    if field.kind in ("boolean", "enum"):
      choices = [True, False] if field.kind == "boolean" else field.enum_values
      # Select compares values with ==, which mixes up 1, 1.0 and True; indexes do not.
      index = next(
        (i for i, choice in enumerate(choices) if type(choice) is type(value) and choice == value),
        None,
      )
      return Select(
        [(enum_text(choice), i) for i, choice in enumerate(choices)],
        prompt=empty_meaning(field) or "Select a value",
        value=Select.NULL if index is None else index,
        compact=True,
        classes="field-control",
      )
    return TextArea(
      "" if value is None else str(value),
      placeholder=hint,
      soft_wrap=True,
      compact=True,
      classes="field-control json-control",
    )

  @property
  def control(self) -> Widget:
    return self.query_one(".field-control")

  def get_value(self) -> Any:
    control = self.control
    if isinstance(control, Input):
      return control.value
    if isinstance(control, Switch):
      return None if self._left_out else control.value
    if isinstance(control, Select):
      index = control.value
      if not isinstance(index, int):
        return None
      choices = [True, False] if self.field.kind == "boolean" else self.field.enum_values
      return choices[index]
    if isinstance(control, TextArea):
      return control.text
    return None

  @property
  def has_default_to_fill(self) -> bool:
    """The field has a default (not null) the person can fill in to send it."""
    return self.field.has_default and self.field.default is not None

  def use_default(self) -> None:
    """Fills in the schema's default, so the call sends it explicitly."""
    value = default_value(self.field)
    if not self.has_default_to_fill or value is None:
      return
    control = self.control
    if isinstance(control, Input):
      control.value = str(value)
    elif isinstance(control, Switch):
      self._left_out = False
      control.value = bool(value)
      self.query_one(".switch-value", Static).update(switch_text(control.value, left_out=False))
    elif isinstance(control, Select):
      choices = [True, False] if self.field.kind == "boolean" else self.field.enum_values
      index = next(
        (i for i, c in enumerate(choices) if type(c) is type(value) and c == value), None
      )
      if index is not None:
        control.value = index
    elif isinstance(control, TextArea):
      control.text = str(value)

  @on(Switch.Changed)
  def _switched(self, event: Switch.Changed) -> None:
    self._left_out = False
    self.query_one(".switch-value", Static).update(switch_text(event.value, left_out=False))

  def set_errors(self, messages: list[str]) -> None:
    super().set_errors(messages)
    self._value_in_error = self.get_value() if messages else None

  @on(Input.Changed)
  @on(Switch.Changed)
  @on(Select.Changed)
  @on(TextArea.Changed)
  def _edited(self) -> None:
    # The person is fixing it: an old message would only mislead. (Widgets
    # also report their initial value once mounted: that is no fix.)
    if self.errors and self.get_value() != self._value_in_error:
      self.set_errors([])


class ObjectField(FieldWidget):
  """A nested object: a bordered group of its fields."""

  def __init__(self, field: FormField, value: Any, *, title: str | None = None) -> None:
    super().__init__(field, title=title)
    self.add_class("schema-group")
    self._initial = value if isinstance(value, dict) else {}
    self.border_title = field_label(field, title)

  def compose(self) -> ComposeResult:
    if self.field.description:
      yield Static(Content(self.field.description), classes="field-description")
    yield Static("", classes="field-error")
    for child in self.field.children:
      yield make_field_widget(child, self._initial.get(child.name, initial_value(child)))

  def _children(self) -> list[FieldWidget]:
    return [w for w in self.children if isinstance(w, FieldWidget)]

  def child_fields(self, path: str) -> Iterator[tuple[str, FieldWidget]]:
    for widget in self._children():
      yield f"{path}.{widget.field.name}", widget

  def get_value(self) -> dict[str, Any]:
    return {widget.field.name: widget.get_value() for widget in self._children()}


class ArrayRow(Horizontal):
  """One entry of an array, with its remove button."""

  def __init__(self, item: FormField, value: Any, index: int) -> None:
    super().__init__(classes="array-row")
    self.set_class(item.kind not in _GROUPS, "-scalar")
    self.item = item
    self._initial = value
    self.index = index

  def compose(self) -> ComposeResult:
    scalar = self.item.kind not in _GROUPS
    if scalar:
      yield Static(f"{self.index + 1}.", classes="row-index")
    # A scalar entry needs no label of its own: the row number says which it is.
    title = "" if scalar else f"{item_title(self.item)} {self.index + 1}"
    yield make_field_widget(self.item, self._initial, title=title)
    yield Button("remove", compact=True, classes="row-remove", tooltip="Remove this entry")

  @property
  def entry(self) -> FieldWidget:
    return self.query_one(FieldWidget)

  def renumber(self, index: int) -> None:
    self.index = index
    if self.item.kind in _GROUPS:
      self.entry.border_title = field_label(self.item, f"{item_title(self.item)} {index + 1}")
    else:
      self.query_one(".row-index", Static).update(f"{index + 1}.")


class ArrayField(FieldWidget):
  """A list: a bordered group of rows, "+ add" below, "remove" on each row."""

  def __init__(self, field: FormField, value: Any, *, title: str | None = None) -> None:
    super().__init__(field, title=title)
    self.add_class("schema-group")
    self._initial = value if isinstance(value, list) else []
    self.border_title = field_label(field, title)

  def compose(self) -> ComposeResult:
    if self.field.description:
      yield Static(Content(self.field.description), classes="field-description")
    yield Static("", classes="field-error")
    with Vertical(classes="array-rows"):
      for index, value in enumerate(self._initial):
        yield ArrayRow(self._item, value, index)
    yield Button(f"+ add {item_title(self._item).lower()}", compact=True, classes="array-add")

  @property
  def _item(self) -> FormField:
    # A schema without `items` takes any value per entry: raw JSON.
    return self.field.item or FormField(
      name=self.field.name, path=f"{self.field.path}[]", title="Item", kind="json"
    )

  def rows(self) -> list[ArrayRow]:
    return list(self.query_one(".array-rows").query_children(ArrayRow))

  def child_fields(self, path: str) -> Iterator[tuple[str, FieldWidget]]:
    for index, row in enumerate(self.rows()):
      yield f"{path}[{index}]", row.entry

  def get_value(self) -> list[Any]:
    return [row.entry.get_value() for row in self.rows()]

  async def add_row(self, value: Any = None) -> ArrayRow:
    """Appends an entry (a fresh one by default) and focuses its first field."""
    rows = self.rows()
    row = ArrayRow(self._item, initial_value(self._item) if value is None else value, len(rows))
    await self.query_one(".array-rows").mount(row)
    target = row.entry.first_focusable()
    if target is not None:
      target.focus()
    self.set_errors([])
    return row

  async def remove_row(self, row: ArrayRow) -> None:
    rows = self.rows()
    position = rows.index(row)
    await row.remove()
    rest = self.rows()
    for index, other in enumerate(rest):
      other.renumber(index)
    # Keep the focus nearby instead of letting it fall to the top of the screen.
    if rest:
      target = rest[min(position, len(rest) - 1)].query_one(".row-remove", Button)
    else:
      target = self.query_one(".array-add", Button)
    target.focus()

  @on(Button.Pressed, ".array-add")
  async def _add_pressed(self, event: Button.Pressed) -> None:
    if event.button.parent is not self:
      return
    event.stop()
    await self.add_row()

  @on(Button.Pressed, ".row-remove")
  async def _remove_pressed(self, event: Button.Pressed) -> None:
    row = event.button.parent
    if not isinstance(row, ArrayRow) or row.parent is None or row.parent.parent is not self:
      return
    event.stop()
    await self.remove_row(row)
