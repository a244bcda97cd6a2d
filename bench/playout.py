"""Playout engine benchmark (the engine alone, no database): pre-emption latency and queue throughput.
The whole on-air path (desk -> airing -> zone player -> sink) is measured by bench/onair.py.

Pre-emption: background music plays on a sink paced like a real device (20 ms blocks); an urgent page is
submitted to the engine at a random moment; latency = time the first page sample is handed to the sink -
submit time. Queue: submit / pick-next cost at 1k, 10k and 100k queued items (should grow ~log n, not n).

Run: .venv/bin/python bench/playout.py [--runs 200]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.pcm import Pcm  # noqa: E402
from audio.sinks import NullSink  # noqa: E402
from broadcaster.onair.engine import PlayoutEngine, PlayoutItem  # noqa: E402
from broadcaster.priorities import Priority  # noqa: E402


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def preemption(runs: int) -> list[float]:
    sink = NullSink(keep=True, realtime=True)
    engine = PlayoutEngine({"main": sink}).start()
    music = Pcm(np.full(48_000 * 600, 0.25, np.float32))
    page = Pcm(np.full(4_800, -0.5, np.float32))
    engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "music", [music], kind="music"))
    time.sleep(0.2)
    lat = []
    for _ in range(runs):
        time.sleep(random.uniform(0.0, 0.04))
        with sink._lock:
            start = len(sink.blocks)
        t0 = time.monotonic()
        engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [page]))
        while True:
            with sink._lock:
                hit = next((t for t, b in sink.blocks[start:] if b.min() < -8000), None)
            if hit is not None:
                lat.append((hit - t0) * 1000)
                break
            time.sleep(0.002)
        while not engine.snapshot()["main"]["now"] is None:
            time.sleep(0.005)
        with sink._lock:
            sink.blocks.clear()
    engine.stop()
    return lat


def queue_ops(n: int) -> tuple[float, float]:
    engine = PlayoutEngine({"main": NullSink()})  # not started: measure the queue itself
    tone = Pcm.silence(0.01)
    items = [PlayoutItem(random.choice(list(Priority)), f"i{i}", [tone]) for i in range(n)]
    t = time.perf_counter()
    for it in items:
        engine.submit(it)
    submit_us = (time.perf_counter() - t) / n * 1e6
    zone = engine.zones["main"]
    k = min(n, 5000)
    t = time.perf_counter()
    with engine._cond:
        for _ in range(k):
            engine._schedule(zone)
            zone.current = None
    pick_us = (time.perf_counter() - t) / k * 1e6
    return submit_us, pick_us


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    lat = preemption(args.runs)
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| pre-emption latency p50 ({len(lat)} runs) | {statistics.median(lat):.1f} ms | |")
    print(f"| pre-emption latency p99 | {pct(lat, 99):.1f} ms | < 50 ms |")
    print(f"| pre-emption latency max | {max(lat):.1f} ms | |")
    for n in (1_000, 10_000, 100_000):
        s, p = queue_ops(n)
        print(f"| queue of {n:,}: submit / pick next | {s:.1f} us / {p:.1f} us per op | O(log n) |")


if __name__ == "__main__":
    main()
