"""In headless Chromium at a phone's width (390 px): the script editor warns which upcoming slots air a
scheduled announcement before an edit is saved, and says which version stays on air after it.
Screenshots go to docs/screenshots/."""
from __future__ import annotations

from datetime import time

import pytest

from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec
from tests.web.conftest import wait_js  # noqa: E402
from tests.web.test_browser import CHROMIUM, login, server, chromium, shot  # noqa: F401 (fixtures)
from tests.web.test_programmes_script_versions import approve, state
from tests.web.conftest import Browser
from tests.web.test_scripts import new_script

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def phone(chromium):
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")  # the pages' own CSP
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ctx.close()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 392


def test_the_script_editor_warns_before_an_edit_of_a_scheduled_script(server, phone):
    base, app = server
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob, title="Closing time")
    bob.post(f"/scripts/{ann_id}/submit")
    first = approve(app, sam, ann_id)
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Evening", [ItemSpec("announcement", announcement_id=ann_id)])
    programmes.add_rule(p.id, RuleSpec(kind="daily", at=time(17, 30)))

    login(phone, base, "bob")
    phone.goto(f"{base}/scripts/{ann_id}")
    warning = phone.locator("#slots-warning")
    assert warning.is_visible() and "Evening" in warning.inner_text() and "17:30" in warning.inner_text()
    no_sideways_scroll(phone)
    shot(phone, "script-scheduled-warning-390")
    phone.fill("textarea[name=text_2]", "The park closes at six.")
    phone.click("#script-form button[type=submit]")
    phone.wait_for_selector("#version-note")
    assert "keeps airing" in phone.locator(".flash.ok").inner_text()
    assert state(app, ann_id) == ("draft", first)
    no_sideways_scroll(phone)
    shot(phone, "script-new-version-390")


def test_a_calendar_import_shows_the_changes_before_it_saves(server, phone):
    from pathlib import Path

    base, app = server
    programmes = app.extensions["pa"].programmes
    programmes.set_tz("Asia/Shanghai")
    for name in ("Morning, welcome", "Christmas Eve", "Park news"):
        programmes.create_programme(name, [ItemSpec("chime", chime="programme")])
    login(phone, base, "bob")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/schedule/import")
    phone.click("#import-form button[type=submit]")  # no file: the error beside the field
    assert phone.locator("#err-file").is_visible()
    phone.set_input_files("#f-file", str(Path(__file__).parents[1] / "schedule" / "google.ics"))
    phone.select_option("#f-programme", "Park news")
    phone.click("#import-form button[type=submit]")
    phone.wait_for_selector("#import-changes")
    assert phone.locator("#import-changes tbody tr").count() == 4 and programmes.rules() == []
    no_sideways_scroll(phone)
    shot(phone, "calendar-import-preview-390-zh")
    phone.click("#import-confirm button[type=submit]")
    phone.wait_for_selector("#rules")
    assert len(programmes.rules()) == 4


def test_a_programme_is_built_from_three_pieces_by_title_at_a_phone_width(server, phone):
    from tests.web.test_programmes_editor import scheduled_announcement

    base, app = server
    ann_id = scheduled_announcement(app)
    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/programmes")
    phone.click("#new-programme")
    phone.fill("#f-name", "Opening")
    phone.select_option("#f-piece_1", "chime:programme")
    phone.click("#add-piece")
    phone.select_option("#f-piece_2", "silence")
    phone.fill("#f-seconds_2", "3")
    phone.click("#add-piece")
    phone.select_option("#f-piece_3", f"announcement:{ann_id}")
    phone.click("button[value='up:2']")  # the announcement before the silence
    assert phone.locator("#f-piece_2").input_value() == f"announcement:{ann_id}"
    assert "0:03" in phone.locator("#length-3").inner_text()
    no_sideways_scroll(phone)
    shot(phone, "programme-editor-390")
    phone.click("#save-programme")
    phone.wait_for_selector("#programmes")
    [p] = app.extensions["pa"].programmes.list_programmes()
    assert [i.kind for i in p.items] == ["chime", "announcement", "silence"]
    shot(phone, "programmes-390")


