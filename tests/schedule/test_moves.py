"""Moving one slot: a one-off rule moves; one occurrence of a weekly rule becomes an exception of it and
a one-off slot at the new time; a slot that does not exist is refused and nothing changes. Resizing a
slot gives its rule a length of its own."""
from __future__ import annotations

from datetime import date, time

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule import moves
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec

THU, FRI, SAT = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)


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


def test_a_slot_resized_gives_its_rule_a_length_and_leaves_the_programme_and_its_other_rules_alone(
        service, db, tone, tmp_path):
    """The weekday rule's slots are stretched to 45 s: they air the music for what is left after the
    chime; the Saturday rule of the same programme and the programme itself stay as they were, a
    moved weekday slot keeps its rule's length, and a length that cannot be refuses and changes nothing."""
    from broadcaster.schedule.onair import slot_airings

    tone("m/a.wav", 30.0)
    tone("m/b.wav", 30.0)
    (tmp_path / "m" / "l.m3u").write_text("a.wav\nb.wav\n")
    service.import_playlist(tmp_path / "m" / "l.m3u", "Lobby")
    p = service.create_programme("Music", [ItemSpec("chime", chime="programme"), ItemSpec("playlist", playlist="Lobby",
                                                                                         seconds=20.0)])
    weekday = service.add_rule(p.id, RuleSpec("weekly", at=time(9), days=(3,)))
    saturday = service.add_rule(p.id, RuleSpec("weekly", at=time(11), days=(5,)))
    chime = p.items[0].estimate
    assert moves.resize(service, weekday, 45) == pytest.approx(45, abs=0.6)
    assert service.programme(p.id).items[1].seconds == 20.0  # the programme is untouched
    [thu], [sat] = service.expand(THU, THU), service.expand(SAT, SAT)
    assert (thu.rule_id, sat.rule_id) == (weekday, saturday)
    assert thu.length_s == pytest.approx(45, abs=0.6) and sat.length_s is None
    with db.session() as s:
        aired = {sl.rule_id: slot_airings(s, service.programme(p.id), sl, venue_zones=("main",))[0].pieces[-1]
                 for sl in (thu, sat)}
    assert aired[weekday]["seconds"] == round(45 - chime) and aired[saturday]["seconds"] == 20.0
    moves.move(service, weekday, THU, FRI, time(10))
    assert [sl.length_s for sl in service.expand(FRI, FRI)] == [thu.length_s]
    for bad, why in ((1, "at least"), (600, "at most")):  # shorter than the chime; longer than the music
        with pytest.raises(ValidationError, match=why):
            moves.resize(service, saturday, bad)
    assert service.expand(SAT, SAT)[0].length_s is None and service.programme(p.id).items[1].seconds == 20.0
    fixed = service.create_programme("Chime", [ItemSpec("chime", chime="programme")])
    with pytest.raises(ValidationError, match="fixed lengths"):
        moves.resize(service, service.add_rule(fixed.id, RuleSpec("weekly", at=time(8), days=(3,))), 60)
