import pytest

from broadcaster.cases.followup import FollowUpService
from broadcaster.cases.stats import monthly_stats
from broadcaster.errors import InvalidTransition, ValidationError
from tests.desk.conftest import lost_child


def test_follow_up_only_after_closing(cases, clock, staff):
    fu = FollowUpService(staff, clock)
    case = cases.open_case("dora", "missing", lost_child())
    with pytest.raises(InvalidTransition, match="open"):
        fu.record(case.number, "dora", outcome="satisfied")
    cases.transition(case.number, "dora", "reunited")
    cases.transition(case.number, "dora", "closed", result="reunited at Visitor Centre")
    assert [c.number for c in fu.due()] == [case.number]
    with pytest.raises(ValidationError, match="outcome"):
        fu.record(case.number, "dora", outcome="")
    clock.advance(days=1)
    rec = fu.record(case.number, "dan", outcome="family satisfied, thanked the staff", satisfied=True)
    assert rec.called_at == clock.now()
    assert [f.outcome for f in fu.for_case(case.number)] == ["family satisfied, thanked the staff"]
    assert fu.due() == []
    assert cases.get(case.number).events[-1].action == "follow-up"


def test_monthly_stats(cases, clock, staff, templates):
    a = cases.open_case("dora", "missing", lost_child())
    clock.advance(minutes=10)
    cases.transition(a.number, "dora", "reunited")
    b = cases.open_case("dora", "missing", lost_child())
    clock.advance(minutes=30)
    cases.transition(b.number, "dora", "reunited")
    cases.transition(b.number, "dora", "closed", result="ok")
    FollowUpService(staff, clock).record(b.number, "dora", outcome="fine")
    c = cases.open_case("dora", "found", lost_child(person_name=None))
    clock.advance(minutes=50)
    cases.transition(c.number, "dora", "reunited")
    cases.open_case("dora", "missing", lost_child(age=40))
    clock.advance(days=40)
    cases.open_case("dora", "missing", lost_child())  # next month: not counted
    st = monthly_stats(staff, 2026, 11)
    missing, found = st["cases"]["missing"], st["cases"]["found"]
    assert missing["total"] == 3 and missing["children"] == 2
    assert missing["by_state"]["reunited"] == 1 and missing["by_state"]["closed"] == 1
    assert missing["by_state"]["open"] == 1 and missing["followed_up"] == 1
    assert missing["median_minutes_to_reunite"] == 20.0  # 10 and 30 minutes
    assert found["total"] == 1 and found["median_minutes_to_reunite"] == 50.0
    assert monthly_stats(staff, 2026, 12)["cases"]["missing"]["total"] == 0
    assert monthly_stats(staff, 2027, 1)["cases"]["missing"]["total"] == 1
    with pytest.raises(ValidationError, match="month"):
        monthly_stats(staff, 2026, 13)
