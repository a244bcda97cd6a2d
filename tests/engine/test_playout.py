"""The playout engine with real sinks (a wall-clock-paced null sink that records every block, and
PortAudio through ALSA's file PCM). Items are constant-level signals so the output tells who aired."""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from datetime import timedelta

import numpy as np
import pytest

from audio.pcm import Pcm
from audio.sinks import DeviceLost, NullSink, PortAudioSink
from broadcaster.clock import utcnow
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.onair.items import PlayoutItem
from broadcaster.priorities import Priority

RATE = 48_000


def level(value: float, seconds: float) -> Pcm:
    return Pcm(np.full(int(seconds * RATE), value, np.float32))


class Recorder:
    def __init__(self):
        self.events = []
        self.cond = threading.Condition()

    def __call__(self, ev):
        with self.cond:
            self.events.append(ev)
            self.cond.notify_all()

    def wait_for(self, kind, title, timeout=10.0, count=1):
        deadline = time.monotonic() + timeout
        with self.cond:
            while sum(1 for e in self.events if e.kind == kind and e.item.title == title) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind} for {title}; got {[(e.kind, e.item.title) for e in self.events]}")
                self.cond.wait(left)

    def kinds(self, title):
        return [e.kind for e in self.events if e.item.title == title]


@pytest.fixture
def rig():
    sink = NullSink(keep=True, realtime=True)
    rec = Recorder()
    engine = PlayoutEngine({"main": sink})
    engine.listeners.append(rec)
    engine.start()
    yield engine, sink, rec
    engine.stop()


def block_levels(sink):
    return [round(float(b[0]) / 32768, 3) for _, b in sink.blocks]


def test_highest_priority_first_then_first_come_first_served(rig):
    engine, sink, rec = rig
    # the blocker airs long enough that the four below are all waiting when it ends, however slowly this
    # thread gets to submit them (0.2 s was once not enough on a busy CI machine: a1 started before the page came)
    blocker = engine.submit(PlayoutItem(Priority.EMERGENCY, "blocker", [level(0.05, 1.5)]))
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "a1", [level(0.1, 0.1)]))
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "a2", [level(0.2, 0.1)]))
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.3, 0.1)]))
    engine.submit(PlayoutItem(Priority.PROGRAMME, "prog", [level(0.4, 0.1)]))
    rec.wait_for("completed", "prog")
    order = [e.item.title for e in rec.events if e.kind == "started"]
    assert order == ["blocker", "page", "a1", "a2", "prog"]
    assert blocker == 1


def test_page_preempts_announcement_within_one_block_and_announcement_restarts(rig):
    engine, sink, rec = rig
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.1, 1.0)]))
    rec.wait_for("started", "ann")
    time.sleep(0.2)
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.5, 0.2)]))
    rec.wait_for("completed", "ann")
    assert rec.kinds("ann") == ["started", "interrupted", "requeued", "started", "completed"]
    interrupted = next(e for e in rec.events if e.kind == "interrupted")
    assert 0.1 < interrupted.position < 0.9
    levels = block_levels(sink)
    first_page = levels.index(0.5)
    # after the page: the announcement airs again from the top, in full (one second of blocks)
    per_s = round(1000 / engine.block_ms)
    after = levels[first_page:]
    assert after[:per_s // 5] == [0.5] * (per_s // 5)
    assert after[per_s // 5:] == [0.1] * per_s


def test_retries_are_bounded(rig):
    engine, sink, rec = rig
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.1, 2.0)], max_retries=1))
    for n in range(2):
        rec.wait_for("started", "ann", count=n + 1)
        time.sleep(0.06)
        engine.submit(PlayoutItem(Priority.URGENT_PAGE, f"page{n}", [level(0.5, 0.04)]))
        rec.wait_for("completed", f"page{n}")
    assert rec.kinds("ann")[-1] == "failed"
    assert [e.retries for e in rec.events if e.item.title == "ann" and e.kind == "failed"] == [2]


