"""Group commit: concurrent calls of one operation share one run (and one database transaction).

When many desks trigger pages at once, most of each trigger's cost is per transaction, not per page:
a session, the writer's turn on SQLite, the numbering counter, the commit. :class:`Combiner` lets the
calls that arrive while a run is under way wait for the next run and share it: whichever caller takes
the run next runs everything queued so far (its own call and the others') and hands each caller its
own result or its own error. A call that finds nothing under way runs at once, alone: combining costs
no waiting when there is no crowd.
"""
from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    __slots__ = ("item", "result", "error", "done")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | None = None
        self.error: BaseException | None = None
        self.done = False


class Combiner(Generic[T, R]):
    """``combiner(item) -> result``. ``run(items)`` returns one result per item, in order; an item's
    result may be an exception, which is raised to that caller only. If ``run`` itself raises, every
    caller of that run gets the error (their work shared one transaction, which did not happen).
    At most ``max_batch`` items share a run."""

    def __init__(self, run: Callable[[list[T]], list[R | BaseException]], max_batch: int = 64) -> None:
        self.run, self.max_batch = run, max_batch
        self._turn = threading.Lock()    # one run at a time; the next holder runs what is queued
        self._queue_lock = threading.Lock()
        self._queue: list[_Slot[T, R]] = []
        self.runs = 0                    # how many runs (a caller can see its call was combined)

    def __call__(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._queue_lock:
            self._queue.append(slot)
        while not slot.done:
            with self._turn:
                if slot.done:  # an earlier run took this call along
                    break
                with self._queue_lock:
                    batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                self._run(batch)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run(self, batch: list[_Slot[T, R]]) -> None:
        self.runs += 1
        try:
            results = self.run([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"combined run returned {len(results)} results for {len(batch)} calls")
        except BaseException as exc:  # the shared run failed: it failed for every call in it
            results = [exc] * len(batch)
        for s, r in zip(batch, results):
            if isinstance(r, BaseException):
                s.error = r
            else:
                s.result = r
            s.done = True
