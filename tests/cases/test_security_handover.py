"""The handover with security at the venue's fixed hours (与保安部交接班) and the case-work settings a
supervisor sets: fixed hours due, recorded once, missed when nobody recorded them; the complaint answer
time and the fixed hours changed in the panel hold at once. The manual clock stands at 18:00 venue time."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from broadcaster.cases import desk_settings
from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.security_handover import SecurityHandoverService
from broadcaster.errors import FieldErrors, PermissionDenied
from broadcaster.settings import save_settings, settings_version, stored_settings
from broadcaster.store.models.desk import SecurityHandover
from tests.cases.conftest import SHANGHAI, complaint_form

EVENING = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)    # 18:00 venue time: the clock's now
MORNING = datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc)     # 08:00 venue time, today


@pytest.fixture
def security(staff, clock):
    clock._now = EVENING
    return SecurityHandoverService(staff, clock, SHANGHAI)


def rows(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SecurityHandover))


def by_time(slots):
    return {sl.due_at: sl for sl in slots}


def test_fixed_hours_due_then_missed(security, clock, staff):
    slots = by_time(security.slots())
    assert slots[EVENING].state == "due"            # 18:00 now
    assert slots[MORNING].state == "missed"         # 08:00 passed ten hours ago with no record
    assert slots[EVENING - timedelta(days=1)].state == "missed"
    assert len(slots) == 7 * 2 + 1                  # seven days of two fixed hours, and today's 18:00
    board = [EVENING - timedelta(days=2), MORNING - timedelta(days=1), EVENING - timedelta(days=1), MORNING, EVENING]
    assert [sl.due_at for sl in security.due()] == board  # the desk board: due now, and missed in two days
    clock.advance(minutes=61)                       # past the hour's grace: missed too
    assert by_time(security.slots())[EVENING].state == "missed"
    assert rows(staff) == 0


def test_a_fixed_hour_is_recorded_once(security, clock, staff):
    key = by_time(security.slots())[EVENING].key
    row = security.record("dora", {"slot": key, "officer": "王保安", "items": "投诉 TS20261126-001 交保安夜班跟进",
                                   "notes": "东门监控黑屏"})
    assert row.desk_user_id and row.officer == "王保安"
    assert by_time(security.slots())[EVENING].state == "done"
    with pytest.raises(FieldErrors) as err:         # the same hour again, by another desk
        security.record("dan", {"slot": key, "officer": "李保安"})
    assert set(err.value.fields) == {"slot"} and rows(staff) == 1
    assert EVENING not in {sl.due_at for sl in security.due()}


def test_a_missed_hour_recorded_late(security, staff):
    key = by_time(security.slots())[MORNING].key
    security.record("dora", {"slot": key, "officer": "王保安"})
    assert by_time(security.slots())[MORNING].state == "late"


def test_every_error_at_once_nothing_stored(security, staff):
    with pytest.raises(FieldErrors) as err:
        security.record("dora", {"slot": "", "officer": "  "})
    assert set(err.value.fields) == {"slot", "officer"}
    with pytest.raises(FieldErrors) as err:         # an hour that is not one of the venue's
        security.record("dora", {"slot": "2026-11-26T03:00Z", "officer": "王保安"})
    assert set(err.value.fields) == {"slot"}
    with pytest.raises(PermissionDenied):
        security.record("bob", {"slot": by_time(security.slots())[EVENING].key, "officer": "王保安"})
    assert rows(staff) == 0


def test_settings_hold_at_once(staff, clock):
    clock._now = EVENING
    assert desk_settings.security_times() == [time(8), time(18)] and desk_settings.answer_hours() == 24
    complaints = ComplaintService(staff, clock, SHANGHAI)   # no hours given: the venue's setting
    c = complaints.receive("dora", complaint_form())
    clock.advance(hours=3)
    assert not complaints.is_escalated(c)
    desk_settings.save(staff, "sam", {"complaint_answer_hours": "2", "security_handover_times": "7:30，20:00"})
    assert complaints.is_escalated(c) and [x.number for x in complaints.escalations()] == [c.number]
    assert desk_settings.security_times() == [time(7, 30), time(20)]
    hours = {sl.due_at.astimezone(SHANGHAI).time() for sl in SecurityHandoverService(staff, clock, SHANGHAI).slots()}
    assert hours == {time(7, 30), time(20)}


def test_settings_refused_store_nothing(staff):
    before = stored_settings(staff)
    with pytest.raises(FieldErrors) as err:
        desk_settings.save(staff, "sam", {"complaint_answer_hours": "0", "security_handover_times": "25:00, 8"})
    assert set(err.value.fields) == {"complaint_answer_hours", "security_handover_times"}
    with pytest.raises(FieldErrors) as err:
        desk_settings.save(staff, "sam", {"complaint_answer_hours": "", "security_handover_times": ""})
    assert set(err.value.fields) == {"complaint_answer_hours", "security_handover_times"}
    with pytest.raises(PermissionDenied):               # the desk may not change them
        desk_settings.save(staff, "dora", {"complaint_answer_hours": "2", "security_handover_times": "08:00"})
    assert stored_settings(staff) == before and settings_version(staff) == 0
    save_settings({"complaint_answer_hours": 6}, staff)
    assert desk_settings.current() == {"complaint_answer_hours": "6", "security_handover_times": "08:00, 18:00"}


def _same_hour_from_many_desks(db, clock, desks=4) -> list:
    from concurrent.futures import ThreadPoolExecutor

    from broadcaster.store.models.core import Role, User

    with db.session() as s:
        s.add_all(User(name=f"desk{i}", role=Role.DESK, created_at=MORNING) for i in range(desks))
    clock._now = EVENING
    security = SecurityHandoverService(db, clock, SHANGHAI)
    key = by_time(security.slots())[EVENING].key

    def one(i):
        try:
            return security.record(f"desk{i}", {"slot": key, "officer": f"保安 {i}"}).id
        except FieldErrors as exc:
            return set(exc.fields)

    with ThreadPoolExecutor(desks) as pool:
        return list(pool.map(one, range(desks)))


def test_concurrent_desks_record_an_hour_once_postgres(pg_db, clock):
    results = _same_hour_from_many_desks(pg_db, clock)
    assert sum(isinstance(r, int) for r in results) == 1 and rows(pg_db) == 1
    assert all(r == {"slot"} for r in results if not isinstance(r, int))


def test_concurrent_desks_record_an_hour_once_sqlite(db, clock):
    results = _same_hour_from_many_desks(db, clock)
    assert sum(isinstance(r, int) for r in results) == 1 and rows(db) == 1


def test_hours_before_the_venue_was_installed_are_never_missed(db, clock):
    """A new install: its first user was made this morning at 09:00 venue time; the fixed hours of the days
    before (and this morning's 08:00) were never missed: nobody was there. Tonight's 18:00 is due."""
    from broadcaster.store.models.core import Role, User
    clock._now = EVENING
    with db.session() as s:
        s.add(User(name="ada", role=Role.ADMIN, created_at=MORNING + timedelta(hours=1)))
    security = SecurityHandoverService(db, clock, SHANGHAI)
    assert [(sl.due_at, sl.state) for sl in security.slots()] == [(EVENING, "due")]
    assert [sl.due_at for sl in security.due()] == [EVENING]
