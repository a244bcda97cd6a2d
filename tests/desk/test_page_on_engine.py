"""A page on the real playout engine (wall-clock-paced null sink): it pre-empts a playing programme,
and its chime airs while the speech is still rendering."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from audio.pcm import Pcm
from audio.sinks import NullSink
from broadcaster.cases.pager import Pager
from broadcaster.paging.paging import PagingService
from broadcaster.onair.engine import PlayoutEngine, PlayoutItem
from broadcaster.priorities import Priority
from tests.desk.conftest import lost_child

RATE = 48_000


def level(value: float, seconds: float) -> Pcm:
    return Pcm(np.full(int(seconds * RATE), value, np.float32))


class Events:
    def __init__(self):
        self.seen, self.cond = [], threading.Condition()

    def __call__(self, ev):
        with self.cond:
            self.seen.append((ev.kind, ev.item.kind))
            self.cond.notify_all()

    def wait_for(self, kind, item_kind, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while (kind, item_kind) not in self.seen:
                if not self.cond.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() > deadline:
                    raise AssertionError(f"no {kind} for {item_kind}: {self.seen}")


@pytest.fixture
def rig(clock):
    sink = NullSink(keep=True, realtime=True)
    events = Events()
    engine = PlayoutEngine({"main": sink}, clock=clock)  # the same clock as the paging service
    engine.listeners.append(events)
    engine.start()
    yield engine, sink, events
    engine.stop()


def test_page_preempts_a_programme_and_chimes_while_speech_renders(rig, templates, cases, clock):
    engine, sink, events = rig
    speech_may_finish = threading.Event()
    pool = ThreadPoolExecutor(1)

    def render(parts):
        def work():
            speech_may_finish.wait(10)
            return level(0.6, 0.3)
        return pool.submit(work)

    pager = Pager(submit=engine.submit, cancel=engine.cancel, render=render, chime=lambda kind: level(0.4, 0.2))
    paging = PagingService(templates.db, clock, pager)
    engine.submit(PlayoutItem(priority=Priority.PROGRAMME, title="programme", parts=[level(0.2, 5.0)],
                              kind="programme"))
    events.wait_for("started", "programme")
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    events.wait_for("interrupted", "programme")
    events.wait_for("started", "page")
    speech_may_finish.set()  # the chime is already on air while the speech is still rendering
    events.wait_for("completed", "page")
    engine.stop()
    pool.shutdown()
    values = np.round(sink.samples().astype(np.float32) / 32768, 1)
    runs = [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
    assert [v for v in runs if v] [:4] == [0.2, 0.4, 0.6, 0.2]  # programme, chime, speech, programme again
    paging.tick()
    assert paging.pages(case_number=case.number)[0].times_aired == 1
