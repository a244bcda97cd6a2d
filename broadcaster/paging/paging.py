"""Urgent pages for missing-person cases: trigger, repeat, cancel on resolution, all-clear, escalation.

Triggering a page stores a Page row and, in the same transaction, its first airing at
``Priority.URGENT_PAGE`` (the chime, then the approved template wording, rendered by the zone player;
:mod:`broadcaster.paging.onair`): the players are woken when it commits. It repeats every ``interval``
(default 3 min) until the case is resolved (or up to ``max_repeats`` times, when the venue caps them); a repeat is
written only once the previous airing of the page has ended, so a repeat never cuts a page that is
airing and pages take turns. Resolving cancels the page's airings and can air an "all clear". A case
still unresolved ``escalate_after`` (default 10 min) after its first page is escalated: state
``escalated``, an Escalation row and an ``escalation`` fault for supervisors, and a page to security staff.

Pages go to the venue's zones (its settings, or any zone a player has announced); a page naming another
zone is refused before anything is stored. Repeats and escalation are the leader's ``tick()`` (the
``serve`` process that leads); every other process (panel, desk CLI) only writes rows.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select

from broadcaster import audit, logs
from broadcaster.cases.missing import (RESOLVED, TEXT_FIELDS, CaseDetails, add_event, add_events, case_kind, check_wording,
                                       edit_details, event_row, load_case, move, opened_event,
                                       validate_details)
from broadcaster.cases.numbering import CASE_SERIES, next_number, venue_tz
from broadcaster.cases.resolution import CASE_PAGES, page_ref, stop_pages
from broadcaster.cases.staff import DESK_ROLES, SUPERVISOR_ROLES, Actor, session_as, system_user
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import (BroadcasterError, FieldErrors, InvalidTransition, NotFound, PermissionDenied,
                                ValidationError)
from broadcaster.onair import airings
from broadcaster.paging.defaults import DEFAULT_KEYS
from broadcaster.paging.drafts import (Draft, case_draft, case_values, escalation_reason, page_detail, page_template,
                                       draft as page_draft)
from broadcaster.paging.onair import reword, write_airing
from broadcaster.paging.rules import MixedWords
from broadcaster.paging.templates import TemplateService, fill
from broadcaster.priorities import Priority
from broadcaster.settings import load_settings
from broadcaster.store.db import Database
from broadcaster.store.models.cases import (CaseEvent, CaseKind, CaseState, Escalation, Page, PageStatus,
                                            PersonCase, TemplatePurpose)
from broadcaster.store.models.onair import OPEN_STATES, Airing, AiringState

P = TemplatePurpose


@dataclass
class TickReport:
    queued: list[int] = field(default_factory=list)      # page ids queued this tick
    escalated: list[str] = field(default_factory=list)   # case numbers escalated this tick
    alerts: list = field(default_factory=list)             # the Escalation rows written this tick


def _repeats(interval: timedelta, max_repeats: int | None) -> tuple[timedelta, int | None]:
    if (max_repeats is not None and max_repeats < 1) or interval <= timedelta(0):
        raise ValidationError("max_repeats/interval: must be positive")
    return interval, max_repeats


class PagingService:
    def __init__(self, db: Database, clock: Clock | None = None, *,
                 interval: timedelta = timedelta(minutes=3), max_repeats: int | None = None,
                 escalate_after: timedelta = timedelta(minutes=10), zones: Iterable[str] | None = None,
                 security_zones: Iterable[str] | None = None, venue_zones: Iterable[str] | None = None,
                 tz: ZoneInfo | None = None) -> None:
        """``venue_zones``: the zones the venue is configured with (default: its settings); a page may
        go to those and to any zone a player has announced, nowhere else. ``zones``: where pages go
        (default: every venue zone); ``security_zones``: where the security page goes (default: zones).
        ``max_repeats``: None (the default), a case's pages repeat until it is resolved; a number caps them."""
        self.db, self.clock = db, clock or SystemClock()
        self.interval, self.max_repeats = _repeats(interval, max_repeats)
        self.escalate_after = escalate_after
        self.venue_zones = tuple(load_settings(db).zones if venue_zones is None else venue_zones)
        self.zones = tuple(zones or self.venue_zones)
        self.security_zones = tuple(security_zones or self.zones)
        self._chosen = (bool(zones), bool(security_zones))  # else they follow the venue's zones (adopt)
        self.tz = tz or venue_tz()
        self._ticking = threading.Lock()  # one tick at a time in this process

    @classmethod
    def for_venue(cls, db: Database, clock: Clock | None, settings, venue_zones: Iterable[str] | None = None,
                  **kw) -> "PagingService":
        """Paging as the venue settings say (interval, repeats, escalation, zones): the service, the
        panel and the desk CLI build it the same way. ``venue_zones``: the venue's zones when more than
        its settings name (the service adds the zones of its own player)."""
        return cls(db, clock, interval=timedelta(minutes=settings.page_interval_min),
                   max_repeats=settings.page_max_repeats,
                   escalate_after=timedelta(minutes=settings.escalate_after_min),
                   venue_zones=tuple(venue_zones or settings.zones), tz=settings.tz, **kw)

    def adopt(self, settings, venue_zones: Iterable[str] | None = None) -> None:
        """Venue settings saved since this service was built (in this process or another): the next
        page, repeat check and escalation use their interval, repeats, escalation time and time zone; with
        ``venue_zones`` (the venue's zones now), the next page goes to them (unless its zones were chosen
        when the service was built) and a zone no longer among them is refused."""
        self.interval, self.max_repeats = _repeats(timedelta(minutes=settings.page_interval_min),
                                                   settings.page_max_repeats)
        self.escalate_after, self.tz = timedelta(minutes=settings.escalate_after_min), settings.tz
        if venue_zones is not None:
            self.venue_zones = tuple(venue_zones)
            self.zones = self.zones if self._chosen[0] else self.venue_zones
            self.security_zones = self.security_zones if self._chosen[1] else self.zones

    # -- triggering ----------------------------------------------------------------------------
    def page_case(self, number: str, who: Actor, *, template: str | int | None = None,
                  extra_text: str | dict | None = None, zones: Sequence[str] | None = None) -> Page:
        """Page about a case with an approved template (in ``zones``, default the service's). Free text
        makes it wait for a supervisor."""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="trigger a page") as (s, user):
            case, draft = case_draft(s, number, template, extra_text, self.tz)
            return self._store_page(s, user, case, draft, now, zones)

    def preview_case(self, number: str, *, template: str | int | None = None, extra_text=None) -> dict[str, str]:
        """What paging the case again would say, per language, checked as a page is; nothing is stored."""
        with self.db.session() as s:
            return case_draft(s, number, template, extra_text, self.tz)[1].texts

    def open_and_page(self, who: Actor, kind: CaseKind | str, details: CaseDetails, *,
                      template: str | int | None = None, extra_text: str | dict | None = None,
                      zones: Sequence[str] | None = None) -> tuple[PersonCase, Page | None, BroadcasterError | None]:
        """The desk's urgent page: open the case and page it in one transaction (the first airing is
        written in it too). Returns (case, page, error). Bad details, unknown zones or a user who is
        not desk staff store nothing (the error is raised), nor does a detail the page would say in
        one language inside another's text (MixedWords, beside the language that lacks it); when only the page is refused (no such
        template, not approved, a child's name in the text) the case is stored, ``page`` is None and
        ``error`` says why, so the desk can fix it and page the case again."""
        kind = case_kind(kind)
        now = self.clock.now()
        values = validate_details(kind, details, now)
        with session_as(self.db, who, *DESK_ROLES, action="open a case and page it") as (s, user):
            zones = self._zones(s, zones)  # before the case: a page nobody could hear stores nothing
            case = PersonCase(kind=kind, state=CaseState.OPEN, created_by_id=user.id, created_at=now, **values)
            try:  # the wording before the first write: the other writers wait only for the writes
                draft, refused = page_draft(case, page_template(s, case, template), extra_text, self.tz), None
            except MixedWords:  # a detail given in one language only: the desk gives the other, nothing stored
                raise
            except BroadcasterError as exc:
                draft, refused = None, exc
            case.number = next_number(s, CASE_SERIES, now, self.tz)
            s.add(case)
            s.flush()
            s.add(CaseEvent(**opened_event(case, user, now)))
            if refused is not None:  # a refused page leaves the case stored
                return case, None, refused
            if any("{case_number}" in text for text in draft.template.texts.values()):  # now it has one
                draft = page_draft(case, draft.template, extra_text, self.tz)
            try:
                with s.begin_nested():
                    page = self._store_page(s, user, case, draft, now, zones)
            except BroadcasterError as exc:
                return case, None, exc
        return case, page, None

    def preview(self, kind: CaseKind | str, details: CaseDetails, *, template: str | int | None = None,
                extra_text: str | dict | None = None, field_errors: dict | None = None) -> dict[str, str]:
        """What the page would say, per language, for these details (the desk reads it before paging).
        Checked as a page is (template approved, no-name rule, languages); nothing is stored.
        ``field_errors``: what the form found wrong already, refused with the rest (all at once)."""
        kind = case_kind(kind)
        errors: dict[str, str] = dict(field_errors or {})
        try:
            values = validate_details(kind, details, self.clock.now())
        except FieldErrors as exc:  # still say what the page would lack, so the desk sees it all at once
            errors = {**exc.fields, **errors}
            values = {f: (None if f in errors else getattr(details, f)) for f in (*TEXT_FIELDS, "age", "sex")}
            values["is_child"] = True
            values["wording"] = check_wording(details.wording, {})  # what of it is right
            for f, said in (values["wording"] or {}).items():
                values[f] = values[f] or next(iter(said.values()))
        case = PersonCase(number="—", kind=kind, state=CaseState.OPEN, **values)
        try:
            with self.db.session() as s:
                texts = page_draft(case, page_template(s, case, template), extra_text, self.tz).texts
        except FieldErrors as exc:
            errors = {**exc.fields, **errors}
        except BroadcasterError:
            if not errors:
                raise
        if errors:
            raise FieldErrors(errors)
        return texts

    def _store_page(self, s, user, case: PersonCase, draft: Draft, now, zones: Sequence[str] | None) -> Page:
        """The page, its case paged and its timeline, then (unless it waits for approval) its first airing."""
        free = draft.extra is not None
        page = self._new_page(s, user, draft.texts, draft.template.purpose, case_id=case.id,
                              template_id=draft.template.id, extra=draft.extra, pending=free, zones=zones)
        if not free and case.state is CaseState.OPEN:
            move(s, case, CaseState.PAGED, user, now, detail=f"page #{page.id}")
        add_event(s, case, user, "page", now, detail=page_detail(page, draft.template))
        self._air_due(s, TickReport(), [page], {case.id: case})
        return page

    def add_page(self, s, user, texts: dict, purpose: TemplatePurpose, **kw) -> Page:
        """A page with this wording stored in ``s`` with its first airing (lost property, the
        security page, the all-clear). Keywords as :meth:`_new_page`."""
        page = self._new_page(s, user, texts, purpose, **kw)
        self._air_due(s, TickReport(), [page])
        return page

    def edit_case(self, number: str, who: Actor, changes: dict) -> PersonCase:
        """Change a case's description (each change on its timeline); its pages say the new one."""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="edit a case") as (s, user):
            case = load_case(s, number)
            if edit_details(s, case, user, changes, now):
                reword(s, case, user, now, self.tz)
        return case

    def approve_page(self, page_id: int, who: Actor) -> Page:
        now = self.clock.now()
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="approve a page") as (s, user):
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
            audit.page_decided(s, "page_approved", user, page)
            self._air_due(s, TickReport(), [page])
        return page

    def reject_page(self, page_id: int, who: Actor, reason: str) -> Page:
        if not (reason or "").strip():
            raise ValidationError("reason: say why the page is rejected")
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="reject a page") as (s, user):
            page = self._load(s, page_id)
            if page.status is not PageStatus.PENDING_APPROVAL:
                raise InvalidTransition(f"page #{page.id}: cannot reject from {page.status.value}")
            page.status = PageStatus.REJECTED
            audit.page_decided(s, "page_rejected", user, page, reason.strip())
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
        with session_as(self.db, who, *DESK_ROLES, action="resolve a case") as (s, user):
            case = load_case(s, number)
            # one all-clear per case: only when the case is resolved now (reunited, then closed: no second)
            first_resolution = case.first_paged_at is not None and case.state not in RESOLVED
            move(s, case, state, user, now, result=result)
            stopped = stop_pages(s, case, self.db.signals, now)
            if stopped:
                add_event(s, case, user, "repeats cancelled", now, detail=", ".join(f"#{p}" for p in stopped))
            if all_clear and first_resolution:
                self._case_page(s, case, user, "all_clear", P.ALL_CLEAR)
        return case

    # -- the leader's loop ----------------------------------------------------------------------
    def tick(self) -> TickReport:
        """Queue every page that is due (a repeat, or one approved elsewhere), then escalate."""
        report = TickReport()
        with self._ticking, self.db.session() as s:
            self._air_due(s, report)
            self._escalate(s, report)
        return report

    def _air_due(self, s, report: TickReport, pages: list[Page] | None = None,
                 cases: dict[int, PersonCase] | None = None) -> None:
        """Write the next airing of every page due (or of ``pages``; ``cases``: theirs, loaded) in each of
        its zones where its previous airing has ended: never while one is queued or airing there, so repeats
        never pile up or cut a page on air, and a zone whose player is down holds back no other zone."""
        now = self.clock.now()
        if pages is None:
            pages = list(s.scalars(select(Page).where(Page.status == PageStatus.ACTIVE, Page.next_due_at <= now)
                                   .order_by(Page.priority.desc(), Page.id)))
        pages = [p for p in pages if p.status is PageStatus.ACTIVE and p.next_due_at is not None
                 and p.next_due_at <= now]
        if not pages:
            return
        queued_before = [page_ref(p.id) for p in pages if p.times_queued]  # a page never queued has no airing
        known = set(self.venue_zones).union(airings.announced_zones(s))  # a zone the venue removed is neither
        if queued_before:  # an airing waiting in a zone removed since would wait for ever
            for row in s.scalars(select(Airing).where(Airing.ref.in_(queued_before), Airing.state == AiringState.QUEUED,
                                                      Airing.zone.not_in(known))):
                row.state, row.detail = AiringState.CANCELLED, "its zone is no longer the venue's"
            s.flush()
        busy = {(ref, zone) for ref, zone in s.execute(select(Airing.ref, Airing.zone).where(
            Airing.ref.in_(queued_before), Airing.state.in_(OPEN_STATES)))} if queued_before else set()
        cases = dict(cases or {})
        if missing := {p.case_id for p in pages if p.case_id} - set(cases):
            cases |= {c.id: c for c in s.scalars(select(PersonCase).where(PersonCase.id.in_(missing)))}
        events: list[dict] = []
        for page in pages:
            zones = [z for z in page.zones.split(",") if z in known] or list(self.zones)
            page.zones = ",".join(zones)  # the repeat in the page's zones the venue still has, else in its zones now
            free = [z for z in zones if (page_ref(page.id), z) not in busy]
            if not free:
                continue  # waiting its turn or on air in every zone: the repeat comes after it
            case = cases.get(page.case_id)
            if case is not None and page.purpose in CASE_PAGES and case.state in RESOLVED:
                page.status, page.next_due_at = PageStatus.CANCELLED, None
                continue
            write_airing(s, page, case, now, self.db.signals, free)
            page.times_queued += 1
            page.first_queued_at = page.first_queued_at or now
            if page.max_repeats and page.times_queued >= page.max_repeats:  # 0: until its case is resolved
                page.status, page.next_due_at = PageStatus.DONE, None
            else:
                page.next_due_at = page.first_queued_at + page.times_queued * timedelta(seconds=page.interval_s)
            if case is not None and page.purpose in (P.MISSING, P.FOUND):
                case.first_paged_at = case.first_paged_at or now
                count = f"{page.times_queued} of {page.max_repeats}" if page.max_repeats \
                    else f"airing {page.times_queued}"  # 0: until its case is resolved
                events.append(event_row(case, None, now, "page queued", detail=f"page #{page.id}, {count}"))
            report.queued.append(page.id)
        add_events(s, events)

    def _escalate(self, s, report: TickReport) -> None:
        now = self.clock.now()
        late = s.scalars(select(PersonCase).where(PersonCase.state == CaseState.PAGED,
                                                  PersonCase.first_paged_at <= now - self.escalate_after))
        for case in late.all():
            minutes = int(self.escalate_after.total_seconds() // 60)
            move(s, case, CaseState.ESCALATED, None, now, detail=f"unresolved {minutes} min after first page")
            alert = Escalation(case_id=case.id, at=now, reason=escalation_reason(case, minutes))
            s.add(alert)
            s.flush()
            # a found child is safe: its page is about the guardian expected at the meeting point
            key = "security_found" if case.kind is CaseKind.FOUND else "security"
            page, why = self._case_page(s, case, None, key, P.SECURITY, zones=self.security_zones)
            alert.security_page_id = page.id if page is not None else None
            report.queued += [page.id] if page is not None else []
            if why:
                alert.reason += f"; the security page was not aired: {why}"
            # the supervisors' alarm, stored with the escalation: its reason names the case by its number
            logs.raise_fault(s, "escalation", f"{alert.reason} (Code Adam): supervisors, check exits",
                             ref=f"case:{case.number}")
            report.alerts.append(alert)
            report.escalated.append(case.number)

    def _case_page(self, s, case: PersonCase, user, key: str, purpose: TemplatePurpose, *,
                   zones: Sequence[str] | None = None) -> tuple[Page | None, str]:
        """A one-off page about ``case`` from a default template (security, all-clear), or a timeline
        entry saying why it was skipped (template missing or not approved, a zone unknown).
        Returns (page, "") or (None, why)."""
        what = "all-clear" if purpose is P.ALL_CLEAR else "security page"
        try:
            with s.begin_nested():
                tpl = TemplateService._load(s, DEFAULT_KEYS[key])
                texts = fill(tpl, case_values(case), is_child=case.is_child, child_name=case.person_name,
                             tz=self.tz)
                page = self.add_page(s, user, texts, purpose, case_id=case.id, template_id=tpl.id,
                                     zones=zones, repeats=1)
        except (NotFound, ValidationError, InvalidTransition) as exc:
            add_event(s, case, user, f"{what} skipped", self.clock.now(), detail=str(exc))
            return None, str(exc)
        add_event(s, case, user, what, self.clock.now(), detail=f"page #{page.id}")
        return page, ""

    # -- reading (the panel, the desk CLI) ------------------------------------------------------
    @staticmethod
    def _load(s, page_id: int) -> Page:
        page = s.get(Page, int(page_id))
        if page is None:
            raise NotFound(f"no such page: {page_id}")
        return page

    def page(self, page_id: int) -> Page:
        with self.db.session() as s:
            return self._load(s, page_id)

    def pages(self, *, case_number: str | None = None, status: PageStatus | str | None = None) -> list[Page]:
        q = select(Page).order_by(Page.id)
        with self.db.session() as s:
            if case_number:
                q = q.where(Page.case_id == load_case(s, case_number).id)
            if status:
                q = q.where(Page.status == PageStatus(status))
            return list(s.scalars(q))

    # -- helpers -------------------------------------------------------------------------------
    def _new_page(self, s, user, texts: dict, purpose: TemplatePurpose, *, case_id: int | None = None,
                  lost_item_id: int | None = None, template_id: int | None = None, extra: str | None = None,
                  pending: bool = False, zones: tuple[str, ...] | None = None, repeats: int | None = None,
                  priority: int = Priority.URGENT_PAGE) -> Page:
        """A new page, stored: due at once unless it waits for approval."""
        now = self.clock.now()
        page = Page(case_id=case_id, lost_item_id=lost_item_id, template_id=template_id, purpose=purpose,
                    status=PageStatus.PENDING_APPROVAL if pending else PageStatus.ACTIVE, priority=int(priority),
                    texts=texts, extra_text=extra, zones=",".join(self._zones(s, zones)),
                    interval_s=int(self.interval.total_seconds()), max_repeats=repeats or self.max_repeats or 0,
                    times_queued=0, times_aired=0, next_due_at=None if pending else now,
                    created_by_id=(user or system_user(s)).id, created_at=now)
        s.add(page)
        s.flush()
        return page

    def _zones(self, s, zones: Sequence[str] | None) -> list[str]:
        """The zones a page goes to (default the service's), refused (ValidationError) when one is
        neither a venue zone nor announced by a player."""
        return airings.check_zones(s, zones or self.zones, self.venue_zones)
