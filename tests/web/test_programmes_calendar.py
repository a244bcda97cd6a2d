"""The week as a time grid in headless Chromium (the pages' own CSP): a slot dragged from Thursday 09:00 to
10:00 moves there (the rule in the database), a slot's lower edge dragged makes its rule's slots last
longer (the programme stays as it is), a click on a free time opens the form for a slot there; at 390 px one day at a time from
the day picker, with no sideways scroll. Screenshots go to docs/screenshots only with PA_SCREENSHOTS=1
(else to /tmp/pa-screenshots, to look at)."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.clock import utcnow
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec, parse_time
from tests.schedule.conftest import write_tone
from tests.web.test_browser import CHROMIUM, SHOTS, chromium, login, server  # noqa: F401 (fixtures)
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
HOUR_PX = 48


def picture(page, name):
    folder = SHOTS if os.environ.get("PA_SCREENSHOTS") == "1" else Path("/tmp/pa-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def desktop(chromium):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")  # the pages' own CSP
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ctx.close()


@pytest.fixture
def week(server, tmp_path):
    """Next week (nothing in it is past): "Opening" every Thursday at 09:00, "Music" (20 min of a playlist
    of 25 min) next Friday at 11:00."""
    base, app = server
    programmes = app.extensions["pa"].programmes
    write_tone(tmp_path / "a.wav", 60.0, rate=8000, subtype="PCM_16")
    (tmp_path / "l.m3u").write_text("a.wav\n" * 25)
    programmes.import_playlist(tmp_path / "l.m3u", "Lobby")
    opening = programmes.create_programme("Opening", [ItemSpec("chime", chime="programme")])
    music = programmes.create_programme("Music", [ItemSpec("chime", chime="programme"),
                                                  ItemSpec("playlist", playlist="Lobby", seconds=600.0)])
    today = utcnow().astimezone(ZoneInfo(programmes.tz)).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    thu, fri = monday + timedelta(days=3), monday + timedelta(days=4)
    rules = {"opening": programmes.add_rule(opening.id, RuleSpec("weekly", at=parse_time("09:00"), days=(3,))),
             "music": programmes.add_rule(music.id, RuleSpec("once", at=parse_time("11:00"), on_date=fri))}
    return base, app, programmes, monday, thu, fri, rules, music.id


def times(programmes, day):
    return [(sl.programme, sl.local.strftime("%H:%M")) for sl in programmes.expand(day, day)]


def drag(page, x, y, dy):
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 7):
        page.mouse.move(x, y + dy * step / 6)
    page.mouse.up()


def test_drag_a_slot_to_move_it_drag_its_edge_to_lengthen_it_and_click_a_time_to_add_one(week, desktop):
    base, app, programmes, monday, thu, fri, rules, music_id = week
    login(desktop, base, "bob")
    desktop.goto(f"{base}/schedule/")  # this week: the line at the time now
    assert desktop.locator("#now-line").is_visible()
    picture(desktop, "calendar-week-desktop")

    desktop.goto(f"{base}/schedule/?week={monday.isoformat()}")
    slot = desktop.locator(f'.cal-slot[data-rule="{rules["opening"]}"]')
    first = int(desktop.get_attribute("#week", "data-first"))
    col = desktop.locator(f'.cal-col[data-day="{thu.isoformat()}"]').bounding_box()
    box = slot.bounding_box()
    assert box["y"] - col["y"] == pytest.approx((9 - first) * HOUR_PX, abs=1)  # placed at its time
    drag(desktop, box["x"] + box["width"] / 2, box["y"] + 6, HOUR_PX)  # one hour later
    desktop.wait_for_selector(".flash.ok")
    assert times(programmes, thu) == [("Opening", "10:00")]
    assert times(programmes, thu + timedelta(days=7)) == [("Opening", "09:00")]  # only this Thursday moved
    moved = desktop.locator(".cal-slot", has_text="Opening").bounding_box()
    col = desktop.locator(f'.cal-col[data-day="{thu.isoformat()}"]').bounding_box()
    assert moved["y"] - col["y"] == pytest.approx((10 - first) * HOUR_PX, abs=1)

    grip = desktop.locator(f'.cal-slot[data-rule="{rules["music"]}"] .grip').bounding_box()
    drag(desktop, grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2, 8)  # 10 minutes longer
    desktop.wait_for_selector(".flash.ok")
    assert programmes.programme(music_id).items[1].seconds == 600.0  # the programme as it was
    assert [sl.length_s for sl in programmes.expand(fri, fri)] == [pytest.approx(20 * 60, abs=0.6)]
    assert desktop.locator(f'.cal-slot[data-rule="{rules["music"]}"]').get_attribute("data-len") == "20.0"

    col = desktop.locator(f'.cal-col[data-day="{thu.isoformat()}"]').bounding_box()
    desktop.mouse.click(col["x"] + col["width"] / 2, col["y"] + (14 - first) * HOUR_PX + 1)  # a free time
    desktop.wait_for_selector("#rule-form")
    assert desktop.input_value("#f-at") == "14:00" and desktop.input_value("#f-on_date") == thu.isoformat()
    desktop.select_option("#f-programme", "Music")
    desktop.click("#rule-form button[type=submit]")
    desktop.wait_for_selector("#rules")
    assert times(programmes, thu) == [("Opening", "10:00"), ("Music", "14:00")]
    desktop.goto(f"{base}/schedule/?week={monday.isoformat()}")
    picture(desktop, "calendar-week-moved-desktop")


def test_a_phone_shows_one_day_at_a_time_from_the_day_picker(week, phone):
    base, app, programmes, monday, thu, fri, rules, music_id = week
    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/?week={monday.isoformat()}")
    phone.click(f'.day-picker a[data-pick="{thu.isoformat()}"]')
    visible = [c for c in phone.locator(".cal-col").all() if c.is_visible()]
    assert [c.get_attribute("data-day") for c in visible] == [thu.isoformat()]
    assert phone.locator(f'.cal-slot[data-rule="{rules["opening"]}"]').is_visible()
    assert not phone.locator(f'.cal-slot[data-rule="{rules["music"]}"]').is_visible()  # Friday's
    no_sideways_scroll(phone)
    picture(phone, "calendar-week-390")
    phone.click(f'.day-picker a[data-pick="{fri.isoformat()}"]')
    assert phone.locator(f'.cal-slot[data-rule="{rules["music"]}"]').is_visible()
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/schedule/?week={monday.isoformat()}&day={fri.isoformat()}")
    assert phone.locator(f'.cal-slot[data-rule="{rules["music"]}"]').is_visible()
    no_sideways_scroll(phone)
    picture(phone, "calendar-week-390-zh")


def test_a_slot_dragged_to_another_day_moves_there_at_the_same_time(week, desktop):
    base, app, programmes, monday, thu, fri, rules, music_id = week
    login(desktop, base, "bob")
    desktop.goto(f"{base}/schedule/?week={monday.isoformat()}")
    box = desktop.locator(f'.cal-slot[data-rule="{rules["opening"]}"]').bounding_box()
    friday = desktop.locator(f'.cal-col[data-day="{fri.isoformat()}"]').bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 6
    desktop.mouse.move(x, y)
    desktop.mouse.down()
    for step in range(1, 7):
        desktop.mouse.move(x + (friday["x"] + friday["width"] / 2 - x) * step / 6, y)
    desktop.mouse.up()
    desktop.wait_for_selector(".flash.ok")
    assert times(programmes, thu) == [] and ("Opening", "09:00") in times(programmes, fri)
    assert times(programmes, thu + timedelta(days=7)) == [("Opening", "09:00")]
