"""Blocking work on daemon threads the engine owns, awaited from the event loop.

A daemon thread neither blocks the event loop nor holds up the process's exit:
work that is abandoned (a cancelled tool call, an agent import cut short by
Ctrl-C) goes on in the background and its late outcome is dropped. asyncio's
own executor threads are joined at exit, so they would keep the process alive.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import Any
from typing import TypeVar

_T = TypeVar("_T")


async def on_daemon_thread(
  target: Callable[[], _T],
  *,
  name: str = "adk-simulator-work",
  contain: Callable[[BaseException], Exception] | None = None,
) -> _T:
  """Runs `target()` on a new daemon thread, in the caller's context, and awaits it.

  Args:
    target: The blocking work.
    name: The thread's name.
    contain: Turns what would end the process (`SystemExit`, `KeyboardInterrupt`,
      any `BaseException` that is not an `Exception`) into the exception the
      awaiting code gets; by default it is re-raised as it is.
  """
  loop = asyncio.get_running_loop()
  outcome: asyncio.Future[Any] = loop.create_future()
  context = contextvars.copy_context()

  def settle(result: Any, error: BaseException | None) -> None:
    if outcome.done():
      return
    if error is None:
      outcome.set_result(result)
    elif isinstance(error, Exception) or contain is None:
      outcome.set_exception(error)
    else:
      outcome.set_exception(contain(error))

  def work() -> None:
    try:
      result, error = context.run(target), None
    except BaseException as raised:  # noqa: BLE001 - every outcome goes back to the loop
      result, error = None, raised
    try:
      loop.call_soon_threadsafe(settle, result, error)
    except RuntimeError:  # the loop has closed: nobody waits for this outcome any more
      pass

  threading.Thread(target=work, name=name, daemon=True).start()
  return await outcome
