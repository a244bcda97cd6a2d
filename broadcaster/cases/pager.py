"""The small interface paging needs from the playout side, so it can be wired to the real engine and
renderer by the service (``Pager.for_engine``) and to simple stand-ins in tests.

A page item's parts are ``[chime Pcm, Future[speech Pcm]]``: the chime starts at once while the speech
is still rendering; the engine waits (pre-emptably) for the future when it gets there.
"""
from __future__ import annotations

import logging
import queue
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Callable

from audio.pcm import Pcm

log = logging.getLogger(__name__)

SpeechParts = list[tuple[str, str]]  # (language tag, text) in airing order


@dataclass
class Pager:
    """``submit(item) -> id``, ``cancel(id)``, ``render(parts) -> Future[Pcm] | Pcm`` (speech only, no
    chime) and ``chime(kind) -> Pcm`` (kind: "urgent_page", "announcement", ...)."""

    submit: Callable[[object], int]
    cancel: Callable[[int], object]
    render: Callable[[SpeechParts], "Future[Pcm] | Pcm"]
    chime: Callable[[str], Pcm]
    _speech: dict[tuple, Future] = field(default_factory=dict, repr=False)

    @classmethod
    def for_engine(cls, engine, renderer, executor: Executor | None = None) -> "Pager":
        """Wire the real playout engine and renderer (audio.render / audio.chimes)."""
        from concurrent.futures import ThreadPoolExecutor

        from audio import chimes  # the audio helper's module; imported only when wiring the service

        pool = executor or ThreadPoolExecutor(2, thread_name_prefix="page-tts")

        def render(parts: SpeechParts) -> Future:
            return pool.submit(lambda: renderer.render_script(parts=parts, chime=None, lead_in=0.0).pcm)

        return cls(submit=engine.submit, cancel=engine.cancel, render=render, chime=chimes.chime)

    def speech(self, parts: SpeechParts) -> Future:
        """The rendered speech for ``parts`` as a Future, shared by the repeats of a page."""
        key = tuple(parts)
        fut = self._speech.get(key)
        if fut is None or (fut.done() and fut.exception() is not None):
            out = self.render(list(parts))
            if not isinstance(out, Future):
                done: Future = Future()
                done.set_result(out)
                out = done
            self._speech[key] = fut = out
            if len(self._speech) > 64:
                self._speech.pop(next(iter(self._speech)))
        return fut

    def forget(self, parts: SpeechParts) -> None:
        self._speech.pop(tuple(parts), None)

    def cancel_quietly(self, item_id: int) -> None:
        try:
            self.cancel(item_id)
        except Exception:  # already finished or unknown to this engine: nothing left to stop
            log.debug("cancel of playout item %s ignored", item_id, exc_info=True)


class EventInbox:
    """Engine events land here from the engine thread (never touching the database there);
    the service drains them on ``tick()`` and writes the timeline."""

    def __init__(self) -> None:
        self._q: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, page_id: int, event) -> None:
        self._q.put((page_id, event))

    def drain(self) -> list[tuple[int, object]]:
        out = []
        while True:
            try:
                out.append(self._q.get_nowait())
            except queue.Empty:
                return out
