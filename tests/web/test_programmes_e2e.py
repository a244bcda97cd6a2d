"""End to end in headless Chromium (390 px, the pages' own CSP) with a real zone player: a programme
built from three pieces by title, scheduled, its slot aired and then shown as aired in the week; its
announcement edited with the warning on screen, the new version approved by a supervisor, and the
next slot airing the new audio, with the old hash in the as-run log before it.
(Dragging a slot in the calendar, its length and a click on a time: test_programmes_calendar.)"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import soundfile as sf
from sqlalchemy import select

from broadcaster.clock import utcnow
from broadcaster.schedule.onair import writer
from broadcaster.store.models.onair import AiringState
from broadcaster.store.models.workflow import Announcement, AsRun
from tests.schedule.test_onair import find
from tests.web.conftest import Browser
from tests.web.test_browser import CHROMIUM, chromium, login, server, shot  # noqa: F401 (fixtures)
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)
from tests.web.test_programmes_script_versions import approve
from tests.web.test_scripts import new_script

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def approved_audio(app, ann_id):
    a = app.extensions["pa"]
    with a.db.session() as s:
        ann = s.get(Announcement, ann_id)
        return ann.approved_hash, sf.read(str(a.media.path(ann.approved_audio)), dtype="int16")[0]


def air(app, player, slot):
    a = app.extensions["pa"]
    p = a.programmes.programme(slot.programme_id)
    writer(a.db, media=a.media)(p, slot)  # what the leader's scheduler does at the slot's instant
    player.wait(lambda: all(x.state is AiringState.DONE for x in player.airings("programme:")), 60, "the slot")


def test_build_schedule_air_edit_approve_and_air_the_new_version(server, phone, player):
    base, app = server
    pa = app.extensions["pa"]
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob, title="Gate opens", text_1="欢迎。", text_2="Welcome.")
    bob.post(f"/scripts/{ann_id}/submit")
    approve(app, sam, ann_id)
    old_hash, old_audio = approved_audio(app, ann_id)

    login(phone, base, "bob")
    phone.goto(f"{base}/schedule/programmes/new")  # three pieces, picked by title
    phone.fill("#f-name", "Opening")
    phone.select_option("#f-piece_1", "chime:programme")
    phone.click("#add-piece")
    phone.select_option("#f-piece_2", f"announcement:{ann_id}")
    phone.click("#add-piece")
    phone.select_option("#f-piece_3", "silence")
    phone.fill("#f-seconds_3", "1")
    phone.click("#save-programme")
    phone.wait_for_selector("#programmes")

    zone_now = utcnow().astimezone(ZoneInfo(pa.programmes.tz))
    phone.goto(f"{base}/schedule/rules")  # every day at this minute: today's slot is due now
    phone.select_option("#f-programme", "Opening")
    phone.select_option("#f-kind", "daily")
    phone.fill("#f-at", zone_now.strftime("%H:%M"))
    phone.click("#rule-form button[type=submit]")
    phone.wait_for_selector("#rules")
    [today] = pa.programmes.slots_between(utcnow() - timedelta(minutes=2), utcnow())
    air(app, player, today)
    heard = player.samples()
    assert find(heard, old_audio) >= 0
    phone.goto(f"{base}/schedule/")
    assert phone.locator(f'[data-uid="{today.uid}"] [data-status="aired"]').count() == 1

    phone.goto(f"{base}/scripts/{ann_id}")  # the edit: the warning first, then a new version
    assert "Opening" in phone.locator("#slots-warning").inner_text()
    phone.fill("textarea[name=text_2]", "Welcome, everyone.")
    phone.click("#script-form button[type=submit]")
    phone.wait_for_selector("#version-note")
    bob.post(f"/scripts/{ann_id}/submit")
    new_hash = approve(app, sam, ann_id)  # another person approves what they listened to
    assert new_hash != old_hash
    _, new_audio = approved_audio(app, ann_id)

    nxt = today._replace(at=utcnow().replace(microsecond=0), rule_id=today.rule_id)  # the next slot, due now
    before = len(player.samples())
    air(app, player, nxt)
    after = player.samples()[before:]
    assert find(after, new_audio) >= 0 and find(after, old_audio) == -1
    with pa.db.session() as s:
        runs = list(s.scalars(select(AsRun).where(AsRun.kind == "programme").order_by(AsRun.id)))
    assert [r.pieces[1]["sha256"] for r in runs] == [old_hash, new_hash]
    assert [r.pieces[1]["version"] for r in runs] == [1, 2]
    no_sideways_scroll(phone)
    shot(phone, "e2e-new-version-390")
