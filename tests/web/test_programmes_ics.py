"""The week as a calendar file, and a calendar file imported in two steps: what will change, then the
change once confirmed (Google Calendar's export, hand-written in tests/schedule/google.ics)."""
from __future__ import annotations

import html
import io
from datetime import date
from pathlib import Path

import pytest

from broadcaster.schedule import ics
from broadcaster.schedule.programmes import ItemSpec
from tests.web.conftest import Browser

GOOGLE = (Path(__file__).parents[1] / "schedule" / "google.ics").read_bytes()


@pytest.fixture
def programmes(app):
    svc = app.extensions["pa"].programmes
    svc.set_tz("Asia/Shanghai")
    for name in ("Morning, welcome", "Christmas Eve", "Park news"):
        svc.create_programme(name, [ItemSpec("chime", chime="programme")])
    return svc


def upload(b, data, programme=""):
    return b.post("/schedule/import", {"file": (io.BytesIO(data), "calendar.ics"), "programme": programme},
                  content_type="multipart/form-data")


def test_import_previews_then_confirms_and_the_week_downloads(app, programmes):
    bob = Browser(app, "bob")
    resp = upload(bob, GOOGLE, "Park news")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="import-changes"' in page and page.count('class="change-add"') == 4
    assert "Morning, welcome" in page and programmes.rules() == []  # a preview stores nothing
    assert "@google.com" not in page.split('id="import-confirm"')[0]  # no event ids on screen

    text = page.split('<textarea name="ics" hidden>')[1].split("</textarea>")[0]
    resp = bob.post("/schedule/import/confirm", {"ics": html.unescape(text), "programme": "Park news"})
    assert resp.status_code == 302 and len(programmes.rules()) == 4
    again = upload(bob, GOOGLE, "Park news").get_data(as_text=True)
    assert again.count('class="change-same"') == 4 and 'class="change-add"' not in again

    week = bob.get("/schedule/week.ics?week=2026-11-30")
    assert week.mimetype == "text/calendar" and "schedule-2026-11-30.ics" in week.headers["Content-Disposition"]
    events = ics.parse_events(week.get_data(as_text=True), "Asia/Shanghai")
    assert len(events) == 7 and all(date(2026, 11, 30) <= e.spec.on_date <= date(2026, 12, 6) for e in events)
    assert sorted(e.summary for e in events).count("Park news") == 5


def test_a_bad_file_or_no_programme_is_refused_beside_its_field_and_stores_nothing(app, programmes):
    bob = Browser(app, "bob")
    resp = upload(bob, GOOGLE)  # the Chinese closing event names no programme, and none was chosen
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="err-programme"' in page
    resp = upload(bob, GOOGLE.replace(b"FREQ=DAILY;COUNT=5", b"FREQ=MONTHLY"), "Park news")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="err-file"' in page and "it repeats every month" in page
    resp = bob.post("/schedule/import", {"programme": "Park news"}, content_type="multipart/form-data")
    assert resp.status_code == 400 and 'id="err-file"' in resp.get_data(as_text=True)
    assert programmes.rules() == []
    assert Browser(app, "dora").get("/schedule/import").status_code in (302, 403)  # the desk does not schedule


def test_import_errors_say_in_chinese_which_event_and_what_is_wrong(app, programmes):
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    page = html.unescape(upload(bob, GOOGLE).get_data(as_text=True))  # no programme for the closing event
    assert "没有名为“闭园广播：各位游客请注意" in page and "请选择这些活动播出的节目" in page
    monthly = GOOGLE.replace(b"FREQ=DAILY;COUNT=5", b"FREQ=MONTHLY")
    resp = upload(bob, monthly, "Park news")
    page = html.unescape(resp.get_data(as_text=True))
    err = page.split('id="err-file"', 1)[1].split("</span>", 1)[0]
    assert resp.status_code == 400 and "活动“闭园广播：各位游客请注意" in err and "它每月重复一次" in err
    assert "FREQ" not in err and "RRULE" not in err and "event" not in err
    all_day = GOOGLE.replace(b"DTSTART:20261224T020000Z\r\nDTEND:20261224T021500Z",
                             b"DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225")
    assert all_day != GOOGLE
    err = html.unescape(upload(bob, all_day, "Park news").get_data(as_text=True)).split('id="err-file"', 1)[1]
    assert "活动“Christmas Eve”：这是全天活动" in err.split("</span>", 1)[0]
    err = html.unescape(upload(bob, b"hello", "Park news").get_data(as_text=True)).split('id="err-file"', 1)[1]
    assert "这不是日历文件（.ics）" in err.split("</span>", 1)[0]
    assert programmes.rules() == []
