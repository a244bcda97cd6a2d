"""Benchmark: how fast the desk turns a report into a queued urgent page.

Measures, on a temporary SQLite file: opening cases (numbering included), and the time from
``page_case`` to the page's chime reaching a real-time null sink while a programme is playing (the
speech renders in the background). Run: ``.venv/bin/python bench/page.py [--cases 200]``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.pcm import Pcm  # noqa: E402
from audio.sinks import NullSink  # noqa: E402
from broadcaster.paging.defaults import seed_defaults  # noqa: E402
from broadcaster.cases.missing import CaseDetails, CaseService  # noqa: E402
from broadcaster.cases.pager import Pager  # noqa: E402
from broadcaster.paging.paging import PagingService  # noqa: E402
from broadcaster.paging.templates import TemplateService  # noqa: E402
from broadcaster.clock import SystemClock  # noqa: E402
from broadcaster.store.db import Database  # noqa: E402
from broadcaster.store.models.core import Role, User  # noqa: E402
from broadcaster.onair.engine import PlayoutEngine, PlayoutItem  # noqa: E402
from broadcaster.priorities import Priority  # noqa: E402

RATE = 48_000


def level(v: float, s: float) -> Pcm:
    return Pcm(np.full(int(s * RATE), v, np.float32))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pa-bench-")
    db, clock = Database(f"sqlite:///{tmp}/bench.sqlite3"), SystemClock()
    with db.session() as s:
        s.add_all([User(name="dora", role=Role.DESK), User(name="sam", role=Role.SUPERVISOR)])
    for t in seed_defaults(db, clock):
        TemplateService(db, clock).approve(t.id, "sam")
    details = CaseDetails(age=5, sex="girl", clothing="yellow dress", shoes="red boots", last_seen_place="Lake",
                          meeting_point="Visitor Centre", reporter_name="A", reporter_contact="B", person_name="李雷")
    cases = CaseService(db, clock)
    t0 = time.perf_counter()
    numbers = [cases.open_case("dora", "missing", details).number for _ in range(args.cases)]
    dt = time.perf_counter() - t0
    print(f"open_case: {args.cases} cases in {dt:.2f} s ({dt / args.cases * 1000:.1f} ms each), last {numbers[-1]}")

    print()
    print("| measure (real chime, real offline TTS, paced sink, programme airing) | p50 ms | p99 ms | max ms | target |")
    print("|---|---|---|---|---|")
    for label, warm in (("cold", False), ("warm", True)):
        # the first case of each run warms the process (imports, voice loading), not the TTS cache
        chosen = numbers[:args.pages + 1] if not warm else numbers[args.pages + 1:args.pages * 3 + 3]
        chime_ms, ready_ms, speech_ms = measure(db, clock, chosen, warm)
        row = lambda xs: f"{statistics.median(xs):.0f} | {pct(xs, 99):.0f} | {max(xs):.0f}"  # noqa: E731
        print(f"| trigger -> first chime sample at the sink, TTS cache {label} | {row(chime_ms)} | p99 < 100 |")
        print(f"| trigger -> speech rendered and queued behind the chime, {label} | {row(ready_ms)} | "
              f"{'< 500' if warm else ''} |")
        print(f"| trigger -> first speech sample at the sink (after the chime), {label} | {row(speech_ms)} | |")
    return 0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def measure(db, clock, numbers, warm: bool):
    """Page each case over a playing programme. Cold: a new TTS cache for every page. Warm: the
    template's text was rendered before (repeats of a page, or the same description)."""
    import os

    os.environ.setdefault("PA_GTTS_DISABLED", "1")
    from audio.chimes import chime
    from audio.render import Renderer

    sink = NullSink(keep=True, realtime=True)
    engine = PlayoutEngine({"main": sink}, clock=clock).start()
    chime_len = len(chime("urgent_page"))
    chime_ms, ready_ms, speech_ms = [], [], []
    shared = Renderer(cache_dir=tempfile.mkdtemp(prefix="pa-bench-tts-"))
    paging = None
    todo = list(numbers)
    while todo:
        n = todo.pop(0)
        renderer = shared if warm else Renderer(cache_dir=tempfile.mkdtemp(prefix="pa-bench-tts-"))
        pager = Pager.for_engine(engine, renderer)
        paging = PagingService(db, clock, pager)
        engine.submit(PlayoutItem(priority=Priority.PROGRAMME, title="programme", parts=[level(0.004, 60)],
                                  kind="programme"))
        time.sleep(0.3)
        with sink._lock:
            sink.blocks.clear()
        if warm:  # another case with the same description was paged before: its speech is cached
            page = paging.page_case(n, "dora")
            pager.speech([(lang, page.texts[lang]) for lang in page.texts]).result(30)
            paging.resolve(n, "dora", "found", all_clear=False)
            snap = engine.snapshot()["main"]
            for item in ([snap["now"]] if snap["now"] else []) + snap["queue"]:
                if item["kind"] == "page":
                    engine.cancel(item["id"])
            n = todo.pop(0)
            pager = Pager.for_engine(engine, renderer)  # a fresh pager: only the render cache is warm
            paging = PagingService(db, clock, pager)
            time.sleep(0.3)
            with sink._lock:
                sink.blocks.clear()
        t0 = time.monotonic()
        page = paging.page_case(n, "dora")
        fut = pager.speech([(lang, page.texts[lang]) for lang in page.texts])
        fut.result(60)
        ready_ms.append((time.monotonic() - t0) * 1000)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sink._lock:
                blocks = list(sink.blocks)
            total = sum(len(b) for _, b in blocks)
            if total > chime_len + 48_000:
                break
            time.sleep(0.01)
        loud = [(t, b) for t, b in blocks if np.abs(b).max() > 300]
        chime_ms.append((loud[0][0] - t0) * 1000)
        pos, first_speech = 0, None
        for t, b in blocks:  # first audible block after the chime's samples
            if pos >= chime_len and np.abs(b).max() > 300:
                first_speech = t
                break
            pos += len(b) if (pos or np.abs(b).max() > 300) else 0
        speech_ms.append(((first_speech or t0) - t0) * 1000)
        paging.resolve(n, "dora", "found", all_clear=False)
        snap = engine.snapshot()["main"]
        for item in ([snap["now"]] if snap["now"] else []) + snap["queue"]:
            engine.cancel(item["id"])
    engine.stop()
    return chime_ms[1:], ready_ms[1:], speech_ms[1:]


if __name__ == "__main__":
    sys.exit(main())
