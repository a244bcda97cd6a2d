"""Urgent pages for missing-person cases: trigger, repeat, cancel on resolution, all-clear, escalation.

Triggering a page stores a Page row and queues it at ``Priority.URGENT_PAGE`` at once. It repeats every
``interval`` (default 3 min) up to ``max_repeats`` times (default 5) or until the case is resolved;
resolving cancels the pending repeats (and the queued item) and can air an "all clear". A case still
unresolved ``escalate_after`` (default 10 min) after its first page is escalated: state ``escalated``,
an Escalation row for supervisors, and optionally a page to security staff.

Time is driven by the injected Clock and ``tick()``, which the service loop calls every few seconds. With
no Pager (the CLI and the panel's worker processes do not own the device) pages are stored as due and the
service airs them on its next tick, which ``notify`` (``broadcaster.control.ring``) brings forward to now;
cancellations made elsewhere reach the engine the same way.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import BroadcasterError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from broadcaster.paging.defaults import DEFAULT_KEYS
from broadcaster.paging.drafts import Draft, case_values, page_detail, page_template
from broadcaster.paging.drafts import draft as page_draft
from broadcaster.cases.missing import RESOLVED, CaseDetails, add_event, add_events, event_row, load_case, move
from broadcaster.cases.numbering import venue_tz
from broadcaster.cases.pager import EventInbox, Pager
from broadcaster.cases.staff import DESK_ROLES, SUPERVISOR_ROLES, Actor, actor
from broadcaster.paging.templates import TemplateService, fill
from broadcaster.cases.trigger import open_and_page_all, trigger
from broadcaster.combine import Combiner
from broadcaster.store.models.cases import (CaseKind, CaseState, Escalation, Page, PageStatus, PersonCase,
                                      TemplatePurpose, TemplateStatus)
from broadcaster.priorities import Priority

log = logging.getLogger(__name__)
P = TemplatePurpose
CASE_PAGES = (P.MISSING, P.FOUND, P.SECURITY)  # pages that stop when the case is resolved


@dataclass
class TickReport:
    queued: list[int] = field(default_factory=list)      # page ids queued this tick
    escalated: list[str] = field(default_factory=list)   # case numbers escalated this tick
    cancelled: list[int] = field(default_factory=list)   # playout item ids cancelled this tick


class PagingService:
    def __init__(self, db: Database, clock: Clock | None = None, pager: Pager | None = None, *,
                 interval: timedelta = timedelta(minutes=3), max_repeats: int = 5,
                 escalate_after: timedelta = timedelta(minutes=10), security_page: bool = True,
                 zones: tuple[str, ...] = ("main",), security_zones: tuple[str, ...] = ("main",),
                 on_escalation: Callable[[Escalation], None] | None = None, tz: ZoneInfo | None = None,
                 notify: Callable[[], None] | None = None) -> None:
        if max_repeats < 1 or interval <= timedelta(0):
            raise ValidationError("max_repeats/interval: must be positive")
        self.db, self.clock, self.pager = db, clock or SystemClock(), pager
        self.interval, self.max_repeats, self.escalate_after = interval, max_repeats, escalate_after
        self.security_page, self.zones, self.security_zones = security_page, zones, security_zones
        self.on_escalation, self.tz = on_escalation, tz or venue_tz()
        self.notify = notify  # without a pager: tells the service there is paging work (control.ring)
        self._ticking = threading.Lock()  # the service loop and an in-process panel may tick at once
        self.inbox = EventInbox()
        self._triggers = Combiner(partial(open_and_page_all, self))  # desks triggering at once share a run

    @classmethod
    def for_venue(cls, db: Database, clock: Clock, pager: Pager | None, settings, zones: tuple[str, ...],
                  **kw) -> "PagingService":
        """Paging as the venue settings say (interval, repeats, escalation), paging ``zones``: the
        service and the panel's workers build it the same way."""
        return cls(db, clock, pager, interval=timedelta(minutes=settings.page_interval_min),
                   max_repeats=settings.page_max_repeats,
                   escalate_after=timedelta(minutes=settings.escalate_after_min),
                   zones=zones, security_zones=zones, **kw)

    # -- triggering ----------------------------------------------------------------------------
    def page_case(self, number: str, who: Actor, *, template: str | int | None = None,
                  extra_text: str | dict | None = None) -> Page:
        """Page about a case with an approved template. Free text makes it wait for a supervisor."""
        now = self.clock.now()
        with self.db.session() as s:
            user = actor(s, who, *DESK_ROLES, action="trigger a page")
            case = load_case(s, number)
            if case.state in RESOLVED:
                raise InvalidTransition(f"case {case.number} is {case.state.value}: nothing to page")
            draft = page_draft(case, page_template(s, case, template), extra_text, self.tz)
            page = self._store_page(s, user, case, draft, now)
        return self._aired(page)

    def open_and_page(self, who: Actor, kind: CaseKind | str, details: CaseDetails, *,
                      template: str | int | None = None, extra_text: str | dict | None = None,
                      ) -> tuple[PersonCase, Page | None, BroadcasterError | None]:
        """The desk's urgent page: open the case and page it in one transaction. Returns (case, page,
        error). Bad details or a user who is not desk staff store nothing (the error is raised); when
        only the page is refused (no such template, not approved, a child's name in the text) the case
        is stored, ``page`` is None and ``error`` says why, so the desk can fix it and page the case
        again. Triggers from several desks at the same moment share one transaction
        (``broadcaster.cases.trigger``)."""
        return self._triggers(trigger(who, kind, details, self.clock.now(), template=template,
                                      extra_text=extra_text))

    def _store_page(self, s, user, case: PersonCase, draft: Draft, now) -> Page:
        free = draft.extra is not None
        page = self._new_page(s, user, draft.texts, draft.template.purpose, case_id=case.id,
                              template_id=draft.template.id, extra=draft.extra, pending=free)
        if not free and case.state is CaseState.OPEN:
            move(s, case, CaseState.PAGED, user, now, detail=f"page #{page.id}")
        add_event(s, case, user, "page", now, detail=page_detail(page, draft.template))
        return page

    def _aired(self, page: Page) -> Page:
        """After a page is stored: air it (with the engine here) or ring the service. Returns the page
        as it is now (re-read when this process's tick has just queued it)."""
        self._air_if_possible()
        return self.page(page.id) if self.pager is not None else page

    def approve_page(self, page_id: int, who: Actor) -> Page:
        now = self.clock.now()
        with self.db.session() as s:
            user = actor(s, who, *SUPERVISOR_ROLES, action="approve a page")
            page = self._load(s, page_id)
            if page.status is not PageStatus.PENDING_APPROVAL:
                raise InvalidTransition(f"page #{page.id}: cannot approve from {page.status.value}")
            if page.created_by_id == user.id:
                raise PermissionDenied(f"four-eyes: {user.name} wrote page #{page.id} and cannot approve it")
            case = s.get(PersonCase, page.case_id) if page.case_id else None
            if case is not None and case.state in RESOLVED:
                raise InvalidTransition(f"case {case.number} is {case.state.value}: nothing to page")
            page.status, page.approved_by_id, page.approved_at, page.next_due_at = (
                PageStatus.ACTIVE, user.id, now, now)
            if case is not None:
                if case.state is CaseState.OPEN:
                    move(s, case, CaseState.PAGED, user, now, detail=f"page #{page.id}")
                add_event(s, case, user, "page approved", now, detail=f"page #{page.id}")
        self._air_if_possible()
        return self.page(page.id)

    def reject_page(self, page_id: int, who: Actor, reason: str) -> Page:
        if not (reason or "").strip():
            raise ValidationError("reason: say why the page is rejected")
        with self.db.session() as s:
            user = actor(s, who, *SUPERVISOR_ROLES, action="reject a page")
            page = self._load(s, page_id)
            if page.status is not PageStatus.PENDING_APPROVAL:
                raise InvalidTransition(f"page #{page.id}: cannot reject from {page.status.value}")
            page.status = PageStatus.REJECTED
            if page.case_id:
                add_event(s, s.get(PersonCase, page.case_id), user, "page rejected", self.clock.now(),
                          detail=f"page #{page.id}: {reason.strip()}")
        return page

    def resolve(self, number: str, who: Actor, state: CaseState | str, *, result: str | None = None,
                all_clear: bool = True) -> PersonCase:
        """Found / reunited / closed: stop the repeats (and the queued item) and maybe air an all-clear."""
        try:
            state = CaseState(state)
        except ValueError:
            raise ValidationError(f"state: unknown case state {state!r}") from None
        if state not in RESOLVED:
            raise ValidationError(f"state: resolve to found, reunited or closed, not {state.value}")
        now = self.clock.now()
        with self.db.session() as s:
            user = actor(s, who, *DESK_ROLES, action="resolve a case")
            case = load_case(s, number)
            was_paged = case.first_paged_at is not None
            move(s, case, state, user, now, result=result)
            stopped = self._stop_case_pages(s, case)
            if stopped:
                add_event(s, case, user, "repeats cancelled", now, detail=", ".join(f"#{p}" for p in stopped))
            if all_clear and was_paged:
                self._all_clear(s, case, user)
        self._air_if_possible()
        return case

    # -- the service loop ----------------------------------------------------------------------
    def tick(self) -> TickReport:
        """Record engine events, pass on cancellations, escalate, and queue every page that is due."""
        report = TickReport()
        with self._ticking:  # one tick at a time: two would both read a due page and queue it twice
            if self.pager is not None:  # what is due goes on air first: the bookkeeping can wait
                self._air_due(report)
            self._record_events()
            self._escalate(report)
            if self.pager is not None and report.escalated:
                self._air_due(report)  # the security pages escalation just stored
        return report

    def air(self) -> TickReport:
        """The urgent part of a tick, for a ring from another process: take cancelled pages off the
        engine and queue every page that is due (escalation waits for the next whole tick)."""
        report = TickReport()
        if self.pager is not None:
            with self._ticking:
                self._air_due(report)
        return report

    def _air_if_possible(self) -> None:
        if self.pager is not None:
            self.tick()
        elif self.notify is not None:
            self.notify()

    def _air_due(self, report: TickReport) -> None:
        """In one transaction: take off the engine the pages cancelled elsewhere (CLI, web) whose item
        may still wait there, and queue every page that is due."""
        now = self.clock.now()
        events: list[dict] = []
        with self.db.session() as s:
            pages = s.scalars(select(Page).where(or_(
                and_(Page.status == PageStatus.ACTIVE, Page.next_due_at <= now),
                and_(Page.status == PageStatus.CANCELLED, Page.playout_item_id.is_not(None))))
                .order_by(Page.priority.desc(), Page.id)).all()
            for page in pages:
                if page.status is PageStatus.CANCELLED:
                    self.pager.cancel_quietly(page.playout_item_id)
                    report.cancelled.append(page.playout_item_id)
                    page.playout_item_id = None
            due = [p for p in pages if p.status is PageStatus.ACTIVE]
            case_ids = {p.case_id for p in due if p.case_id}
            cases = {c.id: c for c in s.scalars(select(PersonCase).where(PersonCase.id.in_(case_ids)))} \
                if case_ids else {}  # one query for all their cases, none per page
            for page in due:
                case = cases.get(page.case_id)
                if case is not None and page.purpose in CASE_PAGES and case.state in RESOLVED:
                    page.status, page.next_due_at = PageStatus.CANCELLED, None
                    continue
                item_id = self.pager.submit(self._item(page, case))
                if page.playout_item_id is not None:
                    self.pager.cancel_quietly(page.playout_item_id)  # a stale repeat never doubles up
                page.playout_item_id = item_id
                page.times_queued += 1
                page.first_queued_at = page.first_queued_at or now
                if page.times_queued >= page.max_repeats:
                    page.status, page.next_due_at = PageStatus.DONE, None
                else:
                    page.next_due_at = page.first_queued_at + page.times_queued * timedelta(seconds=page.interval_s)
                if case is not None and page.purpose in (P.MISSING, P.FOUND):
                    case.first_paged_at = case.first_paged_at or now
                    events.append(event_row(case, None, now, "page queued",
                                            detail=f"page #{page.id}, {page.times_queued} of {page.max_repeats}"))
                report.queued.append(page.id)
            add_events(s, events)

    def _item(self, page: Page, case: PersonCase | None):
        from broadcaster.onair.engine import PlayoutItem

        parts = list(page.texts.items())
        urgent = page.priority >= Priority.URGENT_PAGE
        chime = self.pager.chime("urgent_page" if urgent else "announcement")
        title = f"Page {case.number}" if case is not None else f"Page #{page.id}"
        page_id, case_id = page.id, page.case_id
        return PlayoutItem(priority=page.priority, title=f"{title} ({page.purpose.value})",
                           parts=[chime, self.pager.speech(parts)], zones=tuple(page.zones.split(",")),
                           kind="page", ref=f"page:{page.id}", resumable=False,
                           not_after=self.clock.now() + timedelta(seconds=max(page.interval_s, 60)),
                           check=(lambda: self._still_wanted(page_id, case_id)),
                           on_event=lambda ev: self.inbox.put(page_id, ev),
                           meta={"page_id": page.id, "purpose": page.purpose.value,
                                 "case": case.number if case is not None else None})

    def _still_wanted(self, page_id: int, case_id: int | None) -> None:
        """Run by the engine just before airing: refuse a page whose case was resolved meanwhile."""
        try:
            with self.db.session() as s:
                page = s.get(Page, page_id)
                case = s.get(PersonCase, case_id) if case_id else None
                dead = page is None or page.status in (PageStatus.CANCELLED, PageStatus.REJECTED) or (
                    case is not None and page.purpose in CASE_PAGES and case.state in RESOLVED)
        except Exception:  # the database is busy or gone: airing a page beats silence
            log.exception("page %s: could not check the case before airing; airing anyway", page_id)
            return
        if dead:
            raise InvalidTransition(f"page #{page_id} is no longer wanted (case resolved or page cancelled)")

    def _record_events(self) -> None:
        events = self.inbox.drain()
        if not events:
            return
        with self.db.session() as s:
            for page_id, ev in events:
                page = s.get(Page, page_id)
                if page is None:
                    continue
                if ev.kind == "completed":
                    page.times_aired += 1
                if page.case_id and ev.kind in ("started", "completed", "failed", "expired", "refused"):
                    add_event(s, s.get(PersonCase, page.case_id), None, f"page {ev.kind}", ev.at,
                              detail=f"page #{page_id} on {ev.zone}" + (f": {ev.detail}" if ev.detail else ""))

    def _escalate(self, report: TickReport) -> None:
        now = self.clock.now()
        alerts: list[Escalation] = []
        with self.db.session() as s:
            late = s.scalars(select(PersonCase).where(PersonCase.state == CaseState.PAGED,
                                                      PersonCase.first_paged_at <= now - self.escalate_after))
            for case in late.all():
                minutes = int(self.escalate_after.total_seconds() // 60)
                move(s, case, CaseState.ESCALATED, None, now, detail=f"unresolved {minutes} min after first page")
                alert = Escalation(case_id=case.id, at=now,
                                   reason=f"case {case.number} unresolved {minutes} min after the first page")
                s.add(alert)
                s.flush()
                if self.security_page:
                    alert.security_page_id = self._security_page(s, case)
                alerts.append(alert)
                report.escalated.append(case.number)
        for alert in alerts:
            if self.on_escalation is not None:
                try:
                    self.on_escalation(alert)
                except Exception:
                    log.exception("escalation listener failed for case id %s", alert.case_id)

    def _security_page(self, s, case: PersonCase) -> int | None:
        try:
            tpl = TemplateService._load(s, DEFAULT_KEYS["security"])
            texts = fill(tpl, case_values(case), is_child=case.is_child, child_name=case.person_name, tz=self.tz)
        except (NotFound, ValidationError, InvalidTransition) as exc:
            add_event(s, case, None, "security page skipped", self.clock.now(), detail=str(exc))
            return None
        page = self._new_page(s, None, texts, P.SECURITY, case_id=case.id, template_id=tpl.id,
                              zones=self.security_zones, repeats=1)
        add_event(s, case, None, "security page", self.clock.now(), detail=f"page #{page.id}")
        return page.id

    def _all_clear(self, s, case: PersonCase, user) -> None:
        try:
            tpl = TemplateService._load(s, DEFAULT_KEYS["all_clear"])
            if tpl.status is not TemplateStatus.APPROVED:
                raise InvalidTransition(f"template {tpl.key} is not approved")
            texts = fill(tpl, case_values(case), is_child=case.is_child, child_name=case.person_name, tz=self.tz)
        except (NotFound, ValidationError, InvalidTransition) as exc:
            add_event(s, case, user, "all-clear skipped", self.clock.now(), detail=str(exc))
            return
        page = self._new_page(s, user, texts, P.ALL_CLEAR, case_id=case.id, template_id=tpl.id, repeats=1)
        add_event(s, case, user, "all-clear", self.clock.now(), detail=f"page #{page.id}")

    # -- helpers -------------------------------------------------------------------------------
    def _new_page(self, s, user, texts: dict, purpose: TemplatePurpose, **kw) -> Page:
        """A new page, stored: due at once unless it waits for approval."""
        page = Page(**self._page_row(s, user, texts, purpose, **kw))
        s.add(page)
        s.flush()
        return page

    def _page_row(self, s, user, texts: dict, purpose: TemplatePurpose, *, case_id: int | None = None,
                  lost_item_id: int | None = None, template_id: int | None = None, extra: str | None = None,
                  pending: bool = False, zones: tuple[str, ...] | None = None, repeats: int | None = None,
                  priority: int = Priority.URGENT_PAGE, at=None) -> dict:
        from broadcaster.cases.staff import system_user

        now = at or self.clock.now()
        return dict(case_id=case_id, lost_item_id=lost_item_id, template_id=template_id, purpose=purpose,
                    status=PageStatus.PENDING_APPROVAL if pending else PageStatus.ACTIVE, priority=int(priority),
                    texts=texts, extra_text=extra, zones=",".join(zones or self.zones),
                    interval_s=int(self.interval.total_seconds()), max_repeats=repeats or self.max_repeats,
                    times_queued=0, times_aired=0, next_due_at=None if pending else now,
                    created_by_id=(user or system_user(s)).id, created_at=now)

    def _stop_case_pages(self, s, case: PersonCase) -> list[int]:
        """Cancel the case's pending repeats; the queued items are cancelled by the next tick (or, in
        another process, refused by the item's check just before airing)."""
        stopped = []
        for page in s.scalars(select(Page).where(Page.case_id == case.id, Page.purpose.in_(CASE_PAGES))):
            if page.status in (PageStatus.ACTIVE, PageStatus.PENDING_APPROVAL):
                page.status, page.next_due_at = PageStatus.CANCELLED, None
                stopped.append(page.id)
            elif page.status is PageStatus.DONE and page.playout_item_id is not None and self.pager:
                self.pager.cancel_quietly(page.playout_item_id)  # the last repeat may still be queued
                page.playout_item_id = None
        return stopped

    @staticmethod
    def _load(s, page_id: int) -> Page:
        page = s.get(Page, int(page_id))
        if page is None:
            raise NotFound(f"no such page: {page_id}")
        return page

    def page(self, page_id: int) -> Page:
        with self.db.session() as s:
            return self._load(s, page_id)

    def pages_by_id(self, ids: list[int]) -> list[Page]:
        with self.db.session() as s:
            return list(s.scalars(select(Page).where(Page.id.in_(ids))))

    def pages(self, *, case_number: str | None = None, status: PageStatus | str | None = None) -> list[Page]:
        q = select(Page).order_by(Page.id)
        with self.db.session() as s:
            if case_number:
                q = q.where(Page.case_id == load_case(s, case_number).id)
            if status:
                q = q.where(Page.status == PageStatus(status))
            return list(s.scalars(q))
