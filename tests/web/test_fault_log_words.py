"""The supervisor's fault log (Logs) and security log say what happened in the staff's language, as the
dashboard does."""
from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import Browser
from tests.web.test_fault_words import faults_said


def test_the_fault_log_says_the_faults_in_chinese_as_the_dashboard_does(app):
    """The supervisor's fault log (Logs) said the alarms in English on the zh panel; the dashboard did not."""
    from broadcaster import logs

    with app.extensions["pa"].db.session() as s:
        logs.raise_fault(s, "player_lost", "zone lobby: player lobby-pc lost (no heartbeat since 05:17:51 UTC)",
                         zone="lobby")
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    html = sam.get("/approvals/logs").get_data(as_text=True)
    faults = html[html.index('id="faults"'):]
    assert "heartbeat" not in faults  # its zone in the zone column; the player's name only for the technician
    [(head, detail, outside)] = faults_said(html)
    assert head.startswith("该分区的播放电脑自 ") and "没有应答" in head and "lobby-pc" not in outside
    assert detail.startswith("技术细节") and "播放器 lobby-pc 失去联系" in detail


def test_the_audit_log_says_a_template_approval_in_chinese(app):
    """The security log said "Lost child (description) · version 1" on the zh panel: the default template's
    title and the version in English."""
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    html = sam.get("/audit?kind=template_approved").get_data(as_text=True)
    rows = html[html.index("<tbody"):]
    assert "第 1 版" in rows and "version 1" not in rows and "Lost child (description)" not in rows


def test_the_as_run_day_filter_is_labelled_and_keeps_the_day_chosen(app):
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    html = sam.get("/approvals/logs?day=2026-11-20").get_data(as_text=True)
    form = html[html.index('id="day-form"'):html.index("</form>", html.index('id="day-form"'))]
    assert '<label for="f-day">日期' in form and 'value="2026-11-20"' in form and ">显示</button>" in form


def test_a_lost_players_last_heartbeat_is_said_in_venue_time_as_the_rest_of_the_page(app):
    """The fault log said "no heartbeat since 05:17:51 UTC" beside times in the venue's time."""
    from datetime import UTC, datetime, timedelta

    from broadcaster.onair.leader import lost_players
    from broadcaster.store.models.onair import PlayerStatus

    db, venue = app.extensions["pa"].db, app.extensions["pa"].tz
    beat = datetime(2026, 11, 27, 5, 17, 51, tzinfo=UTC)
    with db.session() as s:
        s.add(PlayerStatus(name="lobby-pc", zones=["lobby"], heartbeat_at=beat, now={}, stopped=False))
    lost_players(db, beat + timedelta(seconds=10))
    said = beat.astimezone(venue).strftime("%H:%M:%S")
    assert said != "05:17:51"  # the venue is not on UTC, or this proves nothing
    sam = Browser(app, "sam")
    for lang, words, head_words in (("en", f"lost (no heartbeat since {said})", f"stopped answering at {said}"),
                                    ("zh", f"失去联系（自 {said} 起无心跳）", f"播放电脑自 {said} 起没有应答")):
        sam.get(f"/lang/{lang}")
        for page in ("/approvals/logs", "/"):
            html = sam.get(page).get_data(as_text=True)
            faults = html[html.index('id="faults"'):]
            assert "05:17:51" not in faults and "UTC" not in faults, (lang, page)
            [(head, detail, _)] = faults_said(html)
            assert head_words in head and words in detail, (lang, page, head, detail)


def test_a_fault_recorded_before_stop_26_says_its_heartbeat_in_venue_time_and_keeps_its_row(app):
    """Older faults stored the lost player's heartbeat as a UTC time alone ("since 23:59:51 UTC"): the page
    says it in the venue's time (the day found from when the fault was raised), and the row stays as stored."""
    from datetime import UTC, datetime

    from broadcaster.store.models.workflow import Fault

    old = "zone main: player lobby-pc lost (no heartbeat since 23:59:51 UTC)"
    raised = datetime(2026, 11, 20, 0, 0, 1, tzinfo=UTC)  # the heartbeat was on the day before, in UTC
    db, venue = app.extensions["pa"].db, app.extensions["pa"].tz
    with db.session() as s:
        s.add(Fault(kind="player_lost", message=old, zone="main", raised_at=raised))
    from broadcaster.logs import heartbeat_in

    beat = datetime(2026, 11, 19, 23, 59, 51, tzinfo=UTC)
    assert heartbeat_in(old, raised)[1] == beat  # the day before it was raised, not the same UTC date
    said = beat.astimezone(venue).strftime("%H:%M:%S")
    assert said != "23:59:51"  # the venue is not on UTC, or this proves nothing
    sam = Browser(app, "sam")
    for lang, words in (("en", f"Whole venue This zone's player stopped answering at {said}"),
                        ("zh", f"全场 该分区的播放电脑自 {said} 起没有应答")):
        sam.get(f"/lang/{lang}")
        for page in ("/approvals/logs", "/"):
            html = sam.get(page).get_data(as_text=True)
            faults = " ".join(unescape(re.sub(r"<[^>]+>", " ", html[html.index('id="faults"'):])).split())  # as read
            assert words in faults and "23:59:51" not in faults and "UTC" not in faults, (lang, page, faults[:800])
            assert "lobby-pc" in faults_said(html)[0][1]  # the player's name, for the technician
    with db.session() as s:
        assert [f.message for f in s.query(Fault)] == [old]  # nothing stored is changed