def test_music_ducks_under_announcement_and_pauses_under_page_then_resumes(rig):
    engine, sink, rec = rig
    engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "music", [level(0.4, 3.0)], kind="music"))
    rec.wait_for("started", "music")
    time.sleep(0.1)
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.2, 0.2)]))
    rec.wait_for("completed", "ann")
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.35, 0.2)]))
    rec.wait_for("completed", "page")

    def after_page():
        levels = block_levels(sink)
        return levels[max(i for i, v in enumerate(levels) if v == 0.35) + 1:]
    deadline = time.monotonic() + 5
    while after_page().count(0.4) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.cancel(1)
    levels = block_levels(sink)
    assert levels.count(round(0.2 + 0.4 * 0.25, 3)) >= 8   # ducked to 25% under the announcement
    assert levels.count(0.35) >= 8                          # paused (silent) under the page
    assert after_page().count(0.4) >= 3                     # then the music resumed at full level
    snap_music = [e for e in rec.events if e.item.title == "music"]
    assert [e.kind for e in snap_music] == ["started", "cancelled"]  # the same item went on: not restarted


def test_music_resumes_where_it_stopped_under_a_page():
    sink = NullSink(keep=True)  # not paced: content only
    engine = PlayoutEngine({"main": sink})
    ramp = Pcm(np.linspace(0.01, 0.5, RATE, dtype=np.float32))
    engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "music", [ramp], kind="music"))
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(-0.7, 0.1)]))
    engine.start()
    deadline = time.monotonic() + 10
    while not engine.idle() and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.stop()
    out = sink.samples()
    page = int(0.1 * RATE)
    assert np.array_equal(out[:page], level(-0.7, 0.1).to_int16())  # the page first, music held back
    # then every music sample exactly once, in order: a fade-in over one block, then full level
    block = int(RATE * engine.block_ms / 1000)
    gains = np.concatenate([np.linspace(0, 1, block, dtype=np.float32), np.ones(RATE - block, np.float32)])
    expected = Pcm(ramp.samples * gains).to_int16()
    assert np.array_equal(out[page:page + RATE], expected)
    assert not out[page + RATE:].any()


def test_part_still_rendering_is_waited_for(rig):
    engine, sink, rec = rig
    fut: Future = Future()
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.6, 0.1), fut]))
    rec.wait_for("started", "page")
    time.sleep(0.2)
    fut.set_result(level(0.7, 0.1))
    rec.wait_for("completed", "page")
    levels, n = block_levels(sink), round(100 / engine.block_ms)  # blocks in 0.1 s
    assert levels[:n] == [0.6] * n
    assert levels.index(0.7) > n and levels.count(0.7) == n
    assert 0.0 in levels[n:levels.index(0.7)]  # silence while the speech rendered


def test_failed_render_fails_the_item(rig):
    engine, sink, rec = rig
    fut: Future = Future()
    fut.set_exception(RuntimeError("tts down"))
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.6, 0.04), fut]))
    rec.wait_for("failed", "page")
    assert "tts down" in rec.events[-1].detail
    assert [e.kind for e in rec.events] == ["started", "failed"]


def test_expired_and_refused_items_do_not_air(rig):
    engine, sink, rec = rig

    def refuse():
        raise ValueError("hash mismatch")

    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "old", [level(0.1, 0.1)],
                              not_after=utcnow() - timedelta(seconds=1)))
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "bad", [level(0.2, 0.1)], check=refuse))
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ok", [level(0.3, 0.1)]))
    rec.wait_for("completed", "ok")
    assert rec.kinds("old") == ["expired"]
    assert rec.kinds("bad") == ["refused"]
    assert next(e.detail for e in rec.events if e.kind == "refused") == "hash mismatch"
    assert set(block_levels(sink)) == {0.3}


