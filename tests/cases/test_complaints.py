"""Complaints: numbered archive, the handling form, states with their history, the follow-up visit
within 3 days, escalation to the manager when unanswered, and the refusals (nothing stored)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from broadcaster.errors import FieldErrors, InvalidTransition, PermissionDenied
from broadcaster.store.models.desk import Complaint, ComplaintEvent, FollowUpVisit
from tests.cases.conftest import GOOD_VISIT, complaint_form


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def history(c) -> list[tuple[str | None, str | None]]:
    return [(e.from_state, e.to_state) for e in c.events if e.action == "state"]


def test_receipt_to_closed_with_history_and_visit(complaints, visits, clock, staff):
    c = complaints.receive("dora", complaint_form())
    assert c.number == "TS20261122-001" and c.state.value == "received"
    assert c.received_by.name == "dora" and c.channel.value == "phone"
    c = complaints.handle(c.number, "dora", {"department": "保洁部 Cleaning", "note": "called the cleaners"})
    c = complaints.add_step(c.number, "dan", {"step": "cleaner restocked the paper at 18:20"})
    clock.advance(minutes=30)
    c = complaints.answer(c.number, "dan", {"result": "已补充纸巾并致歉"})
    assert c.state.value == "answered" and c.answered_at == clock.now()
    with staff.session() as s:
        visit = s.scalar(select(FollowUpVisit).where(FollowUpVisit.case_number == c.number))
        assert visit.done_at is None and visit.due_at == clock.now() + timedelta(days=3)
    assert [(v.kind, v.number) for v in visits.due()] == [("complaint", c.number)]
    clock.advance(days=1)
    visits.record("complaint", c.number, "dora", GOOD_VISIT)
    c = complaints.get(c.number)
    assert c.state.value == "followed_up" and visits.due() == []
    c = complaints.close(c.number, "dora")
    assert c.state.value == "closed" and c.closed_at == clock.now()
    assert history(c) == [("received", "in_handling"), ("in_handling", "answered"), ("answered", "followed_up"),
                          ("followed_up", "closed")]
    assert [e.action for e in c.events] == ["received", "state", "step", "state", "state", "state"]
    assert {e.user.name for e in c.events if e.action == "step"} == {"dan"}
    done = visits.for_case("complaint", c.number)[0]
    assert (done.satisfaction, done.attitude, done.timeliness, done.visited_by.name) == (5, 4, 4, "dora")


def test_every_bad_field_at_once_and_nothing_stored(complaints, staff):
    with pytest.raises(FieldErrors) as err:
        complaints.receive("dora", {"channel": "pigeon", "category": "", "matter": "  ",
                                    "visitor_name": "x" * 121, "received_at": "yesterday"})
    assert set(err.value.fields) == {"channel", "category", "matter", "visitor_name", "received_at"}
    assert err.value.fields["matter"] == "required" and err.value.fields["channel"] == "Choose one of the list."
    assert count(staff, Complaint) == 0 and count(staff, ComplaintEvent) == 0


def test_a_received_time_in_the_future_is_refused(complaints, clock, staff):
    later = (clock.now() + timedelta(hours=2)).isoformat()
    with pytest.raises(FieldErrors) as err:
        complaints.receive("dora", complaint_form(received_at=later))
    assert set(err.value.fields) == {"received_at"} and count(staff, Complaint) == 0


def test_only_desk_staff_record(complaints, staff):
    with pytest.raises(PermissionDenied):
        complaints.receive("bob", complaint_form())
    assert count(staff, Complaint) == 0


def test_transitions_are_guarded(complaints, visits):
    c = complaints.receive("dora", complaint_form())
    with pytest.raises(InvalidTransition):
        complaints.close(c.number, "dora")  # not followed up
    with pytest.raises(InvalidTransition):  # no visit before an answer
        visits.record("complaint", c.number, "dora", GOOD_VISIT)
    with pytest.raises(FieldErrors) as err:
        complaints.answer(c.number, "dora", {"result": ""})
    assert set(err.value.fields) == {"result"}
    assert complaints.get(c.number).state.value == "received"
    with pytest.raises(FieldErrors):
        complaints.handle(c.number, "dora", {"department": ""})
    assert history(complaints.get(c.number)) == []


def test_an_unsatisfied_visitor_sends_it_back_to_handling(complaints, visits, clock, staff):
    c = complaints.receive("dora", complaint_form())
    complaints.answer(c.number, "dora", {"result": "apologised"})
    with pytest.raises(FieldErrors) as err:  # a low score needs remarks
        visits.record("complaint", c.number, "dora", {"satisfaction": "1", "attitude": "3", "timeliness": "3"})
    assert set(err.value.fields) == {"remarks"}
    visits.record("complaint", c.number, "dora", {"satisfaction": "1", "attitude": "3", "timeliness": "2",
                                                  "remarks": "still no paper"})
    c = complaints.get(c.number)
    # not answered any more, as when the desk reopens it (the report's "resolved", the escalation clock);
    # the first answer stays in the history
    assert c.state.value == "in_handling" and c.answered_at is None
    assert [e.detail for e in c.events if e.to_state == "answered"] == ["apologised"]
    complaints.answer(c.number, "dan", {"result": "dispenser replaced"})
    due = visits.due()
    assert [(v.kind, v.number) for v in due] == [("complaint", c.number)]  # a new visit for the new answer
    with staff.session() as s:
        assert s.scalar(select(func.count()).select_from(FollowUpVisit)) == 2


def test_unanswered_complaint_goes_to_the_manager(complaints, clock, visits):
    late = complaints.receive("dora", complaint_form())
    quick = complaints.receive("dora", complaint_form(category="facility"))
    complaints.answer(quick.number, "dora", {"result": "fixed"})
    clock.advance(hours=23, minutes=59)
    assert complaints.escalations() == []
    clock.advance(minutes=1)
    assert [c.number for c in complaints.escalations()] == [late.number]
    complaints.answer(late.number, "dora", {"result": "sorry for the wait"})
    assert [c.number for c in complaints.escalations()] == [late.number]  # answered late: still the manager's
    visits.record("complaint", late.number, "dora", GOOD_VISIT)
    with pytest.raises(InvalidTransition):  # the desk cannot close it past the manager
        complaints.close(late.number, "dora")
    with pytest.raises(PermissionDenied):  # only a supervisor closes an escalation
        complaints.close_escalation(late.number, "dora", {"escalation_note": "ok"})
    with pytest.raises(FieldErrors):
        complaints.close_escalation(late.number, "sam", {"escalation_note": ""})
    assert complaints.get(late.number).escalation_closed_at is None
    with pytest.raises(InvalidTransition):  # answered in time: nothing to close
        complaints.close_escalation(quick.number, "sam", {"escalation_note": "?"})
    c = complaints.close_escalation(late.number, "sam", {"escalation_note": "talk to the cleaning lead"})
    assert c.escalation_closed_by.name == "sam" and complaints.escalations() == []
    assert complaints.close(late.number, "dora").state.value == "closed"


def test_venue_sets_the_answer_time(staff, clock, monkeypatch):
    from broadcaster.cases.complaints import ComplaintService, answer_hours
    from broadcaster.settings import save_settings

    assert answer_hours() == 24.0
    save_settings({"complaint_answer_hours": 2})
    assert answer_hours() == 2.0
    svc = ComplaintService(staff, clock)
    c = svc.receive("dora", complaint_form())
    clock.advance(hours=2)
    assert [x.number for x in svc.escalations()] == [c.number]
