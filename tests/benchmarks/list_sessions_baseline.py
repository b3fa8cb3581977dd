"""The yardstick for `adk-sim sessions list`: ADK's own `list_sessions` on the same store.

Run: `python tests/benchmarks/list_sessions_baseline.py PATH/TO/sessions.db APP_NAME`.
It opens the SQLite store with ADK's `SqliteSessionService`, lists the app's
sessions (ADK returns them without their events) and prints one line each.
"""

from __future__ import annotations

import asyncio
import sys


async def main(db_path: str, app_name: str) -> None:
  from google.adk.sessions.sqlite_session_service import SqliteSessionService

  service = SqliteSessionService(db_path=db_path)
  listed = (await service.list_sessions(app_name=app_name)).sessions
  for session in sorted(listed, key=lambda s: s.last_update_time, reverse=True):
    print(f"{session.id:<36}  {session.user_id:<12} {session.last_update_time:.0f}")


if __name__ == "__main__":
  asyncio.run(main(sys.argv[1], sys.argv[2]))
