"""Approved announcements on air through the real playout engine; database kept in step."""
from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from audio.pcm import Pcm
from audio.sinks import NullSink
from broadcaster import logs
from broadcaster.announcements.approval import HashMismatch
from broadcaster.errors import InvalidTransition, PermissionDenied
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S, AsRun, Fault
from broadcaster.onair.engine import PlayoutEngine, PlayoutItem
from broadcaster.announcements.station import Station


@pytest.fixture
def on_air(world):
    sink = NullSink(keep=True)
    engine = PlayoutEngine({"main": sink})
    station = Station(world.db, engine, world.approval).start()
    engine.start()
    yield world, station, engine, sink
    engine.stop()
    station.stop()


def wait_state(world, ann_id, state, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with world.db.session() as s:
            got = s.get(Announcement, ann_id).state
        if got is state:
            return
        time.sleep(0.02)
    raise AssertionError(f"announcement #{ann_id} is {got.value}, expected {state.value}")


def history(world, ann_id):
    with world.db.session() as s:
        return [h.to_state for h in world.anns.history(s, ann_id)]


def test_approved_announcement_airs_and_is_logged(on_air):
    world, station, engine, sink = on_air
    ann_id = world.approved()
    station.queue(ann_id, "amy")
    wait_state(world, ann_id, S.AIRED)
    assert history(world, ann_id)[-3:] == ["queued", "airing", "aired"]
    with world.db.session() as s:
        ann = s.get(Announcement, ann_id)
        row = s.scalar(select(AsRun))
        assert (row.ref, row.outcome, row.zone) == (f"announcement:{ann_id}", "completed", "main")
        assert row.approved_by == "sam" and row.content_hash == ann.approved_hash
        assert row.engines == "espeak:cmn, piper:en_US-joe-medium"
        assert row.ended_at > row.started_at
        approved = world.media.load(ann.approved_audio)
    out = sink.samples()
    assert np.array_equal(out[:len(approved)], approved.to_int16())  # exactly the approved audio aired


def test_unapproved_cannot_be_queued(on_air):
    world, station, *_ = on_air
    ann_id = world.script()
    with pytest.raises(InvalidTransition, match="only approved"):
        station.queue(ann_id, "amy")
    with pytest.raises(PermissionDenied):
        station.queue(world.approved(), "dee")


def test_hash_mismatch_at_queue_time_is_a_fault_and_nothing_airs(on_air):
    world, station, engine, sink = on_air
    ann_id = world.approved()
    with world.db.session() as s:
        path = world.media.path(s.get(Announcement, ann_id).approved_audio)
    data, rate = sf.read(path, dtype="int16")
    sf.write(path, data // 2, rate, subtype="PCM_16")
    with pytest.raises(HashMismatch):
        station.queue(ann_id, "amy")
    with world.db.session() as s:
        assert s.get(Announcement, ann_id).state is S.APPROVED
        fault = s.scalar(select(Fault))
        assert fault.kind == "hash_mismatch" and fault.ref == f"announcement:{ann_id}"
    assert engine.idle() and not sink.blocks


def test_preempted_announcement_is_interrupted_then_requeued_and_airs(on_air):
    world, station, engine, sink = on_air
    engine.stop()  # hold the engine so the order is deterministic
    ann_id = world.approved()
    station.queue(ann_id, "amy")
    engine2_sink = NullSink(keep=True, realtime=True)
    from broadcaster.onair.engine import PlayoutEngine as PE

    engine2 = PE({"main": engine2_sink})
    station.engine = engine2
    engine2.listeners.append(station._events.put)
    station._items.clear()
    station.sync()
    engine2.start()
    try:
        wait_state(world, ann_id, S.AIRING)
        time.sleep(0.3)
        engine2.submit(PlayoutItem(80, "lost child", [Pcm(np.full(4800, 0.1, np.float32))], kind="page", ref="page:1"))
        wait_state(world, ann_id, S.AIRED, timeout=60)
    finally:
        engine2.stop()
    assert history(world, ann_id)[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    with world.db.session() as s:
        ann = s.get(Announcement, ann_id)
        assert ann.retry_count == 1
        rows = [(r.ref, r.outcome) for r in s.scalars(select(AsRun).order_by(AsRun.id))]
    assert rows == [(f"announcement:{ann_id}", "interrupted"), ("page:1", "completed"),
                    (f"announcement:{ann_id}", "completed")]


def test_recover_after_a_crash_requeues_what_was_airing(world):
    ann_id = world.approved()
    other = world.approved(title="Safety")
    with world.db.session() as s:  # the state a SIGKILL leaves behind
        from broadcaster.announcements.scripts import transition
        for a in (ann_id, other):
            transition(s, s.get(Announcement, a), S.QUEUED, None)
        transition(s, s.get(Announcement, ann_id), S.AIRING, None)
        logs.as_run_started(s, ref=f"announcement:{ann_id}", title="Closing", kind="announcement", zone="main",
                            priority=50, at=s.get(Announcement, ann_id).updated_at)
    sink = NullSink(keep=True)
    engine = PlayoutEngine({"main": sink})
    station = Station(world.db, engine, world.approval).start()
    report = station.recover()
    assert report == {"as_run_closed": 1, "requeued": 1, "failed": 0, "submitted": 2}
    engine.start()
    try:
        wait_state(world, ann_id, S.AIRED)
        wait_state(world, other, S.AIRED)
    finally:
        engine.stop()
        station.stop()
    assert history(world, ann_id)[-5:] == ["airing", "interrupted", "queued", "airing", "aired"]
    with world.db.session() as s:
        assert s.get(Announcement, ann_id).retry_count == 1
        first = s.scalar(select(AsRun).order_by(AsRun.id))
        assert first.outcome == "interrupted" and "service stopped" in first.detail


def test_recover_fails_an_item_out_of_retries(world):
    ann_id = world.approved()
    with world.db.session() as s:
        from broadcaster.announcements.scripts import transition
        ann = s.get(Announcement, ann_id)
        ann.retry_count = ann.max_retries
        transition(s, ann, S.QUEUED, None)
        transition(s, ann, S.AIRING, None)
    station = Station(world.db, None, world.approval)
    assert station.recover()["failed"] == 1
    with world.db.session() as s:
        assert s.get(Announcement, ann_id).state is S.FAILED


def test_queued_item_past_its_window_at_start_up_expires(world):
    """Queued by the CLI (no engine); the service starts after valid_until: expired, not submitted."""
    from datetime import timedelta

    from broadcaster.clock import ManualClock

    clock = ManualClock()
    ann_id = world.approved(valid_until=clock.now() + timedelta(minutes=5))
    Station(world.db, None, world.approval, clock=clock).queue(ann_id, "amy")
    clock.advance(minutes=10)
    engine = PlayoutEngine({"main": NullSink()}, clock=clock)
    assert Station(world.db, engine, world.approval, clock=clock).sync() == 0
    assert engine.idle()
    with world.db.session() as s:
        assert s.get(Announcement, ann_id).state is S.EXPIRED
    assert history(world, ann_id)[-2:] == ["queued", "expired"]


def test_unqueue(on_air):
    world, station, engine, sink = on_air
    engine.stop()
    ann_id = world.approved()
    station.queue(ann_id, "amy")
    station.unqueue(ann_id, "amy")
    station.drain()
    wait_state(world, ann_id, S.APPROVED)
