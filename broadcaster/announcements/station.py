"""The station: puts approved announcements on air through the playout engine and keeps the database
in step with what the engine does (state history, as-run log, faults).

Engine events arrive on the audio threads; they are only queued there and written by one writer
thread, so a slow database never stalls the audio."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from sqlalchemy import select

from broadcaster import logs
from broadcaster.announcements.scripts import TRANSITIONS, AnnouncementService, transition
from broadcaster.announcements.approval import ApprovalService, HashMismatch, OutsideWindow
from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import InvalidTransition, NotFound
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S
from broadcaster.onair.engine import PlayoutEngine, PlayoutEvent, PlayoutItem
from broadcaster.users import acting

log = logging.getLogger(__name__)
QUEUERS = (Role.BROADCASTER, Role.SUPERVISOR)
QUEUEABLE = {S.APPROVED, S.AIRED, S.INTERRUPTED, S.FAILED}


class Station:
    def __init__(self, db: Database, engine: PlayoutEngine | None, approval: ApprovalService,
                 clock: Clock | None = None, notify: Callable[[], None] | None = None) -> None:
        self.db, self.engine, self.approval = db, engine, approval
        self.notify = notify  # without an engine: tells the service to sync now (control.ring)
        self.clock = clock or SystemClock()
        self._items: dict[int, int] = {}  # announcement id -> playout item id
        self._zones_left: dict[int, set[str]] = {}  # playout item id -> zones still to finish
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._submitting = threading.Lock()
        self._writer: threading.Thread | None = None
        if engine is not None:
            engine.listeners.append(self._events.put)

    # -- putting items on air ----------------------------------------------------------------
    def queue(self, ann_id: int, who: User | str) -> int | None:
        """Validate and queue an approved announcement. Returns the playout item id (None when this
        process has no engine: the running service picks it up on its next sync)."""
        with self.db.session() as s:
            user = acting(s, who, *QUEUERS, action="put announcements on air")
            ann = AnnouncementService.get(s, ann_id)
            if ann.state not in QUEUEABLE:
                raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; only approved items can air")
            self._verify(ann)
            transition(s, ann, S.QUEUED, user, "queued", at=self.clock.now())
        return self._submit(ann_id)

    def queue_announcement(self, announcement_id: int, user: User | str) -> int | None:
        """The name the workflow contract uses for :meth:`queue`."""
        return self.queue(announcement_id, user)

    def unqueue(self, ann_id: int, who: User | str) -> None:
        with self.db.session() as s:
            user = acting(s, who, *QUEUERS, action="take announcements off the air")
            ann = AnnouncementService.get(s, ann_id)
            if ann.state is not S.QUEUED and ann.state is not S.AIRING:
                raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}, not queued")
            item = self._items.pop(ann_id, None)
            if item is None or self.engine is None:
                transition(s, ann, S.APPROVED, user, "taken off the queue")
        if item is not None and self.engine is not None:
            self.engine.cancel(item)
        elif self.engine is None and self.notify is not None:
            self.notify()

    def _verify(self, ann: Announcement):
        """The approved audio (hash checked). A mismatch is logged as a fault in its own transaction."""
        now = self.clock.now()
        try:
            return self.approval.verify_for_air(ann, now)
        except HashMismatch as exc:
            with self.db.session() as s2:
                logs.raise_fault(s2, "hash_mismatch", str(exc), ref=f"announcement:{ann.id}")
            raise
        except OutsideWindow as exc:  # past its window it can never air: expired (not-yet-valid stays)
            if ann.valid_until and now > ann.valid_until and S.EXPIRED in TRANSITIONS[ann.state]:
                with self.db.session() as s2:
                    transition(s2, s2.get(Announcement, ann.id), S.EXPIRED, None, str(exc), at=now)
            raise

    def _submit(self, ann_id: int) -> int | None:
        if self.engine is None:
            if self.notify is not None:
                self.notify()
            return None
        with self._submitting:  # queue() and the service's sync() may reach the same item at once
            with self._lock:
                if ann_id in self._items:
                    return self._items[ann_id]
            return self._submit_now(ann_id)

    def _submit_now(self, ann_id: int) -> int:
        with self.db.session() as s:
            ann = AnnouncementService.get(s, ann_id)
            pcm = self.approval.verify_for_air(ann, self.clock.now())
            approved_hash = ann.approved_hash
            item = PlayoutItem(
                priority=ann.priority, title=ann.title, parts=[pcm], zones=tuple(ann.zones), kind="announcement",
                ref=f"announcement:{ann.id}", max_retries=max(0, ann.max_retries - ann.retry_count),
                not_after=ann.valid_until, check=lambda: self._check_at_air(ann_id, approved_hash, pcm),
                meta={"engines": ann.approved_engines or "", "content_hash": approved_hash,
                      "retry_base": ann.retry_count,
                      "approved_by": ann.approved_by.name if ann.approved_by else ""})
        with self._lock:
            item_id = self.engine.submit(item)
            self._items[ann_id] = item_id
            self._zones_left[item_id] = set(item.zones)
        return item_id

    def _check_at_air(self, ann_id: int, approved_hash: str, pcm) -> None:
        """Runs just before the first sample: still approved, and these samples are the approved ones."""
        if pcm.sha256() != approved_hash:
            raise HashMismatch(f"announcement #{ann_id}: audio about to air does not match its approval")
        with self.db.session() as s:
            ann = s.get(Announcement, ann_id)
            if ann is None or ann.approved_hash != approved_hash:
                raise HashMismatch(f"announcement #{ann_id}: approval changed since it was queued")

    # -- keeping the database in step ---------------------------------------------------------
    def start(self) -> "Station":
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="station-writer", daemon=True)
            self._writer.start()
        return self

    def stop(self) -> None:
        if self._writer is not None:
            self._events.put(None)
            self._writer.join(5)
            self._writer = None

    def _write_loop(self) -> None:
        while True:
            ev = self._events.get()
            if ev is None:
                return
            try:
                self.record(ev)
            except Exception:  # never lose the writer: log and go on
                log.exception("could not record %s of %s", ev.kind, ev.item.title)

    def drain(self) -> None:
        """Write every pending event now (tests, shutdown)."""
        while True:
            try:
                ev = self._events.get_nowait()
            except queue.Empty:
                return
            if ev is not None:
                self.record(ev)

    def record(self, ev: PlayoutEvent) -> None:
        """As-run for every item; state history for announcements."""
        item, at = ev.item, ev.at
        with self.db.session() as s:
            if ev.kind == "started":
                logs.as_run_started(s, ref=item.ref or f"item:{ev.item_id}", title=item.title, kind=item.kind,
                                    zone=ev.zone, priority=item.priority, at=at, engines=item.meta.get("engines", ""),
                                    approved_by=item.meta.get("approved_by", ""),
                                    content_hash=item.meta.get("content_hash", ""))
            elif ev.kind in ("completed", "interrupted", "failed", "cancelled"):
                logs.as_run_ended(s, ref=item.ref or f"item:{ev.item_id}", zone=ev.zone, outcome=ev.kind, at=at,
                                  detail=ev.detail)
            if ev.kind == "refused" and "match" in ev.detail:
                logs.raise_fault(s, "hash_mismatch", ev.detail, zone=ev.zone, ref=item.ref)
            if item.kind == "announcement" and item.ref and item.ref.startswith("announcement:"):
                self._announcement_event(s, int(item.ref.split(":", 1)[1]), ev)

    def _announcement_event(self, s, ann_id: int, ev: PlayoutEvent) -> None:
        ann = s.get(Announcement, ann_id)
        if ann is None:
            return
        note = f"{ev.kind} in {ev.zone}" + (f": {ev.detail}" if ev.detail else "")

        def move(to: S) -> None:
            if ann.state is not to and to in TRANSITIONS[ann.state]:
                transition(s, ann, to, None, note, at=ev.at)

        done = False
        if ev.kind == "started":
            move(S.AIRING)
        elif ev.kind == "completed":
            with self._lock:
                left = self._zones_left.get(ev.item_id, set())
                left.discard(ev.zone)
                done = not left
            if done:
                move(S.AIRED)
        elif ev.kind == "interrupted":
            move(S.INTERRUPTED)
        elif ev.kind == "requeued":
            ann.retry_count = max(ann.retry_count, ev.item.meta.get("retry_base", 0) + ev.retries)
            move(S.QUEUED)
        elif ev.kind in ("failed", "refused"):
            move(S.FAILED)
            done = True
        elif ev.kind == "expired":
            move(S.EXPIRED)
            done = True
        elif ev.kind == "cancelled":
            move(S.APPROVED if ann.state is S.QUEUED else S.INTERRUPTED)
            done = True
        if done:
            with self._lock:
                if self._items.get(ann_id) == ev.item_id:
                    del self._items[ann_id]
                self._zones_left.pop(ev.item_id, None)

    # -- start-up and other processes -----------------------------------------------------------
    def recover(self) -> dict[str, int]:
        """After a crash or kill: anything left airing was interrupted; it is re-queued (one retry
        spent) or failed; open as-run rows are closed. Queued items are put back on the engine."""
        now = self.clock.now()
        requeued = failed = 0
        with self.db.session() as s:
            closed = logs.close_open_as_run(s, now, "service stopped while airing")
            for ann in s.scalars(select(Announcement).where(Announcement.state == S.AIRING)):
                transition(s, ann, S.INTERRUPTED, None, "service stopped while airing", at=now)
                ann.retry_count += 1
                if ann.retry_count > ann.max_retries:
                    transition(s, ann, S.FAILED, None, f"interrupted {ann.retry_count} times", at=now)
                    failed += 1
                else:
                    transition(s, ann, S.QUEUED, None, "re-queued after restart", at=now)
                    requeued += 1
        submitted = self.sync()
        return {"as_run_closed": closed, "requeued": requeued, "failed": failed, "submitted": submitted}

    def sync(self) -> int:
        """Submit announcements queued in the database (by the CLI, a panel worker or before a restart)
        that the engine does not have yet; take off the engine those taken off the queue elsewhere;
        expire queued items past their window."""
        if self.engine is None:
            return 0
        now = self.clock.now()
        mine = self.on_air()
        with self.db.session() as s:
            ids = list(s.scalars(select(Announcement.id).where(Announcement.state == S.QUEUED)))
            gone = list(s.scalars(select(Announcement.id).where(Announcement.id.in_(list(mine)),
                                                               Announcement.state == S.APPROVED))) if mine else []
        for ann_id in gone:
            if mine.get(ann_id) is not None:
                self.engine.cancel(mine[ann_id])
        n = 0
        for ann_id in ids:
            with self._lock:
                if ann_id in self._items:
                    continue
            try:
                self._submit(ann_id)
                n += 1
            except OutsideWindow as exc:
                with self.db.session() as s:
                    ann = s.get(Announcement, ann_id)
                    transition(s, ann, S.EXPIRED if ann.valid_until and now > ann.valid_until else S.APPROVED,
                               None, str(exc), at=now)
            except HashMismatch as exc:
                with self.db.session() as s:
                    logs.raise_fault(s, "hash_mismatch", str(exc), ref=f"announcement:{ann_id}")
                    transition(s, s.get(Announcement, ann_id), S.FAILED, None, str(exc), at=now)
            except NotFound:
                continue
        return n

    def on_air(self) -> dict[int, int]:
        with self._lock:
            return dict(self._items)

