"""`StructuredQueryForm`: the user's query when the agent has an input schema."""

from __future__ import annotations

from typing import Any

from adk_simulator.engine.schema.specs import FieldError
from adk_simulator.tui.forms.arguments_editor import ArgumentsEditor
from adk_simulator.tui.forms.arguments_editor import schema_spec


class StructuredQueryForm(ArgumentsEditor):
  """A form (or raw JSON, `toggle_json()`) for an agent's `input_schema` object.

  Args:
    schema: The JSON Schema of the agent's input schema
      (`model_json_schema()` of its Pydantic model).
    payload: A query to start from instead of the schema's defaults.
  """

  def __init__(
    self, schema: dict[str, Any], *, payload: dict[str, Any] | None = None, id: str | None = None
  ) -> None:
    super().__init__(schema_spec(schema, name="user query"), args=payload, id=id)

  def get_payload(self) -> tuple[dict[str, Any], list[FieldError]]:
    """The query object, checked against the schema; errors are shown inline.

    Returns:
      The object and the errors; send it only when the errors are empty.
    """
    return self.check()
