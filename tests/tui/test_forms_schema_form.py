"""`SchemaForm` on a tool with every kind of argument, as ADK declares it."""

from __future__ import annotations

from typing import Any
from typing import Literal

from google.adk.tools.function_tool import FunctionTool
from pydantic import BaseModel
from pydantic import Field
from textual.app import App
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input
from textual.widgets import Select
from textual.widgets import Switch
from textual.widgets import TextArea

from adk_simulator.engine.schema.docstrings import argument_docs
from adk_simulator.engine.schema.docstrings import without_argument_sections
from adk_simulator.engine.schema.forms import form_from_schema
from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.engine.schema.specs import ToolSpec
from adk_simulator.engine.schema.specs import tool_spec_from_declaration
from adk_simulator.tui.forms import SchemaForm
from adk_simulator.tui.forms.schema_fields import ArrayField
from adk_simulator.tui.forms.schema_fields import ObjectField


class Address(BaseModel):
  street: str = Field(description="Street and number.")
  city: str


class Item(BaseModel):
  sku: str
  quantity: int = Field(default=1, ge=1)


def every_kind(
  title: str,
  address: Address,
  count: int = 3,
  ratio: float = 0.5,
  enabled: bool = True,
  level: Literal[1, 2, 3] = 2,
  mode: Literal["fast", "slow"] = "fast",
  tags: list[str] = [],  # noqa: B006 -- ADK reads the default, never mutates it
  items: list[Item] = [],  # noqa: B006
  note: str | None = None,
  flag: bool | None = None,
  extra: dict[str, Any] = {},  # noqa: B006
) -> dict[str, Any]:
  """Exercises every kind of form field.

  Args:
    title: What to call it.
    address: Where it goes.
    count: How many.
    ratio: A fraction.
    enabled: Whether it is on.
    level: 1, 2 or 3.
    mode: How fast.
    tags: Labels.
    items: What to send.
    note: Anything else.
    flag: Maybe.
    extra: Free-form data.
  """
  return {}


def every_kind_spec() -> ToolSpec:
  return tool_spec_from_declaration(FunctionTool(every_kind)._get_declaration())


class FormApp(App[None]):
  def __init__(self, spec: ToolSpec, args: dict[str, Any] | None = None) -> None:
    super().__init__()
    self.fields = form_from_schema(spec.parameters)
    self.args = args

  def compose(self) -> ComposeResult:
    with VerticalScroll():
      yield SchemaForm(self.fields, args=self.args)

  def on_mount(self) -> None:
    self.query_one(SchemaForm).focus_first()


def test_argument_help_comes_from_the_docstring():
  spec = every_kind_spec()
  assert without_argument_sections(spec.description) == "Exercises every kind of form field."
  fields = {f.name: f for f in form_from_schema(spec.parameters)}
  assert fields["title"].description == "What to call it."
  assert fields["extra"].description == "Free-form data."
  wrapped = "Does it.\n\nArgs:\n  a: First line\n    continued.\n  b (int): B.\n\nReturns:\n  X."
  assert without_argument_sections(wrapped) == "Does it.\n\nReturns:\n  X."
  assert argument_docs(wrapped) == {"a": "First line continued.", "b": "B."}


async def test_every_kind_gets_its_widget_with_defaults_as_hints():
  app = FormApp(every_kind_spec())
  async with app.run_test(size=(120, 40)) as pilot:
    await pilot.pause()
    form = app.query_one(SchemaForm)
    title = form.control("title")
    assert isinstance(title, Input) and title.type == "text" and app.focused is title
    count, ratio = form.control("count"), form.control("ratio")
    assert isinstance(count, Input) and count.type == "integer" and count.value == ""
    assert "tool default 3" in count.placeholder
    assert isinstance(ratio, Input) and ratio.type == "number" and ratio.value == ""
    assert "tool default 0.5" in ratio.placeholder
    enabled = form.control("enabled")  # shows its default, and leaves it out until toggled
    assert isinstance(enabled, Switch) and enabled.value is True
    assert isinstance(form.control("level"), Select) and isinstance(form.control("mode"), Select)
    assert isinstance(form.field_widget("address"), ObjectField)
    assert isinstance(form.field_widget("tags"), ArrayField)
    assert isinstance(form.field_widget("items"), ArrayField)
    note = form.control("note")
    assert isinstance(note, Input) and note.placeholder == "null (optional)"
    flag = form.control("flag")  # may be null: true / false / empty, not a switch
    assert isinstance(flag, Select) and flag.is_blank()
    assert isinstance(form.control("extra"), TextArea)
    # Required fields are marked; help comes from the docstring.
    field = form.field_widget("title")
    assert field is not None
    labels = [str(label.render()) for label in field.query(".field-label")]
    assert labels == ["Title *"]
    assert "What to call it." in str(field.query_one(".field-description").render())
    # A fresh form sends nothing of its own: required text left empty is an
    # error, and untouched defaults are left out for the tool to apply.
    _, errors = form.get_args()
    assert [e.path for e in errors] == ["title", "address.street", "address.city"]
    for path, text in (("title", "T"), ("address.street", "1 Main St"), ("address.city", "Lyon")):
      control = form.control(path)
      assert isinstance(control, Input)
      control.value = text
    args, errors = form.get_args()
  assert errors == []
  assert args == {"title": "T", "address": {"street": "1 Main St", "city": "Lyon"}}


