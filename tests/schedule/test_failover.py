"""Fail-over of the scheduler between leaders: no slot dropped silently, none aired twice.

The leaders run the real ScheduleEngine (APScheduler, its job store in the database) on a manual clock
set weeks ahead, so APScheduler's own wall-clock thread never fires a job: :func:`fire_due` does what
APScheduler does at each instant of the manual clock (run the due jobs of the job store; report one
later than its misfire grace as missed).
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from sqlalchemy import func, select

from broadcaster.schedule.onair import slot_airings, writer
from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
from broadcaster.schedule.rules import RuleSpec, Slot
from broadcaster.schedule.scheduler import ScheduleEngine
from broadcaster.store.db import Database
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.schedule import MissedSlot
from tests.clock import ManualClock
from tests.schedule.conftest import busy_rules, job_writes, jobs_in, next_run_times

UTC = timezone.utc


def fire_due(engine: ScheduleEngine, clock: ManualClock) -> None:
    now = clock.now()
    for job in engine.scheduler.get_jobs(jobstore="default"):
        if job.next_run_time is None or job.next_run_time > now:
            continue
        engine.scheduler.remove_job(job.id, jobstore="default")
        if (now - job.next_run_time).total_seconds() > job.misfire_grace_time:
            engine._on_event(JobExecutionEvent(EVENT_JOB_MISSED, job.id, "default", job.next_run_time))
        else:
            job.func(*job.args)


def run_until(engine, clock, until: datetime) -> None:
    """Fire what is due now, then move the manual clock to ``until``, stopping at every job's instant
    before it to fire what is due (a job at ``until`` itself is not fired: the leader dies first)."""
    fire_due(engine, clock)
    while True:
        upcoming = [j.next_run_time for j in engine.scheduler.get_jobs(jobstore="default")
                    if j.next_run_time and clock.now() < j.next_run_time < until]
        if not upcoming:
            break
        clock.advance((min(upcoming) - clock.now()).total_seconds())
        fire_due(engine, clock)
    clock.advance((until - clock.now()).total_seconds())


@pytest.fixture
def minutes(db, service, venue_zones):
    """A programme every minute from 10:00 to 10:20 (venue time) in main and hall, on a day weeks
    ahead; a manual clock at 09:59:30 that day."""
    day = (datetime.now(UTC) + timedelta(days=40)).date()
    tz = ZoneInfo(service.tz)
    service.create_programme("Notice", [ItemSpec("chime")], zones="main,hall")
    service.add_rule("Notice", RuleSpec("interval", every_minutes=1, window_start=time(10), window_end=time(10, 20),
                                        start_date=day, end_date=day))
    start = datetime.combine(day, time(9, 59, 30), tz).astimezone(UTC)
    slots = service.slots_between(start, start + timedelta(hours=1))
    assert len(slots) == 21
    return ManualClock(start), slots


class Death(BaseException):
    """The leader's process dies (inside a job: nothing after this point runs)."""


def leader(url, clock, grace_s, dies_in=None) -> tuple[ScheduleEngine, Database]:
    """A leader in a process of its own (its own engine, connections); ``dies_in``: (slot instant,
    "before" or "after") it dies inside that slot's job, before or after writing its airings."""
    db = Database(url)
    write = writer(db)

    def submit(programme, slot):
        if dies_in == (slot.at, "before"):
            raise Death()
        write(programme, slot)
        if dies_in == (slot.at, "after"):
            raise Death()  # written, but its heartbeat not moved past it
    return ScheduleEngine(db, submit, clock=clock, grace_s=grace_s, service=ProgrammeService(db)), db


@pytest.mark.parametrize("grace_s,dies_at,inside,missed", [
    (60, 300, None, []),           # dies as 10:05 is due, before its job ran: the next leader airs it
    (2, 300, None, ["10:05"]),     # ... with a grace of 2 s it is 3 s late then: logged missed, not dropped
    (2, 330, None, []),            # dies between slots
    (2, 359, None, ["10:06"]),     # dies just before 10:06; the next leader starts 2 s after it
    (60, 300, "before", []),       # dies inside 10:05's job before writing it
    (2, 300, "before", ["10:05"]),
    (60, 300, "after", []),        # dies inside 10:05's job after writing it: not aired twice
    (2, 300, "after", []),
])
def test_a_new_leader_airs_or_logs_every_slot_and_never_airs_one_twice(db, minutes, grace_s, dies_at, inside,
                                                                          missed):
    clock, slots = minutes
    death = slots[0].at + timedelta(seconds=dies_at)
    a, db_a = leader(db.url, clock, grace_s, dies_in=(death, inside) if inside else None)
    a.start()
    try:
        run_until(a, clock, death + timedelta(seconds=0.5 if inside else 0))
    except Death:
        assert inside and clock.now() == death
    a.stop()  # leader A is gone (died, or lost the lead): no heartbeat past its last slot; its jobs stay
    db_a.dispose()
    clock.advance(3)
    b, db_b = leader(db.url, clock, grace_s)  # the next process to try takes the lead and schedules
    b.start()
    try:
        run_until(b, clock, slots[-1].at + timedelta(minutes=2))
    finally:
        b.stop()
        db_b.dispose()

    tz = ZoneInfo(ProgrammeService(db).tz)
    with db.session() as s:
        keys = list(s.scalars(select(Airing.key)))
        logged = {m.slot_uid: m.reason for m in s.scalars(select(MissedSlot))}
    for slot in slots:
        rows = [k for k in keys if k.startswith(f"slot:{slot.uid}@")]
        assert sorted(rows) == sorted(set(rows))  # never two airings of a slot in a zone
        assert len(rows) in (0, 2) and (rows or slot.uid in logged), f"{slot.local:%H:%M} dropped silently"
    assert sorted(f"{s.local.astimezone(tz):%H:%M}" for s in slots if s.uid in logged) == missed
    assert all("no scheduler running" in r and f"grace {grace_s}s" in r for r in logged.values())
    assert len(keys) == 2 * (len(slots) - len(missed))  # main and hall, once each


