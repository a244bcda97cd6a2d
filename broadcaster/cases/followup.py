"""Follow-up calls (回访): every closed case can record who called, when, and the outcome."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import InvalidTransition, ValidationError
from broadcaster.cases.missing import add_event, load_case
from broadcaster.cases.staff import DESK_ROLES, Actor, actor
from broadcaster.store.models.cases import CaseState, FollowUp, PersonCase


class FollowUpService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db, self.clock = db, clock or SystemClock()

    def record(self, number: str, who: Actor, *, outcome: str, called_at: datetime | None = None,
               satisfied: bool | None = None) -> FollowUp:
        outcome = (outcome or "").strip()
        if not outcome:
            raise ValidationError("outcome: say what the follow-up call found")
        now = self.clock.now()
        called_at = called_at or now
        if called_at.tzinfo is None:
            raise ValidationError("called_at: give a time with a time zone")
        if called_at > now + timedelta(minutes=5):
            raise ValidationError("called_at: is in the future")
        with self.db.session() as s:
            user = actor(s, who, *DESK_ROLES, action="record a follow-up")
            case = load_case(s, number)
            if case.state is not CaseState.CLOSED:
                raise InvalidTransition(f"case {case.number} is {case.state.value}: follow up after closing it")
            if case.closed_at and called_at < case.closed_at:
                raise ValidationError("called_at: before the case was closed")
            fu = FollowUp(case_id=case.id, called_by_id=user.id, called_at=called_at, outcome=outcome,
                          satisfied=satisfied, recorded_at=now)
            s.add(fu)
            add_event(s, case, user, "follow-up", now, detail=outcome)
        return fu

    def for_case(self, number: str) -> list[FollowUp]:
        with self.db.session() as s:
            case = load_case(s, number)
            return list(s.scalars(select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.called_at)))

    def due(self) -> list[PersonCase]:
        """Closed cases nobody has called back yet."""
        with self.db.session() as s:
            called = select(FollowUp.case_id)
            return list(s.scalars(select(PersonCase).where(PersonCase.state == CaseState.CLOSED,
                                                           PersonCase.id.not_in(called))
                                  .order_by(PersonCase.closed_at)))
