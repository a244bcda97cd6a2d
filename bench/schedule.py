"""Benchmark: expanding a year of 500 schedule rules (target < 1 s), and the lateness of scheduled
starts over 200 slots (target p99 < 50 ms; takes about 7 minutes). Prints tables.

Run: .venv/bin/python bench/schedule.py [SLOTS]
"""
from __future__ import annotations

import random

import numpy as np
import sys
import time
from datetime import date, time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.schedule.rules import RuleSpec, ScheduledRule, expand  # noqa: E402


def make_rules(n: int, seed: int = 7) -> list[ScheduledRule]:
    """A venue-like mix: 40% weekly, 30% daily, 20% every-N-minutes windows, 10% one-offs."""
    rng = random.Random(seed)
    rules = []
    for i in range(n):
        r = rng.random()
        at = dtime(rng.randrange(8, 20), rng.choice((0, 15, 30, 45)))
        ex = frozenset(date(2027, rng.randrange(1, 13), rng.randrange(1, 29)) for _ in range(3))
        if r < 0.4:
            spec = RuleSpec("weekly", at=at, days=tuple(sorted(rng.sample(range(7), rng.randrange(1, 6)))), except_dates=ex)
        elif r < 0.7:
            spec = RuleSpec("daily", at=at, except_dates=ex)
        elif r < 0.9:
            start = rng.randrange(8, 12)
            spec = RuleSpec("interval", every_minutes=rng.choice((15, 30, 60)), window_start=dtime(start),
                            window_end=dtime(start + rng.randrange(3, 8)))
        else:
            spec = RuleSpec("once", at=at, on_date=date(2027, rng.randrange(1, 13), rng.randrange(1, 29)))
        rules.append(ScheduledRule(spec.validate(), f"programme {i % 40}", i + 1, i % 40 + 1, ("main",), 30))
    return rules


def bench(tz: str, n: int = 500, repeat: int = 3) -> tuple[str, int, int, float, float]:
    rules = make_rules(n)
    closed = [date(2027, 12, 25), date(2027, 1, 1)]
    times, count = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        slots = expand(rules, date(2027, 1, 1), date(2027, 12, 31), tz, closed)
        times.append(time.perf_counter() - t0)
        count = len(slots)
    return tz, n, count, min(times), sum(times) / len(times)


def main() -> int:
    rows = [bench(tz) for tz in ("Asia/Shanghai", "Europe/Moscow", "Europe/London", "America/New_York")]
    print("Expand one year (2027) of 500 rules; target < 1.000 s")
    print(f"{'time zone':18} {'rules':>5} {'slots':>9} {'best s':>8} {'mean s':>8} {'target':>7}")
    for tz, n, count, best, mean in rows:
        print(f"{tz:18} {n:5} {count:9} {best:8.3f} {mean:8.3f} {'ok' if best < 1.0 else 'SLOW':>7}")
    lateness(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    return 0


def lateness(n: int = 200, spacing_s: int = 2) -> None:
    """Real stack: rules in SQLite -> APScheduler job store -> slot airings written at the slot (an
    approved announcement's audio by its hash) -> a zone player claims them -> PlayoutEngine -> a sink
    paced like a device. Lateness = time the first audible sample of the slot is handed to the sink
    minus the slot instant."""
    import os
    import tempfile
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    os.environ.setdefault("PA_GTTS_DISABLED", "1")
    from audio.render import Renderer
    from audio.sinks import NullSink
    from broadcaster.onair.pieces import MediaSource
    from broadcaster.onair.player import ZonePlayer
    from broadcaster.schedule.onair import warm, writer
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
    from broadcaster.schedule.scheduler import ScheduleEngine
    from broadcaster.service import register_areas
    from broadcaster.store.db import Database
    from broadcaster.store.media import MediaStore
    from broadcaster.store.models.workflow import Announcement, AnnouncementKind, AnnouncementState
    from broadcaster.users import add_user

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        media = MediaStore(f"{tmp}/media")
        rendered = Renderer(cache_dir=f"{tmp}/cache").speak("Safety reminder.", "en")
        rel, digest = media.save(rendered.pcm, "approved")  # as an approval leaves it
        with db.session() as s:
            user = add_user(s, "bench", "supervisor")
            ann = Announcement(title="reminder", kind=AnnouncementKind.SCRIPT, author_id=user.id,
                               state=AnnouncementState.APPROVED, approved_hash=digest, approved_audio=rel,
                               approved_by_id=user.id, approved_engines=rendered.engine)
            s.add(ann)
            s.flush()
            ann_id = ann.id
        svc = ProgrammeService(db, tz="Europe/London", venue_zones=("main",))
        svc.create_programme("Reminder", [ItemSpec("announcement", announcement_id=ann_id)])
        first = (datetime.now(timezone.utc) + timedelta(seconds=8)).replace(microsecond=0)
        slots = [first + timedelta(seconds=i * spacing_s) for i in range(n)]
        for at in slots:
            local = at.astimezone(ZoneInfo(svc.tz))
            svc.add_rule("Reminder", RuleSpec("once", at=local.time(), on_date=local.date()))
        register_areas()
        sink = NullSink(keep=True, realtime=True)
        player = ZonePlayer(db, {"main": sink}, MediaSource(db, media.root, Path(tmp) / "player-cache"),
                            name="bench").start()
        wall_minus_mono = time.time() - time.monotonic()
        try:
            with ScheduleEngine(db, writer(db, media=media, venue_zones=("main",)), warm, service=svc, lead_s=3):
                time.sleep(max(0.0, (slots[-1] - datetime.now(timezone.utc)).total_seconds()) + spacing_s + 2)
        finally:
            player.stop()
            db.dispose()
        audible = [(t + wall_minus_mono, b) for t, b in sink.blocks if np.abs(b).max() > 300]
        late = []
        for at in slots:
            slot = at.timestamp()
            hit = next((t + np.flatnonzero(np.abs(b) > 300)[0] / 48_000 for t, b in audible
                        if slot - 0.5 <= t < slot + spacing_s - 0.5), None)
            if hit is not None:
                late.append((hit - slot) * 1000)
    print("\nLateness of scheduled starts (first audible sample at the sink - slot), TTS rendered ahead")
    print("| slots aired | p50 ms | p99 ms | max ms | target |")
    print("|---|---|---|---|---|")
    if late:
        xs = sorted(late)
        p99 = xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
        print(f"| {len(xs)}/{n} | {xs[len(xs) // 2]:.1f} | {p99:.1f} | {xs[-1]:.1f} | p99 < 50 ms |")
    else:
        print(f"| 0/{n} | - | - | - | p99 < 50 ms |")


if __name__ == "__main__":
    sys.exit(main())
