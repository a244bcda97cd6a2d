"""CLI end to end on a real database: playlist, programme, rule, plan, ics export/import."""
from datetime import date, datetime, time, timezone

import pytest

from broadcaster.cli import main
from broadcaster.errors import ValidationError
from broadcaster.schedule import ics
from broadcaster.schedule.plan import day_plan
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec, Slot, parse_days

UTC = timezone.utc


def run(db, capsys, *argv):
    rc = main(["--db", db.url, *argv])
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_cli_programme_rules_plan_and_ics(db, tmp_path, tone, capsys, announcement):
    aid = announcement("approved")
    tone("music/a.wav", 2.0)
    (tmp_path / "music" / "bed.m3u").write_text("a.wav\n")
    assert run(db, capsys, "venue", "--tz", "Europe/London")[0] == 0
    assert run(db, capsys, "playlist", "import", str(tmp_path / "music" / "bed.m3u"), "--shuffle")[0] == 0
    rc, out = run(db, capsys, "programme", "create", "Opening 09:00", "--chime", "--announcement", str(aid),
                  "--playlist", "bed:30m")
    assert rc == 0 and "chime programme + announcement #" in out and "for 30 min" in out
    assert run(db, capsys, "programme", "create", "Bed", "--playlist", "bed", "--background",
               "--priority", "background_music")[0] == 0
    rc, out = run(db, capsys, "rule", "add", "Opening 09:00", "--weekly", "mon,tue,wed,thu,fri", "--at", "09:00",
                  "--except", "2026-11-25")
    assert rc == 0 and "weekly mon,tue,wed,thu,fri at 09:00 except 2026-11-25" in out
    rc, out = run(db, capsys, "plan", "2026-11-24")
    assert rc == 0 and "09:00:00" in out and "Opening 09:00" in out and "(background) Bed" in out
    rc, out = run(db, capsys, "plan", "2026-11-25")
    assert rc == 0 and "Opening" not in out and "(background) Bed" in out  # the excepted day: only the bed

    f = tmp_path / "week.ics"
    rc, out = run(db, capsys, "ics", "export", "--week", "2026-11-25", str(f))
    assert rc == 0 and "wrote 4 events (2026-11-23 to 2026-11-29)" in out
    body = f.read_text()
    assert body.count("BEGIN:VEVENT") == 4 and "DTSTART:20261123T090000Z" in body
    assert "UID:r1-20261123T090000Z@pa-broadcaster" in body

    rc, out = run(db, capsys, "rule", "add", "Nope", "--daily", "--at", "09:00")
    assert rc == 1 and "no programme 'Nope'" in out
    rc, out = run(db, capsys, "rule", "add", "Bed", "--daily", "--at", "25:00")
    assert rc == 1 and "at:" in out


def test_cli_refuses_unapproved(db, capsys, announcement):
    aid = announcement("draft")
    assert run(db, capsys, "programme", "create", "W", "--announcement", str(aid))[0] == 0
    rc, out = run(db, capsys, "rule", "add", "W", "--daily", "--at", "09:00")
    assert rc == 1 and f"announcement #{aid}" in out and "not approved" in out
    rc, out = run(db, capsys, "rule", "list")
    assert "#" not in out.split("\n", 1)[1]


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:a@x\r
SUMMARY:Weekly\\, morning\r
DTSTART;TZID=Asia/Shanghai:20261123T170000\r
RRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20261231T235959Z\r
EXDATE;TZID=Asia/Shanghai:20261127T170000\r
BEGIN:VALARM\r
TRIGGER:-PT5M\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b@x\r
DTSTART:20261201T120000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:c@x\r
DTSTART:20261201T073000\r
RRULE:FREQ=DAILY\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ics_import_rules(tmp_path):
    evs = ics.parse_events(ICS, "Europe/London")
    weekly, once, daily = (e.spec for e in evs)
    assert evs[0].summary == "Weekly, morning"
    assert weekly == RuleSpec("weekly", at=time(9, 0), days=parse_days("mon,fri"), start_date=date(2026, 11, 23),
                              end_date=date(2026, 12, 31), except_dates=frozenset({date(2026, 11, 27)}))
    assert once == RuleSpec("once", at=time(12, 0), on_date=date(2026, 12, 1))
    assert daily.kind == "daily" and daily.at == time(7, 30)  # floating = venue-local


@pytest.mark.parametrize("rrule,msg", [
    ("FREQ=MONTHLY", "FREQ=MONTHLY is not supported"),
    ("FREQ=WEEKLY;INTERVAL=2", "INTERVAL"),
    ("FREQ=WEEKLY;BYDAY=1MO", "ordinals"),
    ("FREQ=DAILY;BYHOUR=9,17", "BYHOUR"),  # (COUNT is read: tests/schedule/test_ics_exports.py)
])
def test_ics_unsupported_rrule_is_refused(rrule, msg):
    text = ICS.replace("FREQ=DAILY", rrule)
    with pytest.raises(ValidationError, match=msg):
        ics.parse_events(text, "UTC")


def test_ics_import_cli_and_bad_file(db, tmp_path, capsys, service):
    service.create_programme("P", [ItemSpec("silence", seconds=1)])
    f = tmp_path / "in.ics"
    f.write_text(ICS)
    rc, out = run(db, capsys, "ics", "import", str(f), "--programme", "P")
    assert rc == 0 and out.count("added rule") == 3
    assert [r.spec.kind for r in service.rules()] == ["weekly", "once", "daily"]
    f.write_text(ICS.replace("FREQ=DAILY", "FREQ=YEARLY"))
    rc, out = run(db, capsys, "ics", "import", str(f), "--programme", "P")
    assert rc == 1 and "FREQ=YEARLY" in out
    assert len(service.rules()) == 3  # nothing stored from the bad file


def test_ics_export_escapes_folds_and_round_trips():
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    name = "开馆广播; Opening, welcome " + "x" * 80
    slot = Slot(at, at, name, 3, ("hall", "yard"), 30, 1)
    text = ics.export_slots([slot], durations={name: 90}, tz="Asia/Shanghai")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DTEND:20261123T010130Z" in text
    [ev] = ics.parse_events(text, "Asia/Shanghai")
    assert ev.summary == name and ev.uid == "r3-20261123T010000Z@pa-broadcaster"
    assert ev.spec == RuleSpec("once", at=time(9, 0), on_date=date(2026, 11, 23))


def test_plan_background_fills_gaps_and_closed_day(service):
    service.create_programme("Bed", [ItemSpec("silence", seconds=60)], priority=10, background=True)
    service.create_programme("Talk", [ItemSpec("silence", seconds=600)])
    service.add_rule("Talk", RuleSpec("daily", at=time(10, 0)))
    plan = day_plan(service, date(2026, 6, 1))
    assert [(e.start.strftime("%H:%M"), e.end.strftime("%H:%M"), e.programme) for e in plan.entries] == [
        ("00:00", "10:00", "Bed"), ("10:00", "10:10", "Talk"), ("10:10", "00:00", "Bed")]
    assert plan.at(plan.entries[1].start).programme == "Talk"
    service.add_closed_day(date(2026, 6, 2), "maintenance")
    assert day_plan(service, date(2026, 6, 2)).closed == "maintenance"
