"""On one box (SQLite) the zone player is the only one that claims: it reads what airs next, checks it,
hands it to the engine and writes the claim afterwards, with its bookkeeping, so a page never waits for
the write turn of a desk's transaction. What that must never cost: an airing staff took off the air
after its last check comes off the engine and nothing of it is logged as aired; a claim whose write
failed is written by the next step, and the item is never handed over twice. Real player, real SQLite,
real null sinks that keep their samples."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from audio import chimes
from broadcaster.onair import airings, player as player_module
from broadcaster.store.models.onair import Airing, AiringState
from broadcaster.store.models.workflow import AsRun


def queue(db, key: str) -> None:
    with db.session() as s:
        airings.request(s, airings.Request(key=key, ref=f"emergency:{key}", kind="emergency", title=key,
                                           zones=["main"], priority=90,
                                           pieces=[{"type": "chime", "name": "programme"}]), db.signals)


def row(db, key: str) -> Airing:
    with db.session() as s:
        return s.scalar(select(Airing).where(Airing.ref == f"emergency:{key}"))


def as_run(db, key: str) -> list[AsRun]:
    with db.session() as s:
        return list(s.scalars(select(AsRun).where(AsRun.ref == f"emergency:{key}")))


def test_the_claim_is_written_after_the_hand_over_with_the_time_it_was_read(onair):
    queue(onair.db, "bell")
    onair.wait(lambda: row(onair.db, "bell").state is AiringState.DONE, what="the bell aired")
    aired = row(onair.db, "bell")
    assert aired.player == onair.player.name
    assert aired.claimed_at <= aired.started_at  # read (claimed) before it started, written after
    [logged] = as_run(onair.db, "bell")
    assert logged.outcome == "completed"


@pytest.fixture
def paced(db, tmp_path):
    """The zone player over a null output paced like a device (80 ms of buffer)."""
    from tests.conftest import OnAir

    air = OnAir(db, tmp_path, realtime=True).start()
    yield air
    air.stop()


def test_an_airing_cancelled_after_its_last_check_comes_off_the_engine_and_is_not_logged(paced, monkeypatch):
    """Staff take it off the air between its check and the claim's write: the claim finds it cancelled."""
    onair = paced
    db = onair.db

    def cancel_meanwhile(s, airing) -> None:  # runs in the player's last check, just before hand-over
        with db.session() as staff:
            airings.cancel(staff, airing.ref, "taken off the air by staff", db.signals)

    monkeypatch.setitem(player_module._gates, "emergency", cancel_meanwhile)
    queue(db, "late")
    onair.wait(lambda: row(db, "late").state is AiringState.CANCELLED and not onair.player.held()
               and onair.player.engine.idle(), what="off the engine")
    gone = row(db, "late")
    assert gone.player is None and gone.started_at is None
    assert as_run(db, "late") == [], "nothing of it is logged as aired"
    bell = chimes.chime("programme").to_int16()
    heard = onair.samples()
    loud = lambda x: int(np.count_nonzero(np.abs(x.astype(np.int32)) > 300))  # noqa: E731
    assert loud(heard) < loud(bell) // 4, "cut within a few blocks, never aired in full"


def test_a_claim_whose_write_failed_is_written_next_step_and_never_handed_over_twice(onair, monkeypatch):
    db, p = onair.db, onair.player
    started: list[int] = []
    p.engine.listeners.append(lambda ev: ev.kind == "started" and started.append(ev.item.meta["airing_id"]))
    real_beat, failed = p._beat, []

    def beat_once_failing(s) -> None:  # the bookkeeping's transaction fails once (the database busy)
        if not failed and p._untaken:
            failed.append(dict(p._untaken))
            raise OperationalError("UPDATE players", {}, Exception("database is locked"))
        real_beat(s)

    monkeypatch.setattr(p, "_beat", beat_once_failing)
    queue(db, "twice")
    onair.wait(lambda: row(db, "twice").state is AiringState.DONE, what="the bell aired")
    aired = row(db, "twice")
    assert failed and aired.id in failed[0], "the first write of its claim failed"
    assert aired.player == p.name and started == [aired.id], "handed over once, claimed by the next step"
    assert [r.outcome for r in as_run(db, "twice")] == ["completed"]
    bell = chimes.chime("programme").to_int16()
    heard = onair.samples()
    assert np.count_nonzero(np.abs(heard.astype(np.int32)) > 1000) < 2 * np.count_nonzero(np.abs(bell.astype(np.int32)) > 1000)