def test_a_slot_written_twice_airs_once_per_zone(db, service, venue_zones):
    """Two leaders overlapping (the old one not yet aware it lost the lead) write the same slot: one
    row per zone."""
    p = service.create_programme("Notice", [ItemSpec("chime")], zones="main,hall")
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    slot = Slot(at, at, p.name, 4, ("main", "hall"), 30, p.id)
    other = Database(db.url)
    try:
        with db.session() as s:
            first = [r.id for r in slot_airings(s, p, slot, signals=db.signals)]
        with other.session() as s:
            again = [r.id for r in slot_airings(s, p, slot, signals=other.signals)]
        writer(db)(p, slot)
    finally:
        other.dispose()
    assert len(first) == 2 and again == first
    with db.session() as s:
        rows = list(s.scalars(select(Airing).order_by(Airing.id)))
        assert s.scalar(select(func.count()).select_from(MissedSlot)) == 0
    assert [(r.key, r.zone) for r in rows] == [("slot:r4-20261201T100000Z@main", "main"),
                                               ("slot:r4-20261201T100000Z@hall", "hall")]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_leaders_writing_one_slot_at_the_same_moment_air_it_once(request, backend, tmp_path):
    """An overlap: the old leader and the new one fire the same slots at the same instant, each in its
    own process (its own connections). Every slot: one airing per zone, nothing logged missed."""
    import threading

    from broadcaster.settings import save_settings

    db = request.getfixturevalue("db" if backend == "sqlite" else "pg_db")
    save_settings({"zones": {"main": "null", "hall": "null"}})
    service = ProgrammeService(db, tz="UTC")
    p = service.create_programme("Notice", [ItemSpec("chime")], zones="main,hall")
    base = datetime(2026, 12, 1, 10, tzinfo=UTC)
    slots = [Slot(base + timedelta(minutes=i), base + timedelta(minutes=i), p.name, 4, ("main", "hall"), 30, p.id)
             for i in range(12)]
    leaders = []
    for _ in range(2):
        other = Database(db.url)
        leaders.append((ScheduleEngine(other, writer(other), service=ProgrammeService(other, tz="UTC")), other))
    gate = threading.Barrier(2, timeout=30)
    errors = []

    def fire(engine):
        try:
            for slot in slots:
                gate.wait()
                engine._air(slot)
        except BaseException as exc:  # reported below; the other leader is not left waiting
            errors.append(exc)
            gate.abort()

    threads = [threading.Thread(target=fire, args=(engine,), daemon=True) for engine, _ in leaders]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for _, other in leaders:
            other.dispose()
    assert not errors and not any(t.is_alive() for t in threads), errors
    with db.session() as s:
        keys = sorted(s.scalars(select(Airing.key)))
        assert s.scalar(select(func.count()).select_from(MissedSlot)) == 0
    assert keys == sorted(f"slot:{slot.uid}@{zone}" for slot in slots for zone in ("main", "hall"))


def test_a_new_leader_leaves_the_stored_jobs_alone_and_starts_in_seconds(pg_db):
    """A new leader re-planned by rewriting every job of the 48 h horizon into the job store (two per
    slot): 4800 jobs of two busy rules took 14 s on PostgreSQL, during which the leader's tick (page
    repeats, lost players, expiry) waited and slots due then aired late. The jobs the old leader
    stored are the ones wanted: the new one writes none of them, and its periodic re-plan neither."""
    import time as _time

    db = pg_db
    service = ProgrammeService(db)
    busy_rules(service)
    done = lambda programme, slot: None  # noqa: E731
    first = ScheduleEngine(db, done, done, service=service).start()
    jobs = next_run_times(first)
    first.stop()
    assert len(jobs) > 4000
    with job_writes(db) as writes:
        began = _time.monotonic()
        second = ScheduleEngine(db, done, done, service=service).start()
        took = _time.monotonic() - began
        try:
            later = datetime.now(UTC) + timedelta(minutes=5)  # not run in between (APScheduler's clock)
            assert jobs_in(next_run_times(second), later, jobs) == jobs_in(jobs, later, jobs)
            second.sync()
        finally:
            second.stop()
    # a rewrite is thousands of writes; a few are the slots that fell due or entered the horizon meanwhile
    assert len(writes) < 50, f"{len(writes)} job-store writes for {len(jobs)} unchanged jobs"
    assert took < 5, f"the new leader's scheduler took {took:.1f} s to start"
