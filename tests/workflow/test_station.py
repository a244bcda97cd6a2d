"""Approved announcements on air through the one on-air path: the station writes airings, a real zone
player (tests/conftest.py ``OnAir``) claims and airs them; what reaches the sink, the airing rows, the
as-run log, the fault log and the announcement's history are checked."""
from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import func, select

from broadcaster.errors import InvalidTransition, PermissionDenied, ValidationError
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from broadcaster.store.models.onair import Airing, AiringState as A
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S, AsRun, Fault

from tests.clock import ManualClock
from tests.conftest import BLOCK, OnAir
from tests.workflow.conftest import aired_at


def page(db, title="lost child", seconds=0.0, ref="page:1"):
    """A page's airing written as the paging area writes one (a chime, then ``seconds`` of silence)."""
    pieces = [{"type": "chime", "name": "urgent_page"}] + ([{"type": "silence", "seconds": seconds}] if seconds else [])
    with db.session() as s:
        rows = airings.request(s, airings.Request(key=ref, ref=ref, kind="page", title=title, zones=["main"],
                                                  priority=int(Priority.URGENT_PAGE), pieces=pieces), db.signals)
        return rows[0].id


def test_approved_announcement_airs_exactly_and_the_as_run_says_what_aired(world, onair):
    ann_id = world.approved()
    ids = world.station().queue(ann_id, "amy")
    world.wait_state(ann_id, S.AIRED)
    assert world.history(ann_id)[-3:] == ["queued", "airing", "aired"]
    ann = world.ann(ann_id)
    [run] = world.as_run(ann_id)
    assert (run.outcome, run.zone, run.kind, run.title) == ("completed", "main", "announcement", "Closing")
    assert run.content_hash == ann.approved_hash and run.approved_by == "sam"
    assert run.engines == ann.approved_engines == "espeak:cmn, piper:en_US-joe-medium"
    assert run.ended_at > run.started_at and run.airing_id == ids[0]
    assert [p for p in run.pieces if p["type"] == "audio"] == [{
        "type": "audio", "sha256": ann.approved_hash, "ref": f"announcement:{ann_id}", "title": "Closing",
        "approved_by": "sam", "engines": "espeak:cmn, piper:en_US-joe-medium"}]
    [row] = world.airings(ann_id)
    assert (row.id, row.state, row.zone, row.content_hash, row.player) == (
        ids[0], A.DONE, "main", ann.approved_hash, "test-player")
    out, audio = onair.samples(), world.audio(ann_id)
    assert aired_at(out, audio) == [0] and not out[len(audio):].any()  # exactly the approved audio, once


def test_only_approved_items_by_broadcasters_in_known_zones_are_queued_and_nothing_else_stored(world, onair):
    draft = world.script()
    with pytest.raises(InvalidTransition, match="only approved"):
        world.station().queue(draft, "amy")
    with pytest.raises(PermissionDenied):
        world.station().queue(world.approved(), "dee")
    with pytest.raises(ValidationError, match="unknown zone.*car-park"):  # refused when written
        world.script(title="Parade", zones=["main", "car-park"])
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Airing)) == 0
        assert {a.state for a in s.scalars(select(Announcement))} == {S.DRAFT, S.APPROVED}


