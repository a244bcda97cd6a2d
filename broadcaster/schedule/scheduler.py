"""The schedule engine: APScheduler 3 BackgroundScheduler with a persistent SQLAlchemyJobStore.

For every slot in the horizon there are two jobs in the job store (same database as the app):
``render:<uid>`` at slot - lead (calls ``render(programme, slot)`` so TTS is ready) and ``air:<uid>`` at
the slot (calls ``submit(programme, slot)``, the playout engine's door). Both callables are injected.

Misfire policy is explicit: a job later than ``grace_s`` is not run; APScheduler's EVENT_JOB_MISSED is
logged as a MissedSlot. Slots that passed while the service was down (after the last heartbeat) are
logged at start-up. An air job that raises, or whose announcement is no longer approved, is logged too.
Only one scheduler process per database: an exclusive file lock (``<db file>.scheduler.lock``).
"""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import make_url

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import ROOT, Database
from broadcaster.errors import BroadcasterError, NotFound
from broadcaster.schedule.programmes import NotApproved, ProgrammeService, ProgrammeView
from broadcaster.schedule.rules import Slot

log = logging.getLogger(__name__)
UTC = timezone.utc
HEARTBEAT_KEY = "scheduler_last_seen"
JOBS_TABLE = "apscheduler_jobs"

Submit = Callable[[ProgrammeView, Slot], Any]
_ENGINES: dict[str, "ScheduleEngine"] = {}  # job functions find their engine by database URL


class SchedulerLocked(BroadcasterError):
    """Another scheduler process already runs for this database."""