def test_cancel_queued_and_airing(rig):
    engine, sink, rec = rig
    a = engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "long", [level(0.1, 5.0)]))
    b = engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "queued", [level(0.2, 0.1)]))
    rec.wait_for("started", "long")
    assert engine.cancel(b)
    assert engine.cancel(a)
    assert not engine.cancel(999)
    time.sleep(0.1)
    assert engine.idle()
    assert 0.2 not in block_levels(sink)


def test_unknown_zone_and_empty_item_are_refused(rig):
    engine, _, _ = rig
    with pytest.raises(ValueError, match="unknown zone"):
        engine.submit(PlayoutItem(50, "x", [level(0.1, 0.1)], zones=["lobby"]))
    with pytest.raises(ValueError, match="nothing to play"):
        engine.submit(PlayoutItem(50, "x", []))


class Flaky(NullSink):
    """A device that opens but fails every write while ``out`` is set (an amplifier that stopped
    answering), or fails to open as well with ``unplugged``. Records when each failure happened."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.out = threading.Event()
        self.unplugged = False
        self.failures: list[float] = []

    def _open(self):
        if self.out.is_set() and self.unplugged:
            self.failures.append(time.monotonic())
            raise DeviceLost("no such device")

    def _write(self, block):
        if self.out.is_set():
            self.failures.append(time.monotonic())
            raise DeviceLost("amplifier not answering")
        super()._write(block)


def device_rig(sink, **kw):
    faults, recovered, rec = [], [], Recorder()
    engine = PlayoutEngine({"main": sink}, on_fault=lambda z, e: faults.append((z, str(e))),
                           on_recovered=recovered.append, **kw)
    engine.listeners.append(rec)
    return engine, faults, recovered, rec


def test_device_failure_keeps_the_item_and_recovers():
    sink = NullSink(keep=True, realtime=True)
    engine, faults, recovered, rec = device_rig(sink, retry_backoff=(0.05, 0.2), healthy_s=0.1)
    engine.start()
    try:
        engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.1, 0.3)], max_retries=0))
        rec.wait_for("started", "ann")
        sink.fail_next = DeviceLost("unplugged")
        rec.wait_for("completed", "ann")
        deadline = time.monotonic() + 5
        while not recovered and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        engine.stop()
    assert faults == [("main", "unplugged")]
    assert recovered == ["main"]
    # interrupted by the device, re-queued without spending its only retry, then aired in full
    assert rec.kinds("ann") == ["started", "interrupted", "requeued", "started", "completed"]
    assert block_levels(sink)[-15:] == [0.1] * 15


@pytest.mark.parametrize("unplugged", [False, True], ids=["writes-fail", "cannot-open"])
def test_an_outage_is_one_fault_one_interruption_and_retries_back_off(unplugged):
    """However often the device fails during an outage: one fault, one started/interrupted pair (nothing
    starts again until the device takes audio), retries further and further apart, one recovery."""
    sink = Flaky(keep=True, realtime=True)
    sink.unplugged = unplugged
    engine, faults, recovered, rec = device_rig(sink, retry_backoff=(0.02, 0.32), healthy_s=0.3)
    engine.start()
    try:
        engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.1, 1.0)], max_retries=0))
        rec.wait_for("started", "ann")
        time.sleep(0.1)
        sink.out.set()
        time.sleep(1.6)  # the outage
        assert len(faults) == 1 and not recovered
        during = list(rec.events)
        engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "later", [level(0.2, 0.1)]))  # new work: still waits
        time.sleep(0.1)
        assert rec.events == during and engine.snapshot()["main"]["now"] is None
        assert engine.snapshot()["main"]["device_ok"] is False
        sink.out.clear()
        rec.wait_for("completed", "later")
        deadline = time.monotonic() + 5
        while not recovered and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        engine.stop()
    assert [f[0] for f in faults] == ["main"]
    assert recovered == ["main"]
    assert rec.kinds("ann") == ["started", "interrupted", "requeued", "started", "completed"]
    assert rec.kinds("later") == ["started", "completed"]
    gaps = np.diff(sink.failures)
    assert 5 <= len(sink.failures) <= 12, sink.failures  # not a retry per block, not one a second
    assert gaps[0] < 0.1 and min(gaps[-2:]) > 0.25  # backing off up to the longest wait
    levels = block_levels(sink)
    per_s = round(1000 / engine.block_ms)  # after one block of silence proving the device:
    assert levels[-(per_s + per_s // 10):] == [0.1] * per_s + [0.2] * (per_s // 10)


def test_a_device_back_while_nothing_airs_is_proven_with_silence_then_cleared():
    sink = Flaky(keep=True, realtime=True)
    engine, faults, recovered, rec = device_rig(sink, retry_backoff=(0.02, 0.1), healthy_s=0.3)
    engine.start()
    try:  # (longer than the device's buffer: it is still airing when the device goes)
        engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "ann", [level(0.1, 1.0)]))
        rec.wait_for("started", "ann")
        sink.out.set()
        rec.wait_for("interrupted", "ann")
        engine.cancel(1)  # nothing left to air while the device is out
        time.sleep(0.3)
        sink.out.clear()
        deadline = time.monotonic() + 5
        while not recovered and time.monotonic() < deadline:
            time.sleep(0.01)
        assert recovered == ["main"] and len(faults) == 1
        written = len(sink.blocks)
        time.sleep(0.3)
        assert len(sink.blocks) == written  # cleared: an idle zone writes nothing again
    finally:
        engine.stop()
    assert set(block_levels(sink)[-10:]) == {0.0}


def test_zones_play_independently():
    main, lobby = NullSink(keep=True), NullSink(keep=True)
    rec = Recorder()
    engine = PlayoutEngine({"main": main, "lobby": lobby})
    engine.listeners.append(rec)
    engine.start()
    try:
        engine.submit(PlayoutItem(50, "both", [level(0.1, 0.1)], zones=["main", "lobby"]))
        engine.submit(PlayoutItem(50, "lobby-only", [level(0.2, 0.1)], zones=["lobby"]))
        rec.wait_for("completed", "lobby-only")
        rec.wait_for("completed", "both", count=2)
    finally:
        engine.stop()
    assert set(block_levels(main)) == {0.1}
    assert set(block_levels(lobby)) == {0.1, 0.2}


class Full(NullSink):
    """A realtime output whose buffer never has room (a device that stopped taking audio without
    failing): nothing may be written to it, and it must not hold up the other zones."""

    def room(self) -> int:
        return 0


def test_one_mixer_thread_feeds_every_zone_and_a_full_output_holds_up_no_other():
    main, stuck = NullSink(keep=True, realtime=True), Full(keep=True, realtime=True)
    rec = Recorder()
    engine = PlayoutEngine({"main": main, "stuck": stuck})
    engine.listeners.append(rec)
    engine.start()
    try:
        mixers = [t.name for t in threading.enumerate() if t.name.startswith("playout") and "check" not in t.name]
        assert mixers == ["playout"], "one thread for both zones"
        engine.submit(PlayoutItem(50, "both", [level(0.1, 0.5)], zones=["main", "stuck"]))
        rec.wait_for("completed", "both")
        engine.submit(PlayoutItem(50, "main-only", [level(0.2, 0.3)], zones=["main"]))
        rec.wait_for("completed", "main-only")
    finally:
        engine.stop()
    assert stuck.blocks == [] and [e.zone for e in rec.events if e.kind == "completed"] == ["main", "main"]
    assert set(block_levels(main)) == {0.1, 0.2}


def test_engine_through_portaudio_delivers_exact_samples(alsa_capture):
    rng = np.random.default_rng(3)
    speech = Pcm((0.3 * rng.standard_normal(RATE // 2)).clip(-1, 1).astype(np.float32))
    chime = level(0.2, 0.1)
    rec = Recorder()
    engine = PlayoutEngine({"main": PortAudioSink(None)})
    engine.listeners.append(rec)
    engine.start()
    try:
        engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [chime, speech]))
        rec.wait_for("completed", "page")
    finally:
        engine.stop()
    raw = np.fromfile(alsa_capture, dtype=np.int16)
    expected = Pcm.concat([chime, speech]).to_int16()
    assert raw.size >= expected.size
    assert np.array_equal(raw[:expected.size], expected)
    assert not raw[expected.size:].any()  # only padding of the last block follows


def test_snapshot_lists_the_first_waiting_items_in_airing_order_and_counts_all():
    from broadcaster.onair.engine import PlayoutEngine
    from broadcaster.onair.items import PlayoutItem
    from audio.pcm import Pcm
    from audio.sinks import NullSink

    engine = PlayoutEngine({"main": NullSink()})  # not started: everything waits
    for n in range(30):
        engine.submit(PlayoutItem(50 + n % 3, f"item {n}", [Pcm.silence(0.1)]))
    snap = engine.snapshot(limit=5)["main"]
    assert snap["queue_length"] == 30 and len(snap["queue"]) == 5
    full = engine.snapshot(limit=100)["main"]["queue"]
    assert [q["title"] for q in full[:5]] == [q["title"] for q in snap["queue"]]
    assert [q["priority"] for q in full] == sorted((q["priority"] for q in full), reverse=True)
    assert engine.load("main")[2] is False  # no music
    engine.submit(PlayoutItem(10, "bed", [Pcm.silence(1)], kind="music"))
    assert engine.load("main")[2] is True and engine.snapshot()["main"]["music_queue"][0]["title"] == "bed"


def test_a_slow_last_check_never_stops_the_audio(rig):
    """The check before air reads the database and the audio (a busy database, a long file to hash):
    the zone goes on airing its music meanwhile, with no gap, and nothing is cut until the check has
    passed; a check that refuses cuts nothing at all."""
    engine, sink, rec = rig
    checking = threading.Event()

    def slow(refuse):
        def check():
            checking.set()
            time.sleep(1.0)
            if refuse:
                raise ValueError("case resolved meanwhile")
        return check

    engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "music", [level(0.1, 10.0)], kind="music"))
    engine.submit(PlayoutItem(Priority.ANNOUNCEMENT, "talk", [level(0.2, 5.0)]))
    rec.wait_for("started", "talk")
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "refused page", [level(0.5, 0.2)], check=slow(True)))
    rec.wait_for("refused", "refused page")
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.4, 0.2)], check=slow(False)))
    assert checking.wait(2)
    rec.wait_for("completed", "page")
    with sink._lock:
        times = [t for t, _ in sink.blocks]
    gaps = np.diff(times)
    # a check on the mixer's thread would stop the zone for its whole second; the bound leaves room for a
    # loaded machine's scheduling (this is not a timing test: 10 ms blocks, 80 ms buffer)
    assert gaps.max() < 0.6, f"the zone stopped writing for {gaps.max() * 1000:.0f} ms"
    assert rec.kinds("talk")[:2] == ["started", "interrupted"]  # cut once: by the page, not the refused one
    assert rec.kinds("refused page") == ["refused"]
    assert 0.5 not in set(block_levels(sink))


def test_music_queued_under_a_page_starts_when_its_first_sample_airs(rig):
    """Music that arrives while a page airs waits, silent, behind it: its "started" (the as-run row's
    start, and its place in the air log) comes when it is heard, after the page, not when it was queued."""
    engine, sink, rec = rig
    engine.submit(PlayoutItem(Priority.URGENT_PAGE, "page", [level(0.35, 0.6)]))
    rec.wait_for("started", "page")
    engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "music", [level(0.4, 0.3)], kind="music"))
    rec.wait_for("completed", "music")
    order = [(e.kind, e.item.title) for e in rec.events if e.kind in ("started", "completed")]
    assert order == [("started", "page"), ("completed", "page"), ("started", "music"), ("completed", "music")]
    levels = block_levels(sink)
    assert 0.4 not in levels[:max(i for i, v in enumerate(levels) if v == 0.35)]  # no music under the page
