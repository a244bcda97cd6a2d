import pytest

from broadcaster.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from broadcaster.store.models.cases import PersonCase
from tests.desk.conftest import lost_child


def _count(db):
    with db.session() as s:
        return s.query(PersonCase).count()


def test_open_missing_child_case_keeps_name_and_timeline(cases):
    case = cases.open_case("dora", "missing", lost_child())
    shown = cases.get(case.number)
    assert shown.is_child and shown.person_name == "王小明" and shown.sex == "male"
    assert [(e.action, e.to_state) for e in shown.events] == [("opened", "open")]


@pytest.mark.parametrize("change, field", [
    (dict(age="five"), "age"), (dict(age=150), "age"), (dict(sex="robot"), "sex"),
    (dict(reporter_contact=None), "reporter_contact"), (dict(age=None), "age"),
    (dict(clothing=None, shoes=None), "clothing"), (dict(clothing="x" * 201), "clothing"),
])
def test_bad_details_are_refused_naming_the_field_and_store_nothing(cases, staff, change, field):
    with pytest.raises(ValidationError, match=field):
        cases.open_case("dora", "missing", lost_child(**change))
    assert _count(staff) == 0


def test_found_child_needs_a_meeting_point_and_is_a_child_by_default(cases):
    with pytest.raises(ValidationError, match="meeting_point"):
        cases.open_case("dora", "found", lost_child(meeting_point=None))
    case = cases.open_case("dora", "found", lost_child(age=None, person_name=None))
    assert case.is_child


def test_age_under_14_is_a_child_even_if_flag_says_no(cases):
    assert cases.open_case("dora", "missing", lost_child(age=13, is_child=False)).is_child
    assert not cases.open_case("dora", "missing", lost_child(age=30)).is_child
    assert cases.open_case("dora", "missing", lost_child(age=None, is_child=True)).is_child


def test_only_desk_staff_open_cases(cases, staff):
    with pytest.raises(PermissionDenied, match="bob"):
        cases.open_case("bob", "missing", lost_child())
    with pytest.raises(NotFound):
        cases.open_case("nobody", "missing", lost_child())
    assert _count(staff) == 0


def test_transitions_and_illegal_ones_name_both_states(cases):
    case = cases.open_case("dora", "missing", lost_child())
    cases.transition(case.number, "dora", "found")
    cases.transition(case.number, "dora", "reunited")
    with pytest.raises(InvalidTransition, match="reunited.*paged"):
        cases.transition(case.number, "dora", "paged")
    with pytest.raises(ValidationError, match="result"):
        cases.transition(case.number, "dora", "closed")
    assert cases.get(case.number).state.value == "reunited"  # nothing lost by the refusal
    cases.transition(case.number, "sam", "closed", result="reunited with mother at Visitor Centre")
    shown = cases.get(case.number)
    assert shown.state.value == "closed" and shown.result.startswith("reunited")
    assert [e.to_state for e in shown.events] == ["open", "found", "reunited", "closed"]
    assert shown.reunited_at and shown.closed_at
    with pytest.raises(InvalidTransition, match="closed to open|closed to found"):
        cases.transition(case.number, "dora", "found")


def test_list_open_cases(cases):
    a = cases.open_case("dora", "missing", lost_child())
    b = cases.open_case("dora", "missing", lost_child())
    cases.transition(a.number, "dora", "closed", result="false alarm")
    assert [c.number for c in cases.list_cases(open_only=True)] == [b.number]