def test_the_week_at_a_phone_width_shows_today_and_what_will_not_air(server, phone):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from broadcaster.clock import utcnow
    from tests.web.test_programmes_editor import scheduled_announcement

    base, app = server
    programmes = app.extensions["pa"].programmes
    zone = ZoneInfo(programmes.tz)
    ann_id = scheduled_announcement(app)
    p = programmes.create_programme("Morning", [ItemSpec("announcement", announcement_id=ann_id)])
    soon = (utcnow() + timedelta(hours=2)).astimezone(zone)
    programmes.add_rule(p.id, RuleSpec("daily", at=soon.time().replace(second=0, microsecond=0)))
    with programmes.db.session() as s:
        from broadcaster.store.models.workflow import Announcement, AnnouncementState

        s.get(Announcement, ann_id).state = AnnouncementState.EXPIRED
    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/")
    assert phone.locator("#today").is_visible() and phone.locator("#now-line").count() == 1
    assert "Will not air" in phone.locator("#next-24h").inner_text()
    no_sideways_scroll(phone)
    shot(phone, "week-390")


def test_the_rule_form_shows_only_the_fields_of_its_kind(server, phone):
    base, app = server
    app.extensions["pa"].programmes.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/rules")
    visible = lambda: {n for n in ("at", "every_minutes", "window_start", "window_end", "on_date", "start_date",  # noqa: E731
                                   "end_date", "except_dates") if phone.locator(f"#f-{n}").is_visible()}
    assert visible() == {"at", "start_date", "end_date", "except_dates"} and phone.locator("#f-zones").is_visible()
    phone.select_option("#f-kind", "interval")
    assert visible() == {"every_minutes", "window_start", "window_end", "start_date", "end_date", "except_dates"}
    phone.select_option("#f-kind", "once")
    assert visible() == {"at", "on_date"}
    phone.fill("#f-at", "10:00")
    phone.fill("#f-on_date", "2026-12-24")
    no_sideways_scroll(phone)
    shot(phone, "rule-form-once-390")
    phone.click("#rule-form button[type=submit]")
    phone.wait_for_selector("#rules")
    [rule] = app.extensions["pa"].programmes.rules()
    assert (rule.spec.kind, str(rule.spec.on_date), rule.spec.days) == ("once", "2026-12-24", ())


def test_music_uploads_with_progress_and_the_library_plays_at_a_phone_width(server, phone, tmp_path):
    import numpy as np
    import soundfile as sf

    base, app = server
    for name, secs in (("Morning.wav", 1.0), ("Noon.wav", 2.0)):
        t = np.arange(int(secs * 48_000)) / 48_000
        sf.write(str(tmp_path / name), (0.5 * np.sin(2 * np.pi * 440 * t) * np.linspace(0, 1, len(t))), 48_000)
    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/playlists")
    phone.fill("#playlist-form input[name=name]", "Lobby")
    phone.set_input_files("#playlist-form input[name=files]", [str(tmp_path / "Morning.wav"), str(tmp_path / "Noon.wav")])
    phone.click("#playlist-form button[type=submit]")
    phone.wait_for_selector("#playlists a")  # sent in the background (the progress bar), then the list
    assert phone.locator("#upload-progress").count() == 1
    phone.click("#playlists a")
    phone.wait_for_selector("#tracks")
    wait_js(phone, "[...document.querySelectorAll('img.level')].every(i => i.complete && i.naturalWidth > 0)")
    assert phone.locator("#tracks li").count() == 2 and phone.locator("#tracks audio").count() == 2
    no_sideways_scroll(phone)
    shot(phone, "media-library-390")


def test_rules_and_scripts_are_listed_by_name_at_a_phone_width(server, phone):
    """No rule number (#, "Edit #3") nor script number on screen: the programme and its times, the title."""
    base, app = server
    programmes = app.extensions["pa"].programmes
    programmes.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    programmes.add_rule("Parade", RuleSpec(kind="daily", at=time(9, 15)))
    programmes.add_rule("Parade", RuleSpec(kind="weekly", days=(0, 2), at=time(14, 30)))
    new_script(Browser(app, "bob"), title="Closing soon")
    login(phone, base, "bob")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/schedule/rules")
    phone.locator("#rules a").last.click()
    heading = phone.locator("h2").first.inner_text()
    assert "Parade" in heading and ("14:30" in heading or "09:15" in heading) and "#" not in heading
    assert phone.locator("#rules th").first.inner_text() != "#"
    no_sideways_scroll(phone)
    shot(phone, "rules-edit-390-zh")
    phone.goto(f"{base}/scripts/")
    assert phone.locator("#scripts th").first.inner_text() != "#"
    assert phone.locator("#scripts td").first.inner_text() == "Closing soon"
    shot(phone, "scripts-390-zh")
