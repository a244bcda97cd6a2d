"""Visitor-injury incidents (意外伤害处理): a numbered archive (``YW20261126-001``) and its steps, each
timestamped with who did it:

reported -> first aid / ambulance (120) called -> hospital -> follow-up -> claim -> closed

Steps go forward (any may be skipped: a graze needs first aid and closing only; first aid and the
ambulance may come in either order; follow-ups repeat). Treatment schedules a follow-up visit for the
next day; the visit is recorded as a follow-up step. Closing needs the result.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from broadcaster.cases import visit_plan
from broadcaster.cases.numbering import INCIDENT_SERIES, by_number, next_number, venue_tz
from broadcaster.cases.staff import DESK_ROLES, Actor, session_as
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import FieldErrors, InvalidTransition
from broadcaster.inputs_cases import IncidentReport, IncidentStepForm, moment, read, refuse_if
from broadcaster.store.db import Database
from broadcaster.store.models.core import User
from broadcaster.store.models.desk import Incident, IncidentState, IncidentStep

S = IncidentState
RANK = {S.REPORTED: 0, S.FIRST_AID: 1, S.AMBULANCE: 1, S.HOSPITAL: 2, S.FOLLOW_UP: 3, S.CLAIM: 4, S.CLOSED: 5}
#: steps whose record must say something (the hospital's name, the claim, the result)
NEEDS_DETAIL = (S.HOSPITAL, S.CLAIM, S.CLOSED)
TREATED = (S.FIRST_AID, S.AMBULANCE, S.HOSPITAL)
VISIT_AFTER = timedelta(days=1)
OPEN = tuple(st for st in IncidentState if st is not S.CLOSED)


def load(s: Session, number: str) -> Incident:
    return by_number(s, Incident, number, "incident", selectinload(Incident.steps).selectinload(IncidentStep.user),
                     selectinload(Incident.reported_by))


def allowed(current: IncidentState, step: IncidentState) -> bool:
    if current is S.CLOSED or step is S.REPORTED:
        return False
    return RANK[step] >= RANK[current]


def add_step(s: Session, inc: Incident, step: IncidentState, user: User, at: datetime, detail: str,
             now: datetime) -> None:
    s.add(IncidentStep(incident_id=inc.id, step=step.value, at=at, user_id=user.id, detail=detail, recorded_at=now))
    if RANK[step] >= RANK[inc.state]:
        inc.state = step
    if step is S.CLOSED:
        inc.closed_at, inc.result = at, detail
    if step in TREATED:
        visit_plan.schedule(s, "incident", inc.number, at + VISIT_AFTER, now)


def visited(s: Session, number: str, user: User, at: datetime, remarks: str) -> None:
    """A follow-up visit was recorded: it is the incident's follow-up step."""
    inc = load(s, number)
    if inc.state is not S.CLOSED:
        add_step(s, inc, S.FOLLOW_UP, user, at, remarks or "follow-up visit", at)


class IncidentService:
    def __init__(self, db: Database, clock: Clock | None = None, tz: ZoneInfo | None = None) -> None:
        self.db, self.clock, self.tz = db, clock or SystemClock(), tz or venue_tz()

    def report(self, who: Actor, values: dict) -> Incident:
        now = self.clock.now()
        v, errors = read(IncidentReport, values)
        occurred_at = moment(errors, "occurred_at", v.occurred_at, self.tz, now) or now
        refuse_if(errors)
        fields = v.model_dump(exclude={"occurred_at"})
        with session_as(self.db, who, *DESK_ROLES, action="report an incident") as (s, user):
            inc = Incident(number=next_number(s, INCIDENT_SERIES, occurred_at, self.tz), state=S.REPORTED,
                           occurred_at=occurred_at, reported_by_id=user.id, created_at=now, **fields)
            s.add(inc)
            s.flush()
            add_step(s, inc, S.REPORTED, user, now, fields["injury"], now)
        return self.get(inc.number)

    def step(self, number: str, who: Actor, values: dict) -> Incident:
        """Record the next step (``step``: first_aid, ambulance, hospital, follow_up, claim, closed) with
        when it happened (``at``, default now) and what was done (``detail``)."""
        now = self.clock.now()
        v, errors = read(IncidentStepForm, values)
        step = IncidentState(v.step) if v.step else None
        at = moment(errors, "at", v.at, self.tz, now) or now
        detail = v.detail or ""
        if step in NEEDS_DETAIL and not detail and "detail" not in errors:
            errors["detail"] = "required"
        refuse_if(errors)
        with session_as(self.db, who, *DESK_ROLES, action="record an incident step") as (s, user):
            inc = load(s, number)
            if not allowed(inc.state, step):
                raise InvalidTransition(f"incident {inc.number} is {inc.state.value}: {step.value} cannot follow")
            if at < inc.occurred_at:
                raise FieldErrors({"at": "Before the incident happened."})
            add_step(s, inc, step, user, at, detail, now)
        return self.get(number)

    def get(self, number: str) -> Incident:
        with self.db.session() as s:
            return load(s, number)

    def list(self, *, open_only: bool = False) -> list[Incident]:
        q = select(Incident).options(selectinload(Incident.reported_by)).order_by(Incident.id.desc())
        if open_only:
            q = q.where(Incident.state.in_(OPEN))
        with self.db.session() as s:
            return list(s.scalars(q))

    @staticmethod
    def next_steps(inc: Incident) -> list[IncidentState]:
        return [st for st in IncidentState if allowed(inc.state, st)]
