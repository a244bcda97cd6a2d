"""Follow-up calls (回访): every closed case can record who called, when, and the outcome; and follow-up
visits of every case kind (``VisitService``, below)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import InvalidTransition, ValidationError
from broadcaster.cases import complaints, incidents, visit_plan
from broadcaster.cases.missing import add_event, load_case
from broadcaster.cases.numbering import by_number
from broadcaster.cases.staff import DESK_ROLES, Actor, session_as
from broadcaster.inputs import parse
from broadcaster.inputs_cases import FollowUpCall, Visit, check_time, read, refuse_if
from broadcaster.store.models.cases import CaseState, FollowUp, LostItem, LostItemClaim, LostItemState, PersonCase
from broadcaster.store.models.desk import Complaint, ComplaintState, FollowUpVisit, Incident


class FollowUpService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db, self.clock = db, clock or SystemClock()

    def record(self, number: str, who: Actor, *, outcome: str, called_at: datetime | None = None,
               satisfied: bool | None = None) -> FollowUp:
        outcome, errors = parse(FollowUpCall, {"outcome": outcome}).outcome, {}
        now = self.clock.now()
        called_at = called_at or now
        check_time(errors, "called_at", called_at, now)
        refuse_if(errors)
        with session_as(self.db, who, *DESK_ROLES, action="record a follow-up") as (s, user):
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


# -- follow-up visits of every case kind ----------------------------------------------------------
# Return visits (回访) for every case kind the manuals name: complaints (scheduled when answered, within
# 3 days), visitor-injury incidents (scheduled when treated), missing-person cases (due 3 days after
# closing) and lost property handed back (due 3 days after). Each visit asks the visitor's satisfaction
# with the result, the staff's attitude and the timeliness (1-5) and keeps remarks.

VISIT_KINDS = ("complaint", "incident", "person", "lost_item")
VISIT_AFTER_DAYS = 3
LOW_SCORE = 2  # a score at or below this needs remarks: what was the visitor unhappy about
REACHED, UNREACHABLE = "reached", "unreachable"   # a visit's outcome


@dataclass
class DueVisit:
    kind: str
    number: str
    due_at: datetime
    who: str          # the visitor to call
    contact: str
    overdue: bool
    tries: int = 0    # calls that did not reach the visitor


class VisitService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db, self.clock = db, clock or SystemClock()

    def due(self) -> list[DueVisit]:
        """Every visit not yet made, soonest due first."""
        now = self.clock.now()
        out: list[DueVisit] = []
        with self.db.session() as s:
            done: set[tuple[str, str]] = set()
            tries: Counter[tuple[str, str]] = Counter()
            for k, n, unreachable in s.execute(select(FollowUpVisit.case_kind, FollowUpVisit.case_number,
                                                      FollowUpVisit.unreachable)
                                               .where(FollowUpVisit.done_at.is_not(None))):
                if unreachable:
                    tries[(k, n)] += 1
                else:
                    done.add((k, n))
            for visit in s.scalars(select(FollowUpVisit).where(FollowUpVisit.done_at.is_(None))):
                model = Complaint if visit.case_kind == "complaint" else Incident
                case = s.scalar(select(model).where(model.number == visit.case_number))
                out.append(DueVisit(visit.case_kind, visit.case_number, visit.due_at,
                                    getattr(case, "visitor_name", None) or "", getattr(case, "visitor_contact", None) or "",
                                    visit.due_at <= now))
            legacy = set(s.scalars(select(FollowUp.case_id)))
            for case in s.scalars(select(PersonCase).where(PersonCase.state == CaseState.CLOSED)):
                if case.id in legacy or ("person", case.number) in done or case.closed_at is None:
                    continue
                due_at = case.closed_at + timedelta(days=VISIT_AFTER_DAYS)
                out.append(DueVisit("person", case.number, due_at, case.reporter_name or "",
                                    case.reporter_contact or "", due_at <= now))
            rows = s.execute(select(LostItem, LostItemClaim).join(LostItemClaim, LostItemClaim.item_id == LostItem.id)
                             .where(LostItem.state == LostItemState.HANDED_OVER))
            for item, claim in rows:
                if ("lost_item", item.number) in done or claim.handed_over_at is None:
                    continue
                due_at = claim.handed_over_at + timedelta(days=VISIT_AFTER_DAYS)
                out.append(DueVisit("lost_item", item.number, due_at, claim.owner_name, claim.owner_contact or "",
                                    due_at <= now))
        for v in out:
            v.tries = tries[(v.kind, v.number)]
        return sorted(out, key=lambda v: v.due_at)

    def record(self, kind: str, number: str, who: Actor, values: dict) -> FollowUpVisit:
        """What the visitor said. The case moves on (a complaint to "followed up", an incident's
        follow-up step). Every bad field at once; nothing stored then. With the outcome "unreachable"
        (the visitor could not be reached) only the call is kept, without scores; the visit stays due."""
        now = self.clock.now()
        v, errors = read(Visit, values)
        if kind not in VISIT_KINDS:
            errors["kind"] = "Choose one of the list."
        if v.outcome == UNREACHABLE:
            refuse_if(errors)
            return self._unreachable(kind, number, who, v.remarks or "", now)
        scores = {name: getattr(v, name) for name in ("satisfaction", "attitude", "timeliness")}
        errors |= {name: "required" for name, score in scores.items() if score is None and name not in errors}
        remarks = v.remarks or ""
        if not remarks and any(x is not None and x <= LOW_SCORE for x in scores.values()):
            errors.setdefault("remarks", "Say what the visitor was unhappy about.")
        refuse_if(errors)
        with session_as(self.db, who, *DESK_ROLES, action="record a follow-up visit") as (s, user):
            self._check_case(s, kind, number)
            visit = visit_plan.schedule(s, kind, number, now, now)  # the open visit, or one made now
            visit.done_at, visit.visited_by_id, visit.remarks = now, user.id, remarks
            visit.satisfaction, visit.attitude, visit.timeliness = (scores["satisfaction"], scores["attitude"],
                                                                    scores["timeliness"])
            s.flush()
            self._case_moves_on(s, kind, number, user, now, scores["satisfaction"], remarks)
        return visit

    def _unreachable(self, kind: str, number: str, who: Actor, remarks: str, now: datetime) -> FollowUpVisit:
        """A call that did not reach the visitor: kept as a try (who, when, remarks); the visit stays due."""
        with session_as(self.db, who, *DESK_ROLES, action="record a follow-up visit") as (s, user):
            self._check_case(s, kind, number)
            due_at = now
            if kind in ("complaint", "incident"):  # these keep their visit as a row: it stays open
                due_at = visit_plan.schedule(s, kind, number, now, now).due_at
            attempt = FollowUpVisit(case_kind=kind, case_number=number, due_at=due_at, scheduled_at=now, done_at=now,
                                    visited_by_id=user.id, remarks=remarks, unreachable=True)
            s.add(attempt)
        return attempt

    @staticmethod
    def _check_case(s: Session, kind: str, number: str) -> None:
        if kind == "complaint":
            c = complaints.load(s, number)
            if c.state is not ComplaintState.ANSWERED:
                raise InvalidTransition(f"complaint {c.number} is {c.state.value}: visit after answering it")
        elif kind == "incident":
            incidents.load(s, number)
        elif kind == "person":
            case = load_case(s, number)
            if case.state is not CaseState.CLOSED:
                raise InvalidTransition(f"case {case.number} is {case.state.value}: visit after closing it")
        else:
            item = by_number(s, LostItem, number, "lost-property item")
            if item.state is not LostItemState.HANDED_OVER:
                raise InvalidTransition(f"item {item.number} is {item.state.value}: visit after handing it back")

    @staticmethod
    def _case_moves_on(s: Session, kind: str, number: str, user, now: datetime, satisfaction: int,
                       remarks: str) -> None:
        if kind == "complaint":
            complaints.visited(s, number, user, now, satisfaction, remarks)
        elif kind == "incident":
            incidents.visited(s, number, user, now, remarks)
        elif kind == "person":
            add_event(s, load_case(s, number), user, "follow-up", now,
                      detail=f"satisfaction {satisfaction}/5 {remarks}".strip())

    def for_case(self, kind: str, number: str) -> list[FollowUpVisit]:
        with self.db.session() as s:
            return list(s.scalars(select(FollowUpVisit).options(selectinload(FollowUpVisit.visited_by))
                                  .where(FollowUpVisit.case_kind == kind, FollowUpVisit.case_number == number)
                                  .order_by(FollowUpVisit.id)))
