"""Moving one slot: a one-off rule moves; one occurrence of a weekly rule becomes an exception of it and
a one-off slot at the new time; a slot that does not exist is refused and nothing changes."""
from __future__ import annotations

from datetime import date, time

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule import moves
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec

THU, FRI = date(2026, 11, 26), date(2026, 11, 27)


def times(service, day):
    return [(sl.programme, sl.local.strftime("%H:%M")) for sl in service.expand(day, day)]


def test_one_occurrence_of_a_weekly_rule_moves_and_the_others_stay(service):
    p = service.create_programme("Opening", [ItemSpec("chime", chime="programme")])
    rid = service.add_rule(p.id, RuleSpec("weekly", at=time(9), days=(0, 3)))
    new = moves.move(service, rid, THU, THU, time(10))
    assert times(service, THU) == [("Opening", "10:00")] and new != rid
    assert times(service, date(2026, 12, 3)) == [("Opening", "09:00")]  # next Thursday as before
    assert times(service, date(2026, 11, 30)) == [("Opening", "09:00")]
    again = moves.move(service, new, THU, FRI, time(11, 30))  # the one-off itself moves
    assert again == new and times(service, THU) == [] and times(service, FRI) == [("Opening", "11:30")]


def test_a_slot_that_is_not_there_is_refused_and_nothing_changes(service):
    p = service.create_programme("Opening", [ItemSpec("chime", chime="programme")])
    rid = service.add_rule(p.id, RuleSpec("weekly", at=time(9), days=(0,)))
    with pytest.raises(ValidationError, match="no slot"):
        moves.move(service, rid, THU, FRI, time(10))
    assert [r.rule_id for r in service.rules()] == [rid] and service.rules()[0].spec.except_dates == frozenset()
