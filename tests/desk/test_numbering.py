from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from broadcaster.cases.numbering import CASE_SERIES, LOST_SERIES, next_number, next_numbers, venue_date
from broadcaster.store.models.cases import CaseKind, CaseState, PersonCase
from tests.desk.conftest import lost_child

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_serial_per_day_and_series(db):
    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    with db.session() as s:
        got = [next_number(s, CASE_SERIES, at, SHANGHAI) for _ in range(3)]
        lost = next_number(s, LOST_SERIES, at, SHANGHAI)
        tomorrow = next_number(s, CASE_SERIES, at + timedelta(days=1), SHANGHAI)
    assert got == ["20261122-001", "20261122-002", "20261122-003"]
    assert lost == "L20261122-001"
    assert tomorrow == "20261123-001"


def test_several_numbers_at_once_continue_the_day(db):
    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    with db.session() as s:
        first = next_numbers(s, CASE_SERIES, at, 3, SHANGHAI)  # the day's first: creates its counter
        then = next_number(s, CASE_SERIES, at, SHANGHAI)
        more = next_numbers(s, CASE_SERIES, at, 2, SHANGHAI)
        assert next_numbers(s, CASE_SERIES, at, 0, SHANGHAI) == []
    assert first == ["20261122-001", "20261122-002", "20261122-003"]
    assert then == "20261122-004" and more == ["20261122-005", "20261122-006"]


def test_venue_local_midnight_decides_the_day(db):
    before = datetime(2026, 11, 22, 15, 59, tzinfo=timezone.utc)  # 23:59 Shanghai, 22 Nov
    after = datetime(2026, 11, 22, 16, 1, tzinfo=timezone.utc)    # 00:01 Shanghai, 23 Nov (same UTC day)
    assert venue_date(before, SHANGHAI).day == 22 and venue_date(after, SHANGHAI).day == 23
    with db.session() as s:
        assert next_number(s, CASE_SERIES, before, SHANGHAI) == "20261122-001"
        assert next_number(s, CASE_SERIES, after, SHANGHAI) == "20261123-001"
        assert next_number(s, CASE_SERIES, before, SHANGHAI) == "20261122-002"


def test_rolled_back_transaction_releases_nothing_twice(db):
    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    with pytest.raises(RuntimeError):
        with db.session() as s:
            next_number(s, CASE_SERIES, at, SHANGHAI)
            raise RuntimeError("desk gave up")
    with db.session() as s:
        assert next_number(s, CASE_SERIES, at, SHANGHAI) == "20261122-001"


def test_case_numbers_follow_the_clock_and_are_unique(cases, clock, staff):
    clock._now = datetime(2026, 11, 22, 15, 50, tzinfo=timezone.utc)  # 23:50 venue time
    a = cases.open_case("dora", "missing", lost_child())
    clock.advance(minutes=20)                                          # 00:10 next venue day
    b = cases.open_case("dora", "missing", lost_child())
    c = cases.open_case("dora", "found", lost_child(person_name=None))
    assert (a.number, b.number, c.number) == ("20261122-001", "20261123-001", "20261123-002")
    with pytest.raises(IntegrityError):  # the unique constraint is the last line of defence
        with staff.session() as s:
            s.add(PersonCase(number=a.number, kind=CaseKind.MISSING, state=CaseState.OPEN,
                             created_by_id=1, created_at=clock.now()))


def _open_many(db, clock, n_threads=6, per_thread=5):
    from concurrent.futures import ThreadPoolExecutor

    from broadcaster.cases.missing import CaseService
    from broadcaster.store.models.core import Role, User

    with db.session() as s:
        s.add(User(name="dora", role=Role.DESK))
    svc = CaseService(db, clock)

    def work(_):
        return [svc.open_case("dora", "missing", lost_child()).number for _ in range(per_thread)]

    with ThreadPoolExecutor(n_threads) as pool:
        numbers = [n for chunk in pool.map(work, range(n_threads)) for n in chunk]
    return numbers


def test_concurrent_desks_never_share_a_number_sqlite(db, clock):
    numbers = _open_many(db, clock)
    assert sorted(numbers) == [f"20261122-{i:03d}" for i in range(1, 31)]


def test_concurrent_desks_never_share_a_number_postgres(pg_db, clock):
    numbers = _open_many(pg_db, clock)
    assert sorted(numbers) == [f"20261122-{i:03d}" for i in range(1, 31)]
