"""Eval set writers racing in processes of their own, let go at the same moment."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def append_in_process(path: str, case_json: str, count: int, agent_name: str, ready, go) -> None:
  """Exports `count` copies of a case (one id, made unique each time); in a child process."""
  from google.adk.evaluation.eval_case import EvalCase

  from adk_simulator.engine.export.evalset_file import EvalSetWriter

  case = EvalCase.model_validate_json(case_json)
  writer = EvalSetWriter(path)
  ready.set()
  go.wait()
  for _ in range(count):
    writer.append(case, agent_name=agent_name)


def delete_in_process(path: str, eval_ids: list[str], ready, go) -> None:
  """Deletes the cases `eval_ids`, one write each; in a child process."""
  from adk_simulator.engine.export.evalset_file import EvalSetWriter

  writer = EvalSetWriter(path)
  ready.set()
  go.wait()
  for eval_id in eval_ids:
    writer.delete(eval_id)


def race(*jobs: tuple[Callable[..., None], tuple[Any, ...]]) -> list[int | None]:
  """Runs each `(target, args)` in a child process, with a `ready` and a `go` event
  after its args: once every child is ready, all are let go at once, so their
  writes really overlap. Returns the exit codes; a child still running after two
  minutes is killed."""
  methods = multiprocessing.get_all_start_methods()
  context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
  go = context.Event()
  readies = [context.Event() for _ in jobs]
  workers = [
    context.Process(target=target, args=(*args, ready, go))
    for (target, args), ready in zip(jobs, readies, strict=True)
  ]
  for worker in workers:
    worker.start()
  try:
    for ready in readies:
      assert ready.wait(timeout=60), "a worker never got ready"
    go.set()
    for worker in workers:
      worker.join(timeout=120)
  finally:
    for worker in workers:
      if worker.is_alive():
        worker.kill()
        worker.join()
  return [worker.exitcode for worker in workers]
