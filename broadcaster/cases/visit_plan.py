"""When a case's follow-up visit is due: the visit rows the case kinds write as they are handled (a
complaint answered, an incident treated), below the visit service that records what the visitor said."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcaster.store.models.desk import FollowUpVisit


def _open(kind: str, number: str):
    """The case's visits not made yet."""
    return select(FollowUpVisit).where(FollowUpVisit.case_kind == kind, FollowUpVisit.case_number == number,
                                       FollowUpVisit.done_at.is_(None))


def schedule(s: Session, kind: str, number: str, due_at: datetime, now: datetime) -> FollowUpVisit:
    """A visit due by ``due_at`` (the case's open visit is kept if it already has one)."""
    open_visit = s.scalar(_open(kind, number))
    if open_visit is not None:
        return open_visit
    visit = FollowUpVisit(case_kind=kind, case_number=number, due_at=due_at, scheduled_at=now, remarks="")
    s.add(visit)
    s.flush()
    return visit


def cancel_open(s: Session, kind: str, number: str) -> None:
    for visit in s.scalars(_open(kind, number)):
        s.delete(visit)
