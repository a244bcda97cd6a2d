"""Shift handover: the PA lines run by the system against a real zone player (heartbeat, device), the real
speech engines and a real test tone airing; signed by two different logins; never with an unexplained
cross or an unchecked line; frozen once the outgoing staff signed."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from broadcaster.cases.handover import MANUAL_LINES, HandoverService
from broadcaster.errors import FieldErrors, InvalidTransition, PermissionDenied
from broadcaster.store.models.desk import Handover
from broadcaster.store.models.onair import Airing, AiringState
from tests.conftest import OnAir


@pytest.fixture
def air(staff, tmp_path):
    a = OnAir(staff, tmp_path).start()
    yield a
    a.stop()


def service(db, air=None, renderer=None, zones=("main",)):
    return HandoverService(db, zones=zones, languages=("zh-CN", "en"),
                           renderer=renderer if renderer is not None else (air.renderer if air else None))


def line(h, name):
    return next(c for c in h.checks if c.line == name)


def tick_manual(svc, h, who="dora"):
    for name in MANUAL_LINES:
        h = svc.mark(h.id, who, line(h, name).id, {"result": "ok"})
    return h


def test_pa_check_tone_and_two_signatures(staff, air):
    air.wait(lambda: any("main" in (p.zones or []) for p in _players(staff)), what="player heartbeat")
    svc = service(staff, air)
    h = svc.start("dora", {"shift": "早班 → 中班", "notes": "radio 3 battery weak"})
    assert [c.line for c in h.checks] == [*MANUAL_LINES, "player:main", "speech:zh-CN", "speech:en", "tone:main"]
    with pytest.raises(FieldErrors) as err:  # nothing checked yet
        svc.sign(h.id, "dora")
    assert len(err.value.fields) == len(MANUAL_LINES) + 3  # the tone only on request
    h = svc.run_pa_check(h.id, "dora")
    assert line(h, "player:main").result.value == "ok"
    for lang in ("zh-CN", "en"):
        assert line(h, f"speech:{lang}").result.value == "ok", line(h, f"speech:{lang}").detail
    h = svc.test_tone(h.id, "dora", "main")
    tone = line(h, "tone:main")
    assert tone.result is None and tone.airing_id is not None
    air.wait(lambda: _state(staff, tone.airing_id) is AiringState.DONE, what="the tone aired")
    assert np.abs(air.samples()).max() > 0.01  # the chime reached the zone's sink
    h = tick_manual(svc, svc.get(h.id))
    assert line(h, "tone:main").result.value == "ok"
    h = svc.mark(h.id, "dora", line(h, "keys").id, {"result": "cross"})
    with pytest.raises(FieldErrors) as err:  # an unexplained cross
        svc.sign(h.id, "dora")
    assert list(err.value.fields) == [f"check-{line(h, 'keys').id}"]
    assert svc.get(h.id).outgoing_signed_at is None
    svc.mark(h.id, "dora", line(h, "keys").id, {"result": "cross", "explanation": "key 7 out with security, back 20:00"})
    with pytest.raises(InvalidTransition):  # the incoming cannot sign first
        svc.sign(h.id, "dan")
    h = svc.sign(h.id, "dora")
    assert h.outgoing_signed_at is not None and h.incoming_signed_at is None
    with pytest.raises(InvalidTransition):  # frozen after the outgoing signature
        svc.mark(h.id, "dan", line(h, "radios").id, {"result": "cross"})
    with pytest.raises(InvalidTransition):  # the same login cannot sign for the incoming side
        svc.sign(h.id, "dora")
    with pytest.raises(PermissionDenied):
        svc.sign(h.id, "bob")
    h = svc.sign(h.id, "dan")
    assert (h.outgoing.name, h.incoming.name) == ("dora", "dan") and h.incoming_signed_at is not None
    with pytest.raises(InvalidTransition):
        svc.sign(h.id, "sam")


def test_no_player_no_engine_crosses_need_explaining(staff):
    svc = service(staff, zones=("main", "lobby"))
    h = tick_manual(svc, svc.start("dora", {"shift": "night"}))
    h = svc.run_pa_check(h.id, "dora")
    for name in ("player:main", "player:lobby", "speech:zh-CN", "speech:en"):
        assert line(h, name).result.value == "cross"
    assert line(h, "player:lobby").detail == "no player for this zone"
    assert line(h, "speech:en").detail == "no speech engine in this installation"
    with pytest.raises(InvalidTransition):  # staff cannot tick a system line over the system
        svc.mark(h.id, "dora", line(h, "player:main").id, {"result": "ok"})
    with pytest.raises(FieldErrors) as err:
        svc.sign(h.id, "dora")
    assert len(err.value.fields) == 4
    for name in ("player:main", "player:lobby", "speech:zh-CN", "speech:en"):
        svc.mark(h.id, "dora", line(h, name).id, {"explanation": "engineer called (ticket 42)"})
    assert svc.sign(h.id, "dora").outgoing_signed_at is not None


def test_a_silent_player_is_crossed(staff, air):
    air.wait(lambda: _players(staff), what="player heartbeat")
    air.stop()
    from datetime import timedelta

    from broadcaster.clock import utcnow
    from tests.clock import ManualClock

    svc = HandoverService(staff, ManualClock(utcnow() + timedelta(seconds=30)), zones=("main",), languages=())
    h = svc.run_pa_check(svc.start("dora", {"shift": "day"}).id, "dora")
    assert line(h, "player:main").result.value == "cross"


def test_start_needs_the_shift_and_stores_nothing_else(staff):
    svc = service(staff)
    with pytest.raises(FieldErrors) as err:
        svc.start("dora", {"shift": " "})
    assert set(err.value.fields) == {"shift"}
    with staff.session() as s:
        assert s.scalar(select(Handover)) is None


def _players(db):
    from broadcaster.store.models.onair import PlayerStatus

    with db.session() as s:
        return list(s.scalars(select(PlayerStatus)))


def _state(db, airing_id):
    with db.session() as s:
        return s.get(Airing, airing_id).state
