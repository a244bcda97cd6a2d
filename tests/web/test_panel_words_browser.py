"""In headless Chromium on a phone (390 px), in Chinese: zones by what staff call them (全场, never "main") on
the case page, the live dashboard and the programme form; an older fault's heartbeat in venue time; a log
day that does not exist said beside the day field. Screenshots go to /tmp/pa-screenshots (docs/ on request)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.web.conftest import Browser
from tests.web.test_browser import CHROMIUM, chromium, login, server, shot  # noqa: F401 (fixtures)
from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def test_zones_faults_and_the_log_day_in_staff_words_on_a_phone(server, phone):
    from broadcaster.store.models.workflow import Fault

    base, app = server
    number = open_case(Browser(app, "dora"), LOST_CHILD)
    with app.extensions["pa"].db.session() as s:  # a fault stored before stop 26: its heartbeat in UTC, no date
        s.add(Fault(kind="player_lost", message="zone main: player hall-pc lost (no heartbeat since 23:59:51 UTC)",
                    zone="main", raised_at=datetime(2026, 11, 20, 0, 0, 1, tzinfo=UTC)))
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")

    phone.goto(f"{base}/desk/cases/{number}")
    on_air = phone.inner_text("#pages")
    assert "全场" in on_air and "main" not in on_air
    no_sideways_scroll(phone)
    shot(phone, "desk-case-zone-zh-390")

    phone.goto(f"{base}/")
    phone.wait_for_function("document.querySelector('#now h3') !== null")
    phone.wait_for_timeout(600)  # the live stream has re-drawn now playing at least once
    assert "分区 全场" in phone.inner_text("#now") and "main" not in phone.inner_text("#now")
    faults = phone.inner_text("#faults")
    assert "全场\n该分区的播放电脑自 07:59:51 起没有应答" in faults and "UTC" not in faults  # the sentence on its own line
    assert "hall-pc" not in faults  # the player's name is for the technician, folded until asked for
    no_sideways_scroll(phone)
    shot(phone, "dashboard-zones-faults-zh-390")

    phone.goto(f"{base}/approvals/logs?day=2026-02-30")
    said = phone.locator("#err-day")
    assert said.is_visible() and said.inner_text() == "没有这一天：请写成 2026-11-26 这样的日期；现显示最近 7 天。"
    assert "UTC" not in phone.inner_text("#faults") and "07:59:51" in phone.inner_text("#faults")
    no_sideways_scroll(phone)
    shot(phone, "logs-day-refused-old-fault-zh-390")

    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/programmes/new")
    zones = phone.locator("#f-zones")
    assert zones.is_visible() and zones.inner_text().strip().endswith("全场") and phone.is_checked(
        "#f-zones input[value=main]")
    no_sideways_scroll(phone)
    shot(phone, "programme-zones-zh-390")


def test_the_admin_names_a_zone_on_a_phone_and_a_wrong_name_is_said_beside_it(server, phone):
    base, app = server
    login(phone, base, "ada")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/setup/zones")
    assert phone.input_value("#f-zone-main-zh-CN") == "全场" and phone.input_value("#f-zone-main-en") == "Whole venue"
    phone.fill("#f-zone-main-zh-CN", "Main hall")
    phone.click("#save-zones")
    said = phone.locator("#err-zone-main-zh-CN")
    assert said.is_visible() and "中文" in said.inner_text() and "main" not in phone.inner_text("main").lower()
    no_sideways_scroll(phone)
    shot(phone, "setup-zones-refused-zh-390")
    phone.fill("#f-zone-main-zh-CN", "主场馆")
    phone.click("#save-zones")
    phone.wait_for_selector(".flash.ok")
    phone.goto(f"{base}/")
    assert "分区 主场馆" in phone.inner_text("#now")


def test_a_settings_file_fault_of_an_earlier_version_on_the_fault_log_on_a_phone(server, phone):
    """Earlier versions raised a fault when a hand edit broke var/settings.json (the settings are in the
    database now): such a fault still stored reads in staff words on the fault log, the file's error
    folded for the technician."""
    from broadcaster import logs

    base, app = server
    with app.extensions["pa"].db.session() as s:
        logs.raise_fault(s, "settings_unreadable", "settings file /srv/pa/var/settings.json: not valid JSON "
                         "(Expecting ',' delimiter: line 1 column 29 (char 28)); the settings in use stay")
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/")  # the fault on the desk's board
    assert "场馆设置文件被手工改动后无法读取" in phone.inner_text("#faults")
    phone.goto(f"{base}/approvals/logs")
    faults = phone.inner_text("#faults")
    assert "设置文件无法读取" in faults and "场馆设置文件被手工改动后无法读取" in faults
    assert "settings.json" not in faults  # folded until asked for
    no_sideways_scroll(phone)
    shot(phone, "fault-log-settings-zh-390")
