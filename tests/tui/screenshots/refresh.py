"""Copies reviewed snapshot SVGs to the screenshots the README shows.

Run after `uv run pytest --snapshot-update tests/tui` and a review of the
changed snapshots: `uv run python tests/tui/screenshots/refresh.py`.
`test_readme_screenshots.py` fails while a screenshot differs from its snapshot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE.parent / "__snapshots__"

SCREENSHOTS = {
  "agent-picker.svg": "test_snapshots_app/test_agent_picker.raw",
  "session.svg": "test_snapshots_app/test_active_screen_after_a_tool_call.raw",
  "tool-call-form.svg": "test_snapshots_forms/test_form_with_every_kind_of_field.raw",
  "completed.svg": "test_snapshots_app/test_completed_screen.raw",
  "sessions.svg": "test_snapshots_sessions/test_sessions_browser.raw",
  "replay.svg": "test_snapshots_sessions/test_replay_where_tool_data_drifted.raw",
  "confirmation.svg": "test_user_side_prompts/test_the_confirmation_prompt.raw",
  "evalset.svg": "test_evalset_view/test_eval_set_view.raw",
}


def main() -> None:
  for name, snapshot in SCREENSHOTS.items():
    shutil.copyfile(SNAPSHOTS / snapshot, HERE / name)
    print(f"{name} ← {snapshot}")


if __name__ == "__main__":
  main()
