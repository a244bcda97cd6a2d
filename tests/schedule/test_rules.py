"""Rule expansion: weekly/daily/interval/once, exceptions, closed days, DST both directions."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule.rules import RuleSpec, ScheduledRule, expand, parse_days, resolve_local

UTC = timezone.utc


def rule(spec, rid=1, name="P", prio=30):
    return ScheduledRule(spec.validate(), name, rid, rid, ("main",), prio)


def utc(*a):
    return datetime(*a, tzinfo=UTC)


def test_weekly_in_shanghai():
    r = rule(RuleSpec("weekly", at=time(9, 0), days=parse_days("mon,wed")))
    slots = expand([r], date(2026, 11, 23), date(2026, 11, 29), "Asia/Shanghai")
    assert [s.at for s in slots] == [utc(2026, 11, 23, 1, 0), utc(2026, 11, 25, 1, 0)]
    assert slots[0].local == datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert slots[0].local.tzinfo.key == "Asia/Shanghai"
    assert slots[0].uid == "r1-20261123T010000Z"


def test_daily_moscow_with_exception_and_closed_day():
    r = rule(RuleSpec("daily", at=time(10, 30), except_dates=frozenset({date(2026, 12, 2)})))
    slots = expand([r], date(2026, 12, 1), date(2026, 12, 4), "Europe/Moscow", closed=[date(2026, 12, 4)])
    assert [s.at for s in slots] == [utc(2026, 12, 1, 7, 30), utc(2026, 12, 3, 7, 30)]


def test_once_and_validity_range():
    once = rule(RuleSpec("once", at=time(12, 0), on_date=date(2026, 7, 1)), rid=1)
    ranged = rule(RuleSpec("daily", at=time(8, 0), start_date=date(2026, 7, 2), end_date=date(2026, 7, 3)), rid=2)
    slots = expand([once, ranged], date(2026, 6, 30), date(2026, 7, 5), "Europe/London")
    assert [(s.rule_id, s.at) for s in slots] == [
        (1, utc(2026, 7, 1, 11, 0)), (2, utc(2026, 7, 2, 7, 0)), (2, utc(2026, 7, 3, 7, 0))]


def test_interval_window_edges_inclusive():
    r = rule(RuleSpec("interval", every_minutes=30, window_start=time(10, 0), window_end=time(17, 0)))
    slots = expand([r], date(2026, 11, 23), date(2026, 11, 23), "Asia/Shanghai")
    local = [s.local.time() for s in slots]
    assert local[0] == time(10, 0) and local[-1] == time(17, 0) and len(local) == 15
    r45 = rule(RuleSpec("interval", every_minutes=45, window_start=time(10, 0), window_end=time(17, 0)))
    local = [s.local.time() for s in expand([r45], date(2026, 11, 23), date(2026, 11, 23), "Asia/Shanghai")]
    assert local[-1] == time(16, 45) and time(17, 0) not in local and len(local) == 10


def test_interval_day_filter():
    r = rule(RuleSpec("interval", every_minutes=60, window_start=time(10, 0), window_end=time(12, 0),
                      days=parse_days("sat,sun")))
    slots = expand([r], date(2026, 11, 23), date(2026, 11, 29), "UTC")
    assert {s.local.date() for s in slots} == {date(2026, 11, 28), date(2026, 11, 29)}
    assert len(slots) == 6


def test_spring_forward_nonexistent_time_airs_once_at_next_valid_instant():
    # Europe/London 2026-03-29: 01:00 GMT -> 02:00 BST; 01:30 does not exist.
    r = rule(RuleSpec("daily", at=time(1, 30)))
    slots = expand([r], date(2026, 3, 28), date(2026, 3, 30), "Europe/London")
    assert [s.at for s in slots] == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]
    assert slots[1].local.strftime("%H:%M %Z") == "02:00 BST"


def test_spring_forward_interval_collapses_gap_to_one_slot():
    r = rule(RuleSpec("interval", every_minutes=30, window_start=time(1, 0), window_end=time(3, 0)))
    slots = expand([r], date(2026, 3, 8), date(2026, 3, 8), "America/New_York")  # 02:00 EST -> 03:00 EDT
    local = [s.local.strftime("%H:%M") for s in slots]
    assert local == ["01:00", "01:30", "03:00"]  # 02:00, 02:30 and 03:00 all mean 03:00 EDT: once
    assert len({s.at for s in slots}) == len(slots)


def test_fall_back_ambiguous_time_airs_once_first_occurrence():
    # America/New_York 2026-11-01: 02:00 EDT -> 01:00 EST; 01:30 happens twice.
    r = rule(RuleSpec("daily", at=time(1, 30)))
    slots = expand([r], date(2026, 11, 1), date(2026, 11, 1), "America/New_York")
    assert [s.at for s in slots] == [utc(2026, 11, 1, 5, 30)]  # 01:30 EDT (UTC-4), not 06:30
    r2 = rule(RuleSpec("interval", every_minutes=30, window_start=time(0, 30), window_end=time(2, 0)))
    slots = expand([r2], date(2026, 10, 25), date(2026, 10, 25), "Europe/London")
    assert [s.at for s in slots] == [utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 0),
                                     utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 0)]


def test_resolve_local_plain_time():
    tz = ZoneInfo("Europe/London")
    assert resolve_local(datetime(2026, 6, 1, 9, 0), tz) == utc(2026, 6, 1, 8, 0)


def test_sorted_across_rules_higher_priority_first_on_tie():
    a = rule(RuleSpec("daily", at=time(9, 0)), rid=1, name="A", prio=30)
    b = rule(RuleSpec("daily", at=time(9, 0)), rid=2, name="B", prio=50)
    c = rule(RuleSpec("daily", at=time(8, 0)), rid=3, name="C")
    slots = expand([a, b, c], date(2026, 1, 1), date(2026, 1, 1), "UTC")
    assert [s.programme for s in slots] == ["C", "B", "A"]


@pytest.mark.parametrize("spec,field", [
    (RuleSpec("weekly", at=time(9, 0)), "days"),
    (RuleSpec("daily"), "at"),
    (RuleSpec("once", at=time(9, 0)), "on_date"),
    (RuleSpec("interval", every_minutes=0, window_start=time(10), window_end=time(11)), "every_minutes"),
    (RuleSpec("interval", every_minutes=5, window_start=time(11), window_end=time(10)), "window_end"),
    (RuleSpec("monthly", at=time(9, 0)), "kind"),
    (RuleSpec("daily", at=time(9), start_date=date(2026, 2, 1), end_date=date(2026, 1, 1)), "end_date"),
])
def test_bad_rules_name_the_field(spec, field):
    with pytest.raises(ValidationError, match=field):
        spec.validate()


def test_bad_days_and_zone():
    with pytest.raises(ValidationError, match="days"):
        parse_days("mon,funday")
    with pytest.raises(ValidationError, match="tz"):
        expand([], date(2026, 1, 1), date(2026, 1, 1), "Mars/Olympus")