async def test_set_args_then_get_args_keeps_values_and_types():
  args = {
    "title": "T",
    "address": {"street": "1 Main St", "city": "Lyon"},
    "count": 7,
    "ratio": 2,
    "enabled": False,
    "level": 3,
    "mode": "slow",
    "tags": ["a", "b"],
    "items": [{"sku": "X", "quantity": 2}, {"sku": "Y", "quantity": 1}],
    "note": "n",
    "flag": False,
    "extra": {"k": [1, None]},
  }
  app = FormApp(every_kind_spec())
  async with app.run_test(size=(120, 40)) as pilot:
    form = app.query_one(SchemaForm)
    await form.set_args(args)
    await pilot.pause()
    got, errors = form.get_args()
    items = form.field_widget("items")
    assert isinstance(items, ArrayField) and len(items.rows()) == 2
  assert errors == []
  assert got == args
  assert type(got["level"]) is int and type(got["ratio"]) is int


async def test_int_enum_picked_with_keys_stays_an_int():
  app = FormApp(every_kind_spec())
  async with app.run_test(size=(120, 40)) as pilot:
    form = app.query_one(SchemaForm)
    form.control("level").focus()
    await pilot.press("enter", "down", "down", "down", "enter")  # (empty) -> 1 -> 2 -> 3
    args, _ = form.get_args()
  assert args["level"] == 3 and type(args["level"]) is int


async def test_errors_show_under_their_fields_and_clear():
  app = FormApp(every_kind_spec())
  async with app.run_test(size=(120, 40)) as pilot:
    form = app.query_one(SchemaForm)
    await form.set_args(
      {"title": "T", "address": {}, "tags": ["a"], "items": [{"sku": "X"}, {"sku": "Y"}]}
    )
    await pilot.pause()
    form.show_errors(
      [
        FieldError(path="address.city", message="required field missing"),
        FieldError(path="items[1].quantity", message="must be at least 1"),
        FieldError(path="tags[0]", message="too short"),
        FieldError(path="tags", message="must have at least 2 items"),
        FieldError(path="bogus", message="unknown argument"),
        FieldError(path="", message="the whole call is wrong"),
      ]
    )
    assert form.errors_at("address.city") == ["required field missing"]
    assert form.errors_at("address.street") == []
    assert form.errors_at("items[1].quantity") == ["must be at least 1"]
    assert form.errors_at("items[0].quantity") == []
    assert form.errors_at("tags[0]") == ["too short"]
    assert form.errors_at("tags") == ["must have at least 2 items"]
    assert form.form_errors == ["bogus: unknown argument", "the whole call is wrong"]
    # Typing in a field takes its (now stale) message away, and only its own.
    city = form.control("address.city")
    city.focus()
    await pilot.press("L")
    assert form.errors_at("address.city") == []
    assert form.errors_at("items[1].quantity") == ["must be at least 1"]
    form.show_errors([])
    assert form.errors_at("items[1].quantity") == [] and form.form_errors == []


async def test_removing_a_row_moves_the_errors_with_the_paths():
  app = FormApp(every_kind_spec(), args={"items": [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}]})
  async with app.run_test(size=(120, 40)) as pilot:
    form = app.query_one(SchemaForm)
    items = form.field_widget("items")
    assert isinstance(items, ArrayField)
    await items.remove_row(items.rows()[0])
    await pilot.pause()
    form.show_errors([FieldError(path="items[1].sku", message="unknown sku")])
    sku = form.control("items[1].sku")
    assert isinstance(sku, Input) and sku.value == "C"
    assert form.errors_at("items[1].sku") == ["unknown sku"]
    args, _ = form.get_args()
  assert args["items"] == [{"sku": "B"}, {"sku": "C"}]  # quantity was left out, and stays so


async def test_a_switch_for_a_left_out_argument_keeps_leaving_it_out():
  app = FormApp(every_kind_spec(), args={"title": "T", "address": {"street": "S", "city": "C"}})
  async with app.run_test(size=(120, 40)) as pilot:
    form = app.query_one(SchemaForm)
    args, _ = form.get_args()
    assert "enabled" not in args
    enabled = form.control("enabled")
    assert isinstance(enabled, Switch) and enabled.value is True  # the tool's default, shown
    enabled.focus()
    await pilot.press("space", "space")
    args, _ = form.get_args()
  assert args["enabled"] is True
