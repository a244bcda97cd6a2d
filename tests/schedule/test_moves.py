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


def test_a_slot_resized_sets_its_programme_s_music_length_and_a_bad_length_changes_nothing(service, tone, tmp_path):
    tone("m/a.wav", 30.0)
    tone("m/b.wav", 30.0)
    (tmp_path / "m" / "l.m3u").write_text("a.wav\nb.wav\n")
    service.import_playlist(tmp_path / "m" / "l.m3u", "Lobby")
    p = service.create_programme("Music", [ItemSpec("chime", chime="programme"), ItemSpec("playlist", playlist="Lobby",
                                                                                         seconds=20.0)])
    chime = p.items[0].estimate
    assert moves.resize(service, p.id, 45) == pytest.approx(45, abs=0.6)
    assert service.programme(p.id).items[1].seconds == round(45 - chime)
    for bad, why in ((1, "at least"), (600, "at most")):  # shorter than the chime; longer than the music
        with pytest.raises(ValidationError, match=why):
            moves.resize(service, p.id, bad)
    assert service.programme(p.id).items[1].seconds == round(45 - chime)
    fixed = service.create_programme("Chime", [ItemSpec("chime", chime="programme")])
    with pytest.raises(ValidationError, match="fixed lengths"):
        moves.resize(service, fixed.id, 60)
