"""The schedule engine: APScheduler 3 BackgroundScheduler with a persistent SQLAlchemyJobStore.

For every slot in the horizon there are two jobs in the job store (same database as the app):
``render:<uid>`` at slot - lead (calls ``render(programme, slot)``, when given, to prepare ahead) and
``air:<uid>`` at the slot (calls ``submit(programme, slot)``, which writes the slot's airings:
:func:`broadcaster.schedule.onair.slot_airings`). Both callables are injected.

Misfire policy is explicit: a job later than ``grace_s`` is not run; APScheduler's EVENT_JOB_MISSED is
logged as a MissedSlot. Slots that passed while no scheduler ran (after the last heartbeat) are logged
at start-up, unless their airings were written. An air job that raises, or whose announcement is no
longer approved, is logged too.

Only the leader schedules (:mod:`broadcaster.onair.leader`; ``BroadcastService.lead`` starts and stops
this engine). A new leader picks up at the last heartbeat: slots since then still within grace air,
older ones are logged as missed. Slot airings are idempotent (``slot:<uid>``), so a slot written by
both leaders of an overlap airs once.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import IntegrityError

from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import BroadcasterError, NotFound
from broadcaster.schedule import store
from broadcaster.schedule.onair import settled, written
from broadcaster.schedule.programmes import CHANGED, NotApproved, ProgrammeService, ProgrammeView
from broadcaster.schedule.rules import Slot, parse_uid
from broadcaster.store.db import Database

log = logging.getLogger(__name__)
UTC = timezone.utc
HEARTBEAT_KEY = "scheduler_last_seen"
JOBS_TABLE = "apscheduler_jobs"

Submit = Callable[[ProgrammeView, Slot], Any]
_ENGINES: dict[str, "ScheduleEngine"] = {}  # job functions find their engine by database URL
_TICK = timedelta(microseconds=1)  # slots at the heartbeat's own instant are looked at again


class SchedulerRunning(BroadcasterError):
    """This process already runs a scheduler for this database (one per process; across processes the
    leader election decides which one schedules)."""


def _air_job(key: str, slot: Slot) -> None:
    _engine(key)._air(slot)


def _render_job(key: str, slot: Slot) -> None:
    _engine(key)._render(slot)


def _engine(key: str) -> "ScheduleEngine":
    try:
        return _ENGINES[key]
    except KeyError:
        raise RuntimeError(f"no schedule engine running for {key}") from None


def _same(job, at: datetime | None, args: list) -> bool:
    """Whether the stored ``job`` is the one a re-plan wants: its slot and engine, due at ``at`` (None:
    any time, it is due already)."""
    return (job is not None and list(job.args) == args
            and (at is None or job.next_run_time == at))


class _SharedStoreScheduler(BackgroundScheduler):
    """APScheduler over a job store another leader may share for a moment (a fail-over's overlap): a
    date job it ran is removed by it, and may be gone already (the other's re-plan removed it as aired).
    APScheduler's loop raised JobLookupError there and its thread died: no slot aired after it."""

    def remove_job(self, job_id, jobstore=None):
        try:
            super().remove_job(job_id, jobstore)
        except JobLookupError:
            log.debug("job %s was removed already", job_id)


class ScheduleEngine:
    def __init__(self, db: Database, submit: Submit, render: Submit | None = None, *,
                 service: ProgrammeService | None = None, lead_s: float = 120, grace_s: int = 60,
                 first_h: float | None = None, resync_s: float = 60, clock: Clock | None = None) -> None:
        if grace_s < 1:
            raise ValueError("grace_s must be >= 1 second")
        self.db, self.submit, self.render = db, submit, render
        self.service = service or ProgrammeService(db)
        self.lead = timedelta(seconds=lead_s)
        self.grace_s = int(grace_s)
        self.horizon = timedelta(hours=48)
        # planned before start() returns; the rest of the horizon right after, on the scheduler's threads
        # (a leader's first start over busy rules wrote 6000 jobs in its round: page repeats waited 10 s)
        self.first = min(self.horizon, timedelta(hours=first_h)) if first_h is not None else self.horizon
        self.resync_s = resync_s
        self.clock = clock or SystemClock()
        self.key = db.url
        self.scheduler: BackgroundScheduler | None = None
        self._slots: dict[str, Slot] = {}
        self._planning = threading.Lock()  # one re-plan at a time (two would drop each other's jobs)
        self._rendered: set[str] = set()  # slots whose render job ran in this process
        self._changed = threading.Event()  # a change signalled since the running re-plan read the rules

    # -- life cycle ----------------------------------------------------------------------------------
    def start(self) -> "ScheduleEngine":
        if self.key in _ENGINES:
            raise SchedulerRunning(f"a scheduler is already running in this process for {self.key}")
        try:
            sched = _SharedStoreScheduler(
                jobstores={"default": SQLAlchemyJobStore(engine=self.db.engine, tablename=JOBS_TABLE),
                           "internal": MemoryJobStore()},
                job_defaults={"misfire_grace_time": self.grace_s, "coalesce": False, "max_instances": 1},
                timezone=UTC)
            sched.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
            self.scheduler = sched
            _ENGINES[self.key] = self
            sched.start(paused=True)  # job store open, nothing runs until caught up and synced
            self.catch_up()
            self.sync(self.first)
            sched.add_job(self.sync, "interval", seconds=self.resync_s, id="resync", jobstore="internal",
                          replace_existing=True, misfire_grace_time=None, coalesce=True)
            self.db.signals.listen(CHANGED, self._rules_changed)
            sched.resume()
            if self.first < self.horizon:
                sched.add_job(self.sync, id="plan-ahead", jobstore="internal", misfire_grace_time=None)
        except BaseException:
            self.stop()
            raise
        log.info("scheduler started: %d jobs, grace %ss, lead %s", len(sched.get_jobs()), self.grace_s, self.lead)
        return self

    def _rules_changed(self) -> None:
        """A rule or closed day changed (this process, or any on PostgreSQL): re-plan now, not at the
        next minute's resync. A change that arrives while a re-plan runs is flagged and planned by a
        second one (up to two instances: one running, one waiting its turn), never skipped."""
        self._changed.set()
        sched = self.scheduler
        if sched is not None and sched.running:
            sched.add_job(self._sync_changed, id="resync-now", jobstore="internal", replace_existing=True,
                          misfire_grace_time=None, max_instances=2)

    def _sync_changed(self) -> None:
        while self._changed.is_set() and self.scheduler is not None:
            self.sync()

    def stop(self) -> None:
        """Stop scheduling (the lead was lost, the service stops, or start failed). The heartbeat stays
        where the last slot left it: a slot due this very moment is the next scheduler's to air or log."""
        self.db.signals.unlisten(CHANGED, self._rules_changed)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        if _ENGINES.get(self.key) is self:
            del _ENGINES[self.key]

    def __enter__(self) -> "ScheduleEngine":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- heartbeat: every slot before this instant aired or was logged (moved by air jobs, start) --
    def last_seen(self) -> datetime | None:
        v = self.service.get_setting(HEARTBEAT_KEY)
        return datetime.fromisoformat(v) if v else None

    def _beat(self, at: datetime) -> None:
        """Move the heartbeat forward to ``at``. Two leaders of an overlap may both write it (a beat
        moved back a little only has slots looked at again: those aired or logged are left alone)."""
        for attempt in (1, 2):
            try:
                with self.db.session() as s:
                    last = store.get_setting(s, HEARTBEAT_KEY)
                    if last is None or at > datetime.fromisoformat(last):
                        store.set_setting(s, HEARTBEAT_KEY, at.astimezone(UTC).isoformat())
                return
            except IntegrityError:  # the other leader stored the first heartbeat at the same moment
                if attempt == 2:
                    raise

    # -- planning ------------------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Log every slot that passed (beyond grace) since the last heartbeat, and whose airings were
        never written, as missed."""
        now, last = self.clock.now(), self.last_seen()
        if last is not None:
            cutoff = now - timedelta(seconds=self.grace_s)
            start = max(last - _TICK, now - timedelta(days=31))
            if cutoff > start:
                slots = self.service.slots_between(start, cutoff)
                settled = self._settled(slots)
                for slot in slots:
                    if slot.uid in settled:
                        continue
                    reason = (f"no scheduler running (last seen {last:%Y-%m-%d %H:%M:%S}Z); "
                              f"{(now - slot.at).total_seconds():.0f}s late, grace {self.grace_s}s")
                    if self.service.record_missed(slot, reason):
                        log.warning("missed slot %s %s: %s", slot.uid, slot.programme, reason)
        self._beat(now - timedelta(seconds=self.grace_s))  # later slots may still air (within grace)

    def sync(self, horizon: timedelta | None = None) -> None:
        """(Re)create jobs for every slot from the last heartbeat (at most ``grace`` ago) to now +
        ``horizon`` (default: the engine's) not aired or logged yet; drop every other job of that span
        (its rule removed, or a job an earlier leader left for a slot since aired or logged). One at a
        time: a periodic resync and a change's re-plan at once would each remove the jobs the other
        just planned."""
        with self._planning:
            self._changed.clear()  # a change signalled from here on is planned by the next re-plan
            self._sync(horizon or self.horizon)

    def _sync(self, horizon: timedelta) -> None:
        sched = self.scheduler  # a plan still running when the lead is lost adds to a stopped one: nothing stored
        assert sched is not None
        now = self.clock.now()
        last = self.last_seen()
        start = now - timedelta(seconds=self.grace_s)
        if last is not None and last > start:
            start = last  # slots before the heartbeat were already aired (or logged)
        end = now + horizon
        slots = self.service.slots_between(start - _TICK, end)
        settled = self._settled([s for s in slots if s.at <= now])  # aired or logged (another leader)
        slots = [s for s in slots if s.uid not in settled]
        self._slots = {s.uid: s for s in slots}
        self._rendered &= set(self._slots)
        # the jobs already stored as wanted (an earlier leader's, or this one's last re-plan) are left
        # alone: rewriting every one (two per slot for 48 h) took a new leader 14 s for 4800 jobs
        stored = {job.id: job for job in sched.get_jobs(jobstore="default")}
        wanted: set[str] = set()
        for slot in slots:
            args = [self.key, slot]
            wanted.add(f"air:{slot.uid}")
            if not _same(stored.get(f"air:{slot.uid}"), slot.at, args):
                sched.add_job(_air_job, "date", run_date=slot.at, args=args, id=f"air:{slot.uid}",
                              name=f"air {slot.programme}", replace_existing=True, misfire_grace_time=self.grace_s)
            if self.render is not None and slot.at > now:
                wanted.add(f"render:{slot.uid}")
                job, at = stored.get(f"render:{slot.uid}"), slot.at - self.lead
                if job is None and at <= now and slot.uid in self._rendered:
                    continue  # rendered already (its job is gone once run)
                if not _same(job, at if at > now else None, args):
                    sched.add_job(_render_job, "date", run_date=max(at, now), args=args,
                                  id=f"render:{slot.uid}", name=f"render {slot.programme}", replace_existing=True,
                                  misfire_grace_time=max(self.grace_s, int(self.lead.total_seconds())))
        partial = horizon < self.horizon  # the first plan: the jobs after its end are the whole horizon's plan
        for job in stored.values():
            # rule gone, or (left by an earlier leader) aired or logged already
            if job.id not in wanted and not (partial and job.next_run_time and job.next_run_time > end):
                job.remove()  # gone meanwhile (it ran): _SharedStoreScheduler.remove_job lets it be

    def _settled(self, slots: list[Slot]) -> set[str]:
        if not slots:
            return set()
        with self.db.session() as s:
            return settled(s, [slot.uid for slot in slots])

    # -- jobs ----------------------------------------------------------------------------------------
    def _render(self, slot: Slot) -> None:
        if self.render is None:
            return
        self._rendered.add(slot.uid)
        self.render(self.service.programme(slot.programme_id or slot.programme), slot)

    def _air(self, slot: Slot) -> None:
        """The slot's instant: write its airings (or log why not), then move the heartbeat past it."""
        try:
            programme = self.service.programme(slot.programme_id or slot.programme)
            self.service.check_approved(programme)
        except (NotFound, NotApproved) as exc:
            self._missed(slot, f"refused at air time: {exc}")
        else:
            try:  # another leader writing the same slot at the same moment is harmless: same keys
                self.submit(programme, slot)
            except Exception as exc:
                log.exception("slot %s %s: could not write its airings", slot.uid, slot.programme)
                self._missed(slot, f"submit failed: {exc!r}")
        self._beat(slot.at)

    def _missed(self, slot: Slot, reason: str) -> None:
        """Log ``slot`` as missed, once, unless its airings were written (what became of them is
        their own outcome: an airing refused, expired or failed is logged by the schedule listener)."""
        with self.db.session() as s:
            if written(s, [slot.uid]):
                return
        if self.service.record_missed(slot, reason):
            log.warning("missed slot %s %s: %s", slot.uid, slot.programme, reason)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith("air:"):
            log.error("job %s %s: %r", event.job_id,
                      "missed" if event.code == EVENT_JOB_MISSED else "failed", event.exception)
            return
        uid = event.job_id.split(":", 1)[1]
        slot = self._slots.get(uid) or self._slot_from_uid(uid)
        if event.code == EVENT_JOB_MISSED:
            late = (self.clock.now() - event.scheduled_run_time).total_seconds()
            self._missed(slot, f"late by {late:.0f}s, beyond misfire grace {self.grace_s}s")
        else:
            self._missed(slot, f"submit failed: {event.exception!r}")

    def _slot_from_uid(self, uid: str) -> Slot:
        rule_id, at = parse_uid(uid)
        match = next((r for r in self.service.rules() if r.rule_id == rule_id), None)
        if match is None:
            return Slot(at, at, f"(rule #{rule_id or 0} removed)", rule_id, ("main",), 0, None)
        return Slot(at, at, match.programme, rule_id, match.zones, match.priority, match.programme_id,
                    match.length_s)
