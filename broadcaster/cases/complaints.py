"""Complaints (投诉处理): a numbered archive (``TS20261126-001``), the handling form (time, matter, who
received it, the responsible department, each handling step, the result) and its state:

received -> in handling -> answered -> followed up -> closed

Answering schedules the follow-up visit (回访, within 3 days); the visit moves the complaint to
"followed up" (or back to "in handling" when the visitor is not satisfied). A complaint not answered
within the venue's time (``complaint_answer_hours``, set in the panel: desk_settings) is escalated to
the manager, worked out when read: it shows on the supervisors' list until a supervisor closes the
escalation, and until then the complaint cannot be closed.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from broadcaster.cases import visit_plan
from broadcaster.cases.desk_settings import answer_hours
from broadcaster.cases.numbering import COMPLAINT_SERIES, by_number, next_number, venue_tz
from broadcaster.cases.staff import DESK_ROLES, SUPERVISOR_ROLES, Actor, session_as
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import FieldErrors, InvalidTransition
from broadcaster.inputs import parse
from broadcaster.inputs_cases import (ComplaintAnswer, ComplaintClose, ComplaintHandling, ComplaintReceipt,
                                      ComplaintReopen, ComplaintStep, EscalationClose, moment, read, refuse_if)
from broadcaster.store.db import Database
from broadcaster.store.models.core import User
from broadcaster.store.models.desk import (Complaint, ComplaintCategory, ComplaintChannel, ComplaintEvent,
                                           ComplaintState)

S = ComplaintState
TRANSITIONS: dict[ComplaintState, frozenset[ComplaintState]] = {
    S.RECEIVED: frozenset({S.IN_HANDLING, S.ANSWERED}),
    S.IN_HANDLING: frozenset({S.ANSWERED}),
    S.ANSWERED: frozenset({S.IN_HANDLING, S.FOLLOWED_UP}),
    S.FOLLOWED_UP: frozenset({S.IN_HANDLING, S.CLOSED}),
    S.CLOSED: frozenset(),
}
OPEN = (S.RECEIVED, S.IN_HANDLING, S.ANSWERED, S.FOLLOWED_UP)
VISIT_WITHIN_DAYS = 3
#: departments offered in the panel (any other name may be typed)
DEPARTMENTS = ("客服部 Visitor services", "保安部 Security", "保洁部 Cleaning", "工程部 Maintenance",
               "餐饮部 Catering", "票务部 Ticketing")
NOT_SATISFIED = 2  # a follow-up satisfaction at or below this sends the complaint back to handling


def escalated(c: Complaint, now: datetime, hours: float) -> bool:
    """Not answered within ``hours`` of its receipt (answered late, or still unanswered now)."""
    return (c.answered_at or now) >= c.received_at + timedelta(hours=hours)


def escalation_open(c: Complaint, now: datetime, hours: float) -> bool:
    return escalated(c, now, hours) and c.escalation_closed_at is None


def event(s: Session, c: Complaint, user: User | None, action: str, at: datetime, *, to: ComplaintState | None = None,
          detail: str = "") -> None:
    s.add(ComplaintEvent(complaint_id=c.id, user_id=user.id if user else None, action=action, at=at,
                         from_state=c.state.value if to else None, to_state=to.value if to else None, detail=detail))
    if to is not None:
        c.state = to


def move(s: Session, c: Complaint, to: ComplaintState, user: User | None, at: datetime, detail: str = "") -> None:
    if to not in TRANSITIONS[c.state]:
        raise InvalidTransition(f"complaint {c.number} is {c.state.value}: it cannot become {to.value}")
    event(s, c, user, "state", at, to=to, detail=detail)


def load(s: Session, number: str) -> Complaint:
    return by_number(s, Complaint, number, "complaint",
                     selectinload(Complaint.events).selectinload(ComplaintEvent.user),
                     selectinload(Complaint.received_by), selectinload(Complaint.escalation_closed_by))


def visited(s: Session, number: str, user: User, at: datetime, satisfaction: int, remarks: str) -> None:
    """A follow-up visit was recorded: followed up, or back to handling when the visitor is not satisfied."""
    c = load(s, number)
    if c.state is not S.ANSWERED:
        return
    if satisfaction <= NOT_SATISFIED:  # as reopen(): not answered any more (the report, the escalation clock)
        move(s, c, S.IN_HANDLING, user, at, detail=f"not satisfied at the follow-up visit: {remarks}".strip(": "))
        c.answered_at = None
    else:
        move(s, c, S.FOLLOWED_UP, user, at, detail=remarks)


class ComplaintService:
    def __init__(self, db: Database, clock: Clock | None = None, tz: ZoneInfo | None = None,
                 hours: float | None = None) -> None:
        self.db, self.clock, self.tz = db, clock or SystemClock(), tz or venue_tz()
        self._hours = hours

    @property
    def hours(self) -> float:
        return self._hours if self._hours is not None else answer_hours()

    @contextmanager
    def _changing(self, number: str, who: Actor, *, action: str, roles=DESK_ROLES):
        """The complaint ``number`` loaded in a session of the acting user, and the time now. ``action``
        is named by keyword: web/i18n.py's extractor finds the words a refusal says as ``action="..."``."""
        now = self.clock.now()
        with session_as(self.db, who, *roles, action=action) as (s, user):
            yield s, user, load(s, number), now

    def receive(self, who: Actor, values: dict) -> Complaint:
        """Record a complaint as received (the handling form's first part). Every bad field at once."""
        now = self.clock.now()
        v, errors = read(ComplaintReceipt, values)
        received_at = moment(errors, "received_at", v.received_at, self.tz, now) or now
        refuse_if(errors)
        fields = v.model_dump(exclude={"received_at"}) | {"visitor_request": v.visitor_request or "",
                                                          "channel": ComplaintChannel(v.channel),
                                                          "category": ComplaintCategory(v.category)}
        with session_as(self.db, who, *DESK_ROLES, action="record a complaint") as (s, user):
            c = Complaint(number=next_number(s, COMPLAINT_SERIES, received_at, self.tz), state=S.RECEIVED,
                          received_at=received_at, received_by_id=user.id, created_at=now, **fields)
            s.add(c)
            s.flush()
            event(s, c, user, "received", now, detail=c.matter)
        return self.get(c.number)

    def handle(self, number: str, who: Actor, values: dict) -> Complaint:
        """Hand the complaint to its responsible department (received -> in handling)."""
        v = parse(ComplaintHandling, values)
        with self._changing(number, who, action="hand on a complaint") as (s, user, c, now):
            c.department = v.department
            move(s, c, S.IN_HANDLING, user, now, detail=" · ".join(x for x in (v.department, v.note) if x))
        return self.get(number)

    def add_step(self, number: str, who: Actor, values: dict) -> Complaint:
        """One handling step (what was done, by whom, when)."""
        note = parse(ComplaintStep, values).step
        with self._changing(number, who, action="record a handling step") as (s, user, c, now):
            if c.state is S.CLOSED:
                raise InvalidTransition(f"complaint {c.number} is closed")
            event(s, c, user, "step", now, detail=note)
        return self.get(number)

    def answer(self, number: str, who: Actor, values: dict) -> Complaint:
        """The result given to the visitor; the follow-up visit is scheduled (within 3 days)."""
        result = parse(ComplaintAnswer, values).result
        with self._changing(number, who, action="answer a complaint") as (s, user, c, now):
            move(s, c, S.ANSWERED, user, now, detail=result)
            c.result, c.answered_at = result, now
            visit_plan.schedule(s, "complaint", c.number, now + timedelta(days=VISIT_WITHIN_DAYS), now)
        return self.get(number)

    def reopen(self, number: str, who: Actor, values: dict) -> Complaint:
        """The visitor is not satisfied: back to handling (a new answer schedules a new visit)."""
        note = parse(ComplaintReopen, values).reason
        with self._changing(number, who, action="reopen a complaint") as (s, user, c, now):
            move(s, c, S.IN_HANDLING, user, now, detail=note)
            c.answered_at = None
            visit_plan.cancel_open(s, "complaint", c.number)
        return self.get(number)

    def close(self, number: str, who: Actor, values: dict | None = None) -> Complaint:
        note = parse(ComplaintClose, values or {}).note or ""
        with self._changing(number, who, action="close a complaint") as (s, user, c, now):
            if escalation_open(c, now, self.hours):
                raise InvalidTransition(f"complaint {c.number} went to the manager: a supervisor closes the "
                                        "escalation first")
            move(s, c, S.CLOSED, user, now, detail=note)
            c.closed_at = now
        return self.get(number)

    def close_escalation(self, number: str, who: Actor, values: dict) -> Complaint:
        """The manager has seen it and says what to do (supervisors only)."""
        note = parse(EscalationClose, values).escalation_note
        with self._changing(number, who, action="close a complaint's escalation",
                            roles=SUPERVISOR_ROLES) as (s, user, c, now):
            if not escalated(c, now, self.hours):
                raise InvalidTransition(f"complaint {c.number} has not gone to the manager")
            if c.escalation_closed_at is not None:
                raise FieldErrors({"escalation_note": "Already closed."})
            c.escalation_closed_at, c.escalation_closed_by_id, c.escalation_note = now, user.id, note
            event(s, c, user, "escalation closed", now, detail=note)
        return self.get(number)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, number: str) -> Complaint:
        with self.db.session() as s:
            return load(s, number)

    def list(self, *, open_only: bool = False) -> list[Complaint]:
        q = select(Complaint).options(selectinload(Complaint.received_by)).order_by(Complaint.id.desc())
        if open_only:
            q = q.where(Complaint.state.in_(OPEN))
        with self.db.session() as s:
            return list(s.scalars(q))

    def escalations(self) -> list[Complaint]:
        """Complaints gone to the manager whose escalation no supervisor has closed, oldest first."""
        now, hours = self.clock.now(), self.hours
        cutoff = now - timedelta(hours=hours)
        with self.db.session() as s:
            rows = s.scalars(select(Complaint).where(Complaint.escalation_closed_at.is_(None),
                                                     Complaint.received_at <= cutoff)
                             .order_by(Complaint.received_at))
            return [c for c in rows if escalation_open(c, now, hours)]

    def is_escalated(self, c: Complaint) -> bool:
        return escalated(c, self.clock.now(), self.hours)

    def escalation_open(self, c: Complaint) -> bool:
        return escalation_open(c, self.clock.now(), self.hours)
