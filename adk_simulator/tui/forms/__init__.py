"""Forms with which the person, as the model, calls tools and answers.

- `SchemaForm`: a form generated from a JSON Schema (via `engine.forms`).
- `ToolCallScreen`: pick tools, fill their arguments, send one or several
  calls as one model turn (`ToolCallsTurn`).
- `FinalResponseScreen`: write the final answer, as text or as the agent's
  output-schema object (`FinalTurn`).
- `StructuredQueryForm`: the user's query when the agent has an input schema.
"""

from __future__ import annotations

from adk_simulator.tui.forms.arguments_editor import ArgumentsEditor
from adk_simulator.tui.forms.final_response_screen import FinalResponseScreen
from adk_simulator.tui.forms.schema_form import SchemaForm
from adk_simulator.tui.forms.structured_query_form import StructuredQueryForm
from adk_simulator.tui.forms.tool_call_screen import ToolCallScreen
from adk_simulator.tui.forms.tool_picker import ToolPicker

__all__ = [
  "ArgumentsEditor",
  "FinalResponseScreen",
  "SchemaForm",
  "StructuredQueryForm",
  "ToolCallScreen",
  "ToolPicker",
]