@pytest.mark.parametrize("change", ["overwritten", "one-bit", "deleted", "before-queue"])
def test_audio_changed_after_approval_is_refused_at_the_last_moment(world, db, tmp_path, change):
    """The stored audio of a queued airing changes before it airs: the player hashes it again just before
    the first sample and refuses. Nothing reaches the sink, a hash_mismatch fault is raised, the airing
    and the announcement fail."""
    air = OnAir(db, tmp_path)  # not started yet: the airing waits in the database
    ann_id = world.approved()
    path = world.audio_path(ann_id)
    data, rate = sf.read(path, dtype="int16")

    def tamper():
        if change == "deleted":
            path.unlink()
        elif change == "one-bit":
            data[len(data) // 2] ^= 1
            sf.write(path, data, rate, subtype="PCM_16")
        else:
            sf.write(path, data // 2, rate, subtype="PCM_16")

    if change == "before-queue":  # the station reads no audio: the player is the one that checks
        tamper()
    [airing_id] = world.station().queue(ann_id, "amy")
    if change != "before-queue":
        tamper()
    air.start()
    try:
        world.wait_state(ann_id, S.FAILED)
        air.wait(lambda: air.airings()[0].state is A.FAILED, what="the airing to fail")
    finally:
        air.stop()
    assert air.sinks["main"].blocks == []  # not one sample
    [row] = world.airings(ann_id)
    assert row.id == airing_id and row.started_at is None and "hash mismatch" in row.detail
    with db.session() as s:
        [fault] = s.scalars(select(Fault))
        assert (fault.kind, fault.zone, fault.ref) == ("hash_mismatch", "main", f"announcement:{ann_id}")
    assert world.as_run(ann_id) == []  # nothing aired, so nothing in the as-run log
    assert world.history(ann_id)[-2:] == ["queued", "failed"]


def test_an_announcement_whose_approval_changed_after_it_was_queued_is_refused(world, db, tmp_path):
    """The area's last check: still approved, with the hash the airing names."""
    air = OnAir(db, tmp_path)
    ann_id = world.approved()
    world.station().queue(ann_id, "amy")
    with db.session() as s:  # e.g. approved again meanwhile with other audio (a bug, a restore)
        s.get(Announcement, ann_id).approved_hash = "0" * 64
    air.start()
    try:
        air.wait(lambda: air.airings()[0].state is A.FAILED, what="the refusal")
    finally:
        air.stop()
    assert air.sinks["main"].blocks == [] and world.as_run(ann_id) == []
    assert "approval changed" in world.airings(ann_id)[0].detail
    assert world.history(ann_id)[-2:] == ["queued", "failed"]


def test_preempted_announcement_is_interrupted_then_requeued_and_airs_in_full(world, db, tmp_path):
    air = OnAir(db, tmp_path, realtime=True).start()
    try:
        ann_id = world.approved()
        world.station().queue(ann_id, "amy")
        world.wait_state(ann_id, S.AIRING)
        air.wait(lambda: len(air.sinks["main"].blocks) > 30, what="some of it on air")
        page(db)
        world.wait_state(ann_id, S.AIRED)
    finally:
        air.stop()
    assert world.history(ann_id)[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    assert world.ann(ann_id).retry_count == 1
    [row] = world.airings(ann_id)
    assert (row.state, row.retries) == (A.DONE, 1)
    with db.session() as s:
        runs = [(r.ref, r.outcome) for r in s.scalars(select(AsRun).order_by(AsRun.id))]
    assert runs == [(f"announcement:{ann_id}", "interrupted"), ("page:1", "completed"),
                    (f"announcement:{ann_id}", "completed")]
    out, audio = air.samples(), world.audio(ann_id)
    [again] = aired_at(out, audio)  # cut at first, then once in full from the top, after the page
    assert again > 30 * BLOCK and np.array_equal(out[:30 * BLOCK], audio[:30 * BLOCK])


def test_two_requests_to_queue_at_the_same_moment_air_it_once(world, db, tmp_path):
    """Two panel workers queue the same announcement at once: one wins, the other is refused."""
    air = OnAir(db, tmp_path)  # started afterwards: once aired, it may rightly be queued again
    ann_id = world.approved()
    start, results = threading.Barrier(2), []

    def queue():
        start.wait()
        try:
            results.append(world.station().queue(ann_id, "amy"))
        except InvalidTransition as exc:
            results.append(exc)

    threads = [threading.Thread(target=queue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "list"]
    air.start()
    try:
        world.wait_state(ann_id, S.AIRED)
    finally:
        air.stop()
    assert len(world.airings(ann_id)) == 1 and world.history(ann_id).count("queued") == 1
    assert len(aired_at(air.samples(), world.audio(ann_id))) == 1


def test_queued_item_past_its_window_when_a_player_comes_expires_and_never_airs(world, db, tmp_path):
    clock = ManualClock()
    ann_id = world.approved(valid_until=clock.now() + timedelta(minutes=5))
    world.station(clock).queue(ann_id, "amy")
    clock.advance(minutes=10)
    air = OnAir(db, tmp_path, clock=clock).start()
    try:
        world.wait_state(ann_id, S.EXPIRED)
    finally:
        air.stop()
    assert world.history(ann_id)[-2:] == ["queued", "expired"]
    assert world.airings(ann_id)[0].state is A.EXPIRED
    assert air.sinks["main"].blocks == [] and world.as_run(ann_id) == []


def test_queued_item_past_its_window_is_expired_by_the_leader_without_a_player(world):
    from broadcaster.onair import outcomes

    clock = ManualClock()
    ann_id = world.approved(valid_until=clock.now() + timedelta(minutes=5))
    world.station(clock).queue(ann_id, "amy")
    with world.db.session() as s:
        assert outcomes.expire_queued(s, clock.now()) == 0
    with world.db.session() as s:
        assert outcomes.expire_queued(s, clock.advance(minutes=10)) == 1
    assert world.ann(ann_id).state is S.EXPIRED and world.airings(ann_id)[0].state is A.EXPIRED


def test_expired_while_waiting_behind_a_page_never_airs(world, db, tmp_path):
    """Claimed in time (waiting behind a long page), but the page ends only after valid_until."""
    clock = ManualClock()
    air = OnAir(db, tmp_path, clock=clock, realtime=True).start()
    try:
        page_id = page(db, seconds=30)
        air.wait(lambda: air.airings("page:")[0].state is A.AIRING, what="the page on air")
        ann_id = world.approved(valid_until=clock.now() + timedelta(minutes=5))
        world.station(clock).queue(ann_id, "amy")
        air.wait(lambda: world.airings(ann_id)[0].player == "test-player", what="the announcement claimed")
        clock.advance(minutes=10)
        with db.session() as s:
            airings.cancel(s, "page:1", "case resolved", db.signals)
        world.wait_state(ann_id, S.EXPIRED)
    finally:
        air.stop()
    assert world.history(ann_id)[-2:] == ["queued", "expired"]
    assert world.airings(ann_id)[0].state is A.EXPIRED and world.as_run(ann_id) == []
    with db.session() as s:
        assert s.get(Airing, page_id).state is A.CANCELLED
    audio = world.audio(ann_id)
    sound = audio[np.flatnonzero(audio)[0]:]  # from its chime on: its lead-in silence is like any silence
    assert aired_at(air.samples(), sound[:4800]) == []  # not one block of it


def test_unqueued_before_it_airs_never_airs_and_can_be_queued_again(world, db, tmp_path):
    air = OnAir(db, tmp_path)
    ann_id = world.approved()
    station = world.station()
    station.queue(ann_id, "amy")
    station.unqueue(ann_id, "amy")
    assert world.ann(ann_id).state is S.APPROVED
    assert world.airings(ann_id)[0].state is A.CANCELLED
    with pytest.raises(InvalidTransition, match="not queued"):
        station.unqueue(ann_id, "amy")
    air.start()
    try:
        air.player.step()
        assert air.sinks["main"].blocks == [] and air.player._held == {}
        station.queue(ann_id, "amy")
        world.wait_state(ann_id, S.AIRED)
    finally:
        air.stop()
    assert world.history(ann_id)[-5:] == ["queued", "approved", "queued", "airing", "aired"]
    assert len(aired_at(air.samples(), world.audio(ann_id))) == 1
