"""Visitor-injury incidents (each step with when and who, forward only, closing needs the result) and
follow-up visits of every case kind (scheduled, due, recorded; refusals store nothing)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from broadcaster.cases.lost_property import LostPropertyService
from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.errors import FieldErrors, InvalidTransition, PermissionDenied
from broadcaster.store.models.desk import FollowUpVisit, Incident, IncidentStep
from tests.cases.conftest import GOOD_VISIT


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_incident_steps_with_time_and_who(incidents, visits, clock, staff):
    inc = incidents.report("dora", {"place": "滑梯 Slide", "injury": "fell, cut chin", "visitor_name": "小张",
                                    "occurred_at": "2026-11-22T17:40"})
    assert inc.number == "YW20261122-001" and inc.state.value == "reported"
    clock.advance(minutes=5)
    incidents.step(inc.number, "dora", {"step": "first_aid", "detail": "cleaned and dressed"})
    incidents.step(inc.number, "dan", {"step": "ambulance", "detail": "120 called"})
    clock.advance(minutes=40)
    incidents.step(inc.number, "dan", {"step": "hospital", "detail": "市一医院, stitches"})
    assert [(v.kind, v.number) for v in visits.due()] == [("incident", inc.number)]
    clock.advance(days=1)
    visits.record("incident", inc.number, "dora", GOOD_VISIT)
    incidents.step(inc.number, "sam", {"step": "claim", "detail": "insurer paid 800"})
    inc = incidents.step(inc.number, "sam", {"step": "closed", "detail": "claim settled"})
    assert [(s.step, s.user.name) for s in inc.steps] == [
        ("reported", "dora"), ("first_aid", "dora"), ("ambulance", "dan"), ("hospital", "dan"),
        ("follow_up", "dora"), ("claim", "sam"), ("closed", "sam")]
    assert inc.state.value == "closed" and inc.result == "claim settled" and inc.closed_at == clock.now()
    assert all(s.at is not None for s in inc.steps)
    with pytest.raises(InvalidTransition):  # nothing after closing
        incidents.step(inc.number, "dora", {"step": "follow_up", "detail": "x"})


def test_incident_refusals_store_nothing(incidents, clock, staff):
    with pytest.raises(FieldErrors) as err:
        incidents.report("dora", {"place": "", "injury": "", "occurred_at": "soon"})
    assert set(err.value.fields) == {"place", "injury", "occurred_at"}
    assert count(staff, Incident) == 0
    inc = incidents.report("dora", {"place": "gate", "injury": "twisted ankle"})
    with pytest.raises(FieldErrors) as err:  # the hospital's record must say which hospital
        incidents.step(inc.number, "dora", {"step": "hospital", "detail": " "})
    assert set(err.value.fields) == {"detail"}
    incidents.step(inc.number, "dora", {"step": "hospital", "detail": "城东医院"})
    with pytest.raises(InvalidTransition):  # steps go forward
        incidents.step(inc.number, "dora", {"step": "first_aid"})
    with pytest.raises(FieldErrors) as err:
        incidents.step(inc.number, "dora", {"step": "claim", "detail": "x",
                                            "at": (clock.now() - timedelta(hours=3)).isoformat()})
    assert set(err.value.fields) == {"at"}
    with pytest.raises(PermissionDenied):
        incidents.step(inc.number, "bob", {"step": "claim", "detail": "x"})
    assert count(staff, IncidentStep) == 2


def test_visits_of_cases_and_lost_property(staff, clock, visits):
    cases = CaseService(staff, clock)
    case = cases.open_case("dora", "missing", CaseDetails(age=30, sex="man", clothing="blue coat",
                                                          reporter_name="王芳", reporter_contact="138"))
    cases.transition(case.number, "dora", "closed", result="found at the gate")
    lost = LostPropertyService(staff, clock)
    item = lost.register("dora", category="phone", where_found="café", finder="cleaner", storage_place="safe")
    lost.claim(item.number, "dora", owner_name="陈先生", owner_identity="ID 1234", verification_note="lock screen",
               signature="陈")
    due = visits.due()
    assert {(v.kind, v.number, v.who) for v in due} == {("person", case.number, "王芳"),
                                                        ("lost_item", item.number, "陈先生")}
    assert all(v.due_at == clock.now() + timedelta(days=3) and not v.overdue for v in due)
    clock.advance(days=3)
    assert all(v.overdue for v in visits.due())
    with pytest.raises(FieldErrors) as err:  # every score at once, nothing stored
        visits.record("person", case.number, "dora", {"satisfaction": "9", "attitude": "", "timeliness": "x"})
    assert set(err.value.fields) == {"satisfaction", "attitude", "timeliness"}
    assert count(staff, FollowUpVisit) == 0
    visits.record("person", case.number, "dora", GOOD_VISIT)
    visits.record("lost_item", item.number, "dan", GOOD_VISIT)
    assert visits.due() == []
    assert [e.action for e in cases.get(case.number).events][-1] == "follow-up"


def test_no_visit_before_the_case_is_handled(staff, clock, visits):
    cases = CaseService(staff, clock)
    case = cases.open_case("dora", "missing", CaseDetails(age=30, sex="man", clothing="blue coat",
                                                          reporter_name="王芳", reporter_contact="138"))
    with pytest.raises(InvalidTransition):
        visits.record("person", case.number, "dora", GOOD_VISIT)
    assert count(staff, FollowUpVisit) == 0 and visits.due() == []


def test_a_visitor_who_could_not_be_reached(staff, clock, visits, complaints):
    """"Could not be reached": the call is kept without scores, the visit stays due and is tried again;
    the case does not move on until the visitor is reached."""
    from broadcaster.store.models.desk import ComplaintState
    from tests.cases.conftest import complaint_form

    c = complaints.receive("dora", complaint_form())
    complaints.answer(c.number, "dora", {"result": "补充了纸巾"})
    cases = CaseService(staff, clock)
    case = cases.open_case("dora", "missing", CaseDetails(age=30, sex="man", clothing="blue coat",
                                                          reporter_name="王芳", reporter_contact="138"))
    cases.transition(case.number, "dora", "closed", result="found at the gate")
    with pytest.raises(FieldErrors) as err:
        visits.record("complaint", c.number, "dora", {"outcome": "maybe"})
    assert set(err.value.fields) == {"outcome", "satisfaction", "attitude", "timeliness"}
    assert count(staff, FollowUpVisit) == 1  # the planned visit only
    for kind, number in (("complaint", c.number), ("person", case.number)):
        v = visits.record(kind, number, "dora", {"outcome": "unreachable", "remarks": "无人接听",
                                                 "satisfaction": "1"})  # scores are not kept for a missed call
        assert v.unreachable and v.satisfaction is None and v.done_at is not None
    assert complaints.get(c.number).state is ComplaintState.ANSWERED
    due = {(v.kind, v.number): v for v in visits.due()}
    assert set(due) == {("complaint", c.number), ("person", case.number)}  # still due: try again
    assert due[("complaint", c.number)].tries == 1 and due[("person", case.number)].tries == 1
    visits.record("complaint", c.number, "dan", GOOD_VISIT)  # reached at the second try
    assert complaints.get(c.number).state is ComplaintState.FOLLOWED_UP
    assert {(v.kind, v.number) for v in visits.due()} == {("person", case.number)}
    with staff.session() as s:
        done = s.scalars(select(FollowUpVisit).where(FollowUpVisit.case_number == c.number)
                         .order_by(FollowUpVisit.id)).all()
        assert [(v.unreachable, v.satisfaction) for v in done] == [(False, 5), (True, None)]
