"""Every touch of Textual internals, in one place (as `engine/adk.py` is for ADK's).

Type-ahead needs to know whether a widget still has messages to handle, which
Textual's public API does not say: a pump's queue of waiting messages
(`message_queue_size` counts them, publicly) and whether it is handling one now
(it is not waiting on its queue). `tests/tui/test_type_ahead.py` pins what is
read here, so a Textual upgrade that changes it fails there, not in the app.
"""

from __future__ import annotations

from textual.message_pump import MessagePump


def is_busy(pump: MessagePump) -> bool:
  """Whether `pump` has a message waiting or is handling one."""
  if pump.message_queue_size:
    return True
  # An idle pump waits on its queue's "ready" event; one that does not is busy.
  queue = pump._message_queue  # noqa: SLF001
  waiters = getattr(queue.ready_event, "_waiters", None) or ()
  return pump.is_running and not any(not waiter.done() for waiter in waiters)
