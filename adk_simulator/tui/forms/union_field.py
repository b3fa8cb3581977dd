"""`UnionField`: a union of objects, as a choice of variant above that variant's fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets import Static

from adk_simulator.engine.schema.forms import FormField
from adk_simulator.engine.schema.forms import UnionValue
from adk_simulator.engine.schema.forms import initial_value
from adk_simulator.engine.schema.forms import variant_value
from adk_simulator.tui.forms.schema_fields import FieldWidget
from adk_simulator.tui.forms.schema_fields import empty_meaning
from adk_simulator.tui.forms.schema_fields import field_label
from adk_simulator.tui.forms.schema_fields import make_field_widget


class UnionField(FieldWidget):
  """A bordered group: a picker of variants, then the chosen variant's fields.

  The picker names each variant by its discriminator's value (`courier`) or
  its title (`Email`). Choosing one replaces the fields below with that
  variant's, defaults filled in; choosing back brings back what was typed
  there. The discriminator has no field of its own: the picker is it.
  """

  def __init__(self, field: FormField, value: Any, *, title: str | None = None) -> None:
    super().__init__(field, title=title)
    self.add_class("schema-group")
    self.border_title = field_label(field, title)
    initial = value if isinstance(value, UnionValue) else UnionValue()
    self.variant: int | None = initial.variant
    """The index of the variant shown (in `field.variants`); None before one is chosen."""
    self._values = initial.values
    self._kept: dict[int, UnionValue] = {}
    """What was typed in the variants not shown now, to bring back on return."""

  def compose(self) -> ComposeResult:
    if self.field.description:
      yield Static(Content(self.field.description), classes="field-description")
    yield Static("", classes="field-error")
    tag = next(
      (c for v in self.field.variants for c in v.children if c.name == self.field.discriminator),
      None,
    )
    if tag is not None:
      # The picker sets the tag: it reads "Kind", then "courier" or "pickup".
      yield Static(Content(tag.title), classes="field-label")
    yield Select(
      [(variant.title, index) for index, variant in enumerate(self.field.variants)],
      prompt=empty_meaning(self.field) or "Choose one",
      value=Select.NULL if self.variant is None else self.variant,
      compact=True,
      classes="variant-control",
    )
    with Vertical(classes="variant-fields"):
      yield from self._variant_widgets()

  def _variant_widgets(self) -> list[Widget]:
    if self.variant is None:
      return []
    variant = self.field.variants[self.variant]
    widgets: list[Widget] = []
    if variant.description:
      widgets.append(Static(Content(variant.description), classes="field-description"))
    for child in variant.children:
      if child.name != self.field.discriminator:
        widgets.append(make_field_widget(child, self._values.get(child.name, initial_value(child))))
    return widgets

  @property
  def select(self) -> Select[int]:
    """The picker of variants."""
    return self.query_children(".variant-control").only_one(Select)

  def _children(self) -> list[FieldWidget]:
    return list(self._fields_box().query_children(FieldWidget))

  def _fields_box(self) -> Widget:
    # Its own, not that of a union nested in it.
    return self.query_children(".variant-fields").only_one()

  def child_fields(self, path: str) -> Iterator[tuple[str, FieldWidget]]:
    for widget in self._children():
      yield f"{path}.{widget.field.name}", widget

  def get_value(self) -> UnionValue:
    if self.variant is None:
      return UnionValue()
    values: dict[str, Any] = {}
    tag = self.field.discriminator
    if tag is not None and tag in self._values:
      values[tag] = self._values[tag]
    values.update({widget.field.name: widget.get_value() for widget in self._children()})
    return UnionValue(self.variant, values)

  async def choose(self, index: int | None) -> None:
    """Shows variant `index` (None: no variant), keeping what the one shown holds."""
    if index == self.variant:
      return
    if self.variant is not None:
      self._kept[self.variant] = self.get_value()
    self.variant = index
    if index is None:
      self._values = {}
    else:
      self._values = (self._kept.get(index) or variant_value(self.field, index)).values
    if self.select.value != (Select.NULL if index is None else index):
      self.select.value = Select.NULL if index is None else index
    self.set_errors([])
    container = self._fields_box()
    await container.remove_children()
    await container.mount_all(self._variant_widgets())

  @on(Select.Changed, ".variant-control")
  async def _variant_chosen(self, event: Select.Changed) -> None:
    # A union nested in this one has a picker of its own.
    if event.select is not self.select:
      return
    event.stop()
    await self.choose(event.value if isinstance(event.value, int) else None)
