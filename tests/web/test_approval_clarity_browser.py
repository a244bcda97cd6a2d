"""In headless Chromium on a phone (390 px), in Chinese: the supervisor who wrote a script is told on its
approval page that another supervisor decides (no Approve button); a refused recording upload keeps the
title and says why beside the file field. Screenshots go to /tmp/pa-screenshots (docs/ on request)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import Browser
from tests.web.test_browser import CHROMIUM, login, server, chromium, shot  # noqa: F401 (fixtures)
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)
from tests.web.test_scripts import new_script

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def test_the_author_is_told_another_supervisor_decides_and_a_bad_upload_is_said_beside_its_field(
        server, phone, tmp_path):
    base, app = server
    sam = Browser(app, "sam")
    ann = new_script(sam, title="闭园")
    sam.post(f"/scripts/{ann}/submit")
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/approvals/announcements/{ann}")
    note = phone.locator("#own-note")
    assert note.is_visible() and "另一位主管" in note.inner_text()
    assert phone.locator("#approve").count() == 0
    assert "draft" not in phone.inner_text("main") and "created" not in phone.inner_text("main")
    no_sideways_scroll(phone)
    shot(phone, "approval-own-script-390-zh")

    bad = tmp_path / "closing.wav"
    bad.write_bytes(b"this is not sound")
    phone.goto(f"{base}/scripts/")
    phone.fill("#upload-form input[name=title]", "闭园录音")
    phone.set_input_files("#upload-form input[name=audio]", str(bad))
    phone.click("#upload-form button[type=submit]")
    phone.wait_for_selector("#err-audio")
    assert phone.locator("#err-audio").is_visible() and "WAV" in phone.inner_text("#err-audio")
    assert phone.input_value("#upload-form input[name=title]") == "闭园录音"
    assert "BytesIO" not in phone.inner_text("main")
    no_sideways_scroll(phone)
    shot(phone, "recording-upload-refused-390-zh")


def test_the_fault_log_reads_as_cards_on_a_phone_in_chinese(server, phone):
    from broadcaster import logs

    base, app = server
    with app.extensions["pa"].db.session() as s:
        logs.raise_fault(s, "player_lost", "zone lobby: player lobby-pc lost (no heartbeat since 05:17:51 UTC)",
                         zone="lobby")
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/approvals/logs")
    message = phone.locator("#faults tbody td", has_text="没有应答")
    assert message.is_visible() and "heartbeat" not in phone.inner_text("#faults")
    assert "lobby-pc" not in phone.inner_text("#faults")  # the player's name: folded, for the technician
    assert message.bounding_box()["width"] > 250  # a card's line, not a column squeezed to a few characters
    assert phone.locator("#faults button").bounding_box()["height"] >= 44
    no_sideways_scroll(phone)
    shot(phone, "fault-log-390-zh")
