"""`adk-sim sessions ...` and `adk-sim replay ...`, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agents"
SCRIPTS = Path(__file__).resolve().parent / "scripts"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
  """A project with the pricing agent (its prices live in a file) and one recorded session."""
  prices = tmp_path / "prices.json"
  prices.write_text(json.dumps({"tea": 3, "cake": 4.5}), encoding="utf-8")
  monkeypatch.setenv("PRICING_FILE", str(prices))
  (tmp_path / "adk-simulator.toml").write_text(
    f'[[agents]]\nname = "Pricing"\nagent = "{(FIXTURES / "pricing_agent").as_posix()}"\n',
    encoding="utf-8",
  )
  (tmp_path / "s.json").write_text(
    json.dumps(
      {
        "steps": [
          {"user": "Tea and scones?"},
          {
            "calls": [
              {"call": "price", "args": {"item": "tea"}},
              {"call": "price", "args": {"item": "scone"}},
            ]
          },
          {"respond": "Tea is 3; no scones."},
        ]
      }
    ),
    encoding="utf-8",
  )
  code, _, err = run(tmp_path, "play", "s.json", "--no-export")
  assert code == 0, err
  return tmp_path


def only_session(project: Path) -> dict:
  code, out, _ = run(project, "sessions", "list", "--json")
  assert code == 0
  (row,) = json.loads(out)
  return row


def test_sessions_list_json_has_the_documented_fields(shop: Path):
  row = only_session(shop)
  assert {"id", "agent", "status", "started", "first_query"} <= set(row)
  assert (row["agent"], row["status"], row["first_query"]) == (
    "Pricing",
    "completed",
    "Tea and scones?",
  )
  code, out, _ = run(shop, "sessions", "list")
  assert code == 0 and row["id"] in out and "completed" in out
  code, out, _ = run(shop, "sessions", "list", "--agent", "nobody")
  assert out.strip() == "no saved sessions"


def test_replay_check_passes_then_fails_when_the_tools_drift(shop: Path):
  session_id = only_session(shop)["id"]
  code, out, _ = run(shop, "replay", session_id[:8], "--check")
  assert code == 0, out
  assert out.strip().splitlines()[-1] == "replayed 1 session: 1 identical, 0 differ, 0 failed"
  (shop / "prices.json").write_text(json.dumps({"tea": 3.5, "scone": 2}), encoding="utf-8")
  code, out, _ = run(shop, "replay", session_id, "--check")
  assert code == 1
  assert "$.price: 3 → 3.5" in out
  assert "fails differently" in out and "recorded KeyError" in out
  code, out, _ = run(shop, "replay", session_id)
  assert code == 0, "without --check, differences are reported only"


def test_replay_all_with_concurrency_and_export(shop: Path):
  code, _, _ = run(shop, "play", "s.json", "--no-export")
  assert code == 0
  code, out, err = run(shop, "replay", "--all", "--concurrency", "2", "--check", "--export")
  assert code == 0, err
  assert out.strip().splitlines()[-1] == "replayed 2 sessions: 2 identical, 0 differ, 0 failed"
  assert out.count("exported to") == 2
  code, out, _ = run(shop, "validate", "evalsets/pricing.evalset.json")
  assert code == 0 and "with 2 cases" in out
  assert len(json.loads(run(shop, "sessions", "list", "--json")[1])) == 2, "replays store nothing"


def test_export_then_replay_the_file_and_import_it(shop: Path, tmp_path: Path):
  session_id = only_session(shop)["id"]
  code, out, _ = run(shop, "sessions", "export", session_id, "-o", "golden.session.json")
  assert code == 0 and "wrote" in out
  code, _, err = run(shop, "sessions", "export", session_id, "-o", "golden.session.json")
  assert code == 1 and "already exists" in err
  code, out, _ = run(shop, "replay", "golden.session.json", "--check")
  assert code == 0 and "1 identical" in out
  other = f"sqlite:///{(tmp_path / 'other.db').as_posix()}"
  code, out, err = run(
    shop, "sessions", "import", "golden.session.json", "--session-service-uri", other
  )
  assert code == 0, err
  assert f"as session {session_id}" in out and "completed" in out
  code, out, _ = run(shop, "sessions", "list", "--json", "--session-service-uri", other)
  assert [r["id"] for r in json.loads(out)] == [session_id]


def test_delete_asks_first(shop: Path):
  session_id = only_session(shop)["id"]
  code, out, _ = run(shop, "sessions", "delete", session_id, input="n\n")
  assert code == 0 and "kept" in out
  assert only_session(shop)["id"] == session_id
  code, out, _ = run(shop, "sessions", "delete", session_id, input="y\n")
  assert code == 0 and "deleted" in out
  assert json.loads(run(shop, "sessions", "list", "--json")[1]) == []


def test_replay_arguments_and_unknown_ids(shop: Path):
  code, _, err = run(shop, "replay")
  assert code == 2 and "give a SESSION_ID or FILE" in err
  code, _, err = run(shop, "replay", "nope")
  assert code == 2 and "no stored session 'nope'" in err


def test_a_sqlalchemy_url_stores_sessions_like_adk_web(shop: Path, tmp_path: Path):
  url = f"sqlite+aiosqlite:///{(tmp_path / 'sqlalchemy.db').as_posix()}"
  code, _, err = run(shop, "play", "s.json", "--no-export", "--session-service-uri", url)
  assert code == 0, err
  code, out, _ = run(shop, "sessions", "list", "--json", "--session-service-uri", url)
  (row,) = json.loads(out)
  assert row["status"] == "completed"
  code, out, _ = run(shop, "replay", "--all", "--check", "--session-service-uri", url)
  assert code == 0 and "1 identical" in out


def test_replay_ignore_skips_paths_that_change_every_run(shop: Path):
  session_id = only_session(shop)["id"]
  (shop / "prices.json").write_text(json.dumps({"tea": 3.5}), encoding="utf-8")
  code, out, _ = run(shop, "replay", session_id, "--check", "--ignore", "$.price")
  assert code == 0, out
  assert "1 identical" in out


def test_the_agents_replay_ignore_from_the_config_applies(shop: Path):
  session_id = only_session(shop)["id"]
  config = shop / "adk-simulator.toml"
  config.write_text(config.read_text() + 'replay_ignore = ["$.price"]\n', encoding="utf-8")
  (shop / "prices.json").write_text(json.dumps({"tea": 4}), encoding="utf-8")
  code, out, _ = run(shop, "replay", session_id, "--check")
  assert code == 0, out
  config.write_text(config.read_text().replace("replay_ignore", "replay_ignores"), encoding="utf-8")
  code, _, err = run(shop, "replay", session_id)
  assert code == 2 and "did you mean 'replay_ignore'?" in err