class SchedulerLock:
    """Exclusive, non-blocking file lock; released by the OS if the process dies."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SchedulerLocked(f"another scheduler is already running for this database (pid {holder}, "
                                  f"lock {self.path}); only one scheduler process may run. Stop it first.")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_path_for(url: str) -> Path:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database + ".scheduler.lock")
    var = Path(os.environ.get("PA_VAR_DIR", ROOT / "var"))
    return var / f"scheduler-{hashlib.sha1(url.encode()).hexdigest()[:12]}.lock"


def _air_job(key: str, slot: Slot) -> None:
    _engine(key)._air(slot)


def _render_job(key: str, slot: Slot) -> None:
    _engine(key)._render(slot)


def _engine(key: str) -> "ScheduleEngine":
    try:
        return _ENGINES[key]
    except KeyError:
        raise RuntimeError(f"no schedule engine running for {key}") from None


def _uid_from_job(job_id: str) -> str:
    return job_id.split(":", 1)[1]


class ScheduleEngine:
    def __init__(self, db: Database, submit: Submit, render: Submit | None = None, *,
                 service: ProgrammeService | None = None, lead_s: float = 120, grace_s: int = 60,
                 horizon_h: float = 48, resync_s: float = 60, lock_path: str | Path | None = None,
                 clock: Clock | None = None) -> None:
        if grace_s < 1:
            raise ValueError("grace_s must be >= 1 second")
        self.db, self.submit, self.render = db, submit, render
        self.service = service or ProgrammeService(db)
        self.lead = timedelta(seconds=lead_s)
        self.grace_s = int(grace_s)
        self.horizon = timedelta(hours=horizon_h)
        self.resync_s = resync_s
        self.clock = clock or SystemClock()
        self.lock = SchedulerLock(lock_path or lock_path_for(db.url))
        self.key = db.url
        self.scheduler: BackgroundScheduler | None = None
        self._slots: dict[str, Slot] = {}

    # -- life cycle ----------------------------------------------------------------------------------
    def start(self) -> "ScheduleEngine":
        if self.key in _ENGINES:
            raise SchedulerLocked(f"a scheduler is already running in this process for {self.key}")
        self.lock.acquire()
        try:
            sched = BackgroundScheduler(
                jobstores={"default": SQLAlchemyJobStore(engine=self.db.engine, tablename=JOBS_TABLE),
                           "internal": MemoryJobStore()},
                job_defaults={"misfire_grace_time": self.grace_s, "coalesce": False, "max_instances": 1},
                timezone=UTC)
            sched.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
            self.scheduler = sched
            _ENGINES[self.key] = self
            sched.start(paused=True)  # job store open, nothing runs until caught up and synced
            self.catch_up()
            self.sync()
            sched.add_job(self.sync, "interval", seconds=self.resync_s, id="resync", jobstore="internal",
                          replace_existing=True, misfire_grace_time=None, coalesce=True)
            sched.resume()
        except BaseException:
            self._teardown()
            raise
        log.info("scheduler started: %d jobs, grace %ss, lead %s", len(sched.get_jobs()), self.grace_s, self.lead)
        return self

    def stop(self) -> None:
        if self.scheduler is not None:
            self._beat(self.clock.now())
        self._teardown()

    def _teardown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        if _ENGINES.get(self.key) is self:
            del _ENGINES[self.key]
        self.lock.release()

    def __enter__(self) -> "ScheduleEngine":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- heartbeat: every slot up to this instant aired or was logged (bumped by air jobs and stop) --
    def last_seen(self) -> datetime | None:
        v = self.service.get_setting(HEARTBEAT_KEY)
        return datetime.fromisoformat(v) if v else None

    def _beat(self, at: datetime) -> None:
        last = self.last_seen()
        if last is None or at > last:
            self.service.set_setting(HEARTBEAT_KEY, at.astimezone(UTC).isoformat())

    # -- planning ------------------------------------------------------------------------------------
    def catch_up(self) -> list[Slot]:
        """Log every slot that passed (beyond grace) since the last heartbeat as missed."""
        now, last = self.clock.now(), self.last_seen()
        missed: list[Slot] = []
        if last is not None:
            cutoff = now - timedelta(seconds=self.grace_s)
            start = max(last, now - timedelta(days=31))
            if cutoff > start:
                for slot in self.service.slots_between(start, cutoff):
                    reason = (f"service not running (last seen {last:%Y-%m-%d %H:%M:%S}Z); "
                              f"{(now - slot.at).total_seconds():.0f}s late, grace {self.grace_s}s")
                    if self.service.record_missed(slot, reason):
                        log.warning("missed slot %s %s: %s", slot.uid, slot.programme, reason)
                    missed.append(slot)
        self._beat(now - timedelta(seconds=self.grace_s))  # later slots may still air (within grace)
        return missed

    def sync(self) -> int:
        """(Re)create jobs for every slot from now - grace to now + horizon; drop future jobs whose slot
        is gone (rule removed). Returns the number of air jobs."""
        assert self.scheduler is not None
        now = self.clock.now()
        last = self.last_seen()
        start = now - timedelta(seconds=self.grace_s)
        if last is not None and last > start:
            start = last  # slots up to the heartbeat were already aired (or logged)
        slots = self.service.slots_between(start, now + self.horizon)
        self._slots = {s.uid: s for s in slots}
        wanted: set[str] = set()
        for slot in slots:
            wanted.add(f"air:{slot.uid}")
            self.scheduler.add_job(_air_job, "date", run_date=slot.at, args=[self.key, slot],
                                   id=f"air:{slot.uid}", name=f"air {slot.programme}",
                                   replace_existing=True, misfire_grace_time=self.grace_s)
            if self.render is not None and slot.at > now:
                wanted.add(f"render:{slot.uid}")
                self.scheduler.add_job(_render_job, "date", run_date=max(slot.at - self.lead, now),
                                       args=[self.key, slot], id=f"render:{slot.uid}",
                                       name=f"render {slot.programme}", replace_existing=True,
                                       misfire_grace_time=max(self.grace_s, int(self.lead.total_seconds())))
        for job in self.scheduler.get_jobs(jobstore="default"):
            if job.id not in wanted and job.next_run_time and job.next_run_time > now:
                job.remove()
        return sum(1 for w in wanted if w.startswith("air:"))

    def next_run_times(self) -> dict[str, datetime]:
        assert self.scheduler is not None
        return {j.id: j.next_run_time for j in self.scheduler.get_jobs(jobstore="default")}

    # -- jobs ----------------------------------------------------------------------------------------
    def _render(self, slot: Slot) -> None:
        if self.render is None:
            return
        self.render(self.service.programme(slot.programme_id or slot.programme), slot)

    def _air(self, slot: Slot) -> None:
        self._beat(slot.at)
        try:
            programme = self.service.programme(slot.programme_id or slot.programme)
            self.service.check_approved(programme)
        except (NotFound, NotApproved) as exc:
            self._missed(slot, f"refused at air time: {exc}")
            return
        self.submit(programme, slot)

    def _missed(self, slot: Slot, reason: str) -> None:
        if self.service.record_missed(slot, reason):
            log.warning("missed slot %s %s: %s", slot.uid, slot.programme, reason)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith("air:"):
            log.error("job %s %s: %r", event.job_id,
                      "missed" if event.code == EVENT_JOB_MISSED else "failed", event.exception)
            return
        slot = self._slots.get(_uid_from_job(event.job_id)) or self._slot_from_uid(_uid_from_job(event.job_id))
        if event.code == EVENT_JOB_MISSED:
            late = (self.clock.now() - event.scheduled_run_time).total_seconds()
            self._missed(slot, f"late by {late:.0f}s, beyond misfire grace {self.grace_s}s")
        else:
            self._missed(slot, f"submit failed: {event.exception!r}")

    def _slot_from_uid(self, uid: str) -> Slot:
        rule_part, _, stamp = uid.partition("-")
        at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        rule_id = int(rule_part[1:]) if rule_part[1:].isdigit() else None
        match = next((r for r in self.service.rules() if r.rule_id == rule_id), None)
        if match is None:
            return Slot(at, at, f"(rule #{rule_id} removed)", rule_id, ("main",), 0, None)
        return Slot(at, at, match.programme, rule_id, match.zones, match.priority, match.programme_id)
