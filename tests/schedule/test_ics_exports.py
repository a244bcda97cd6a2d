"""Calendar files as Google Calendar and Outlook export them (hand-written copies in this folder:
recurring events with RRULE/UNTIL/COUNT, EXDATE, a moved and a cancelled occurrence, VTIMEZONE with a
Windows zone name, folded lines, escaped commas) import as the rules they mean, air at the right
instants, and an import shows what it will change before it does."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule import ics, ics_import
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec

HERE = Path(__file__).parent
GOOGLE, OUTLOOK = (HERE / "google.ics").read_text(), (HERE / "outlook.ics").read_text()
CLOSING = "闭园广播：各位游客请注意，园区将于十八点闭园，请带好随身物品, 有序离园"


def test_a_google_calendar_export_imports_as_it_was_meant():
    morning, closing, xmas, moved = ics.parse_events(GOOGLE, "Asia/Shanghai")
    assert morning.summary == "Morning, welcome" and closing.summary == CLOSING  # escaped comma, folded line
    assert morning.spec == RuleSpec("weekly", at=time(9, 0), days=(0, 3), start_date=date(2026, 11, 23),
                                    end_date=date(2026, 12, 20),  # UNTIL 15:59:59Z is 23:59:59 in Shanghai
                                    except_dates=frozenset({date(2026, 11, 26),  # EXDATE
                                                            date(2026, 12, 3)}))  # moved (RECURRENCE-ID)
    assert moved.spec == RuleSpec("once", at=time(10, 0), on_date=date(2026, 12, 3))
    assert closing.spec == RuleSpec("daily", at=time(17, 30), start_date=date(2026, 12, 1),
                                    end_date=date(2026, 12, 5))  # COUNT=5
    assert xmas.spec == RuleSpec("once", at=time(10, 0), on_date=date(2026, 12, 24))  # 02:00Z


def test_an_outlook_export_with_a_windows_time_zone_imports_in_venue_time():
    safety, summer = ics.parse_events(OUTLOOK, "Europe/London")
    assert safety.summary == "Safety, please" and safety.uid.endswith("A1B2C3D4E5F60718293A4B5C6D7E8F9")
    # 09:00 in "W. Europe Standard Time" (its VTIMEZONE) is 08:00 in London in winter; the cancelled
    # occurrence (RECURRENCE-ID, STATUS:CANCELLED) is excepted like the EXDATE, and airs nowhere else
    assert safety.spec == RuleSpec("weekly", at=time(8, 0), days=(1,), start_date=date(2026, 11, 24),
                                   end_date=date(2027, 1, 26),
                                   except_dates=frozenset({date(2026, 12, 8), date(2026, 12, 15)}))
    assert summer.spec == RuleSpec("once", at=time(11, 0), on_date=date(2026, 7, 8))  # CEST 12:00 = BST 11:00


@pytest.fixture
def programmes(service):
    service.set_tz("Asia/Shanghai")
    for name in ("Morning, welcome", "Christmas Eve", "Park news"):
        service.create_programme(name, [ItemSpec("chime", chime="programme")])
    return service


def test_import_shows_the_changes_first_then_makes_them_once(programmes):
    svc = programmes
    preview = ics_import.plan(svc, GOOGLE, "Park news")
    assert [(c.programme, c.action) for c in preview] == [
        ("Morning, welcome", "add"), ("Park news", "add"), ("Christmas Eve", "add"), ("Morning, welcome", "add")]
    assert svc.rules() == []  # a preview stores nothing
    ics_import.apply(svc, GOOGLE, "Park news")
    assert len(svc.rules()) == 4
    slots = svc.expand(date(2026, 11, 23), date(2026, 12, 6))
    morning = [s.local for s in slots if s.programme == "Morning, welcome"]
    tz = ZoneInfo("Asia/Shanghai")
    assert morning == [datetime(2026, 11, 23, 9, 0, tzinfo=tz), datetime(2026, 11, 30, 9, 0, tzinfo=tz),
                       datetime(2026, 12, 3, 10, 0, tzinfo=tz)]  # 26th excepted, 3rd moved to 10:00
    assert len([s for s in slots if s.programme == "Park news"]) == 5

    again = ics_import.plan(svc, GOOGLE, "Park news")  # the same file again: nothing to change
    assert {c.action for c in again} == {"same"}
    changed = GOOGLE.replace("DTSTART:20261224T020000Z", "DTSTART:20261224T030000Z")
    [xmas] = [c for c in ics_import.plan(svc, changed, "Park news") if c.action != "same"]
    assert (xmas.action, xmas.old.at, xmas.spec.at) == ("replace", time(10, 0), time(11, 0))
    ics_import.apply(svc, changed, "Park news")
    assert len(svc.rules()) == 4 and [r.spec.at for r in svc.rules() if r.programme == "Christmas Eve"] == [time(11)]


def test_an_event_without_a_programme_or_a_bad_event_stores_nothing(programmes):
    with pytest.raises(ValidationError, match="programme: no programme is called"):
        ics_import.apply(programmes, GOOGLE)  # the Chinese closing event names no programme
    bad = OUTLOOK.replace("RRULE:FREQ=WEEKLY;UNTIL", "RRULE:FREQ=MONTHLY;UNTIL")
    with pytest.raises(ValidationError, match="FREQ=MONTHLY"):
        ics_import.apply(programmes, bad, "Park news")
    assert programmes.rules() == []


def test_the_week_file_round_trips(programmes):
    ics_import.apply(programmes, GOOGLE, "Park news")
    text = ics_import.week_file(programmes, date(2026, 11, 30))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = ics.parse_events(text, "Asia/Shanghai")
    assert sorted((e.summary, e.spec.on_date, e.spec.at) for e in events) == sorted(
        [("Morning, welcome", date(2026, 11, 30), time(9)), ("Morning, welcome", date(2026, 12, 3), time(10))]
        + [("Park news", date(2026, 12, d), time(17, 30)) for d in range(1, 6)])
