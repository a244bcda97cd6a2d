"""Complaint and incident numbers: their own series, unique and consecutive per venue day under
concurrent desks, on SQLite and PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.incidents import IncidentService
from broadcaster.store.models.core import Role, User
from tests.cases.conftest import SHANGHAI, complaint_form


def _many(db, clock, threads=6, each=5):
    with db.session() as s:
        s.add(User(name="dora", role=Role.DESK))
    complaints, incidents = ComplaintService(db, clock, SHANGHAI), IncidentService(db, clock, SHANGHAI)

    def work(i):
        out = []
        for _ in range(each):
            out.append(complaints.receive("dora", complaint_form()).number)
            out.append(incidents.report("dora", {"place": "gate", "injury": "fell"}).number)
        return out

    with ThreadPoolExecutor(threads) as pool:
        numbers = [n for chunk in pool.map(work, range(threads)) for n in chunk]
    return numbers


def expected(prefix, n=30):
    return [f"{prefix}20261122-{i:03d}" for i in range(1, n + 1)]


def test_concurrent_desks_sqlite(db, clock):
    numbers = _many(db, clock)
    assert sorted(n for n in numbers if n.startswith("TS")) == expected("TS")
    assert sorted(n for n in numbers if n.startswith("YW")) == expected("YW")


def test_concurrent_desks_postgres(pg_db, clock):
    numbers = _many(pg_db, clock)
    assert sorted(n for n in numbers if n.startswith("TS")) == expected("TS")
    assert sorted(n for n in numbers if n.startswith("YW")) == expected("YW")


def test_series_and_venue_day(complaints, incidents, clock):
    clock._now = datetime(2026, 11, 22, 15, 59, tzinfo=timezone.utc)  # 23:59 venue time
    a = complaints.receive("dora", complaint_form())
    clock.advance(minutes=2)                                         # 00:01 the next venue day
    b = complaints.receive("dora", complaint_form())
    earlier = complaints.receive("dora", complaint_form(received_at="2026-11-22T23:00"))  # numbered by receipt
    i = incidents.report("dora", {"place": "gate", "injury": "fell"})
    assert (a.number, b.number, earlier.number, i.number) == ("TS20261122-001", "TS20261123-001",
                                                              "TS20261122-002", "YW20261123-001")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
@pytest.mark.parametrize("typed", ["20261126\x00-001", "L20261126-001\x00", "TS2026\x1b-001", "9" * 5000])
def test_a_number_no_case_can_have_is_not_found_on_either_database(engine, typed, db, request):
    """A number typed into a URL or the CLI with a NUL or a control character finds nothing: PostgreSQL
    would otherwise refuse the query itself (an error page, not "no such case")."""
    from broadcaster.cases import complaints, incidents
    from broadcaster.cases.lost_property import LostPropertyService
    from broadcaster.cases.missing import load_case
    from broadcaster.errors import NotFound

    database = db if engine == "sqlite" else request.getfixturevalue("pg_db")
    with database.session() as s:
        for look_up in (load_case, complaints.load, incidents.load, LostPropertyService._load):
            with pytest.raises(NotFound):
                look_up(s, typed)
