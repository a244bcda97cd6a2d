"""Refusals the panel used to pass through in English (an underlying error's text, or an English refusal
raised in web/) are said in the staff's words and language, beside their field, and store nothing."""
from __future__ import annotations

import io
import re

from broadcaster.store.models.schedule import Programme
from broadcaster.store.models.workflow import Announcement
from tests.web.conftest import Browser



def field_error(html: str, field: str) -> str:
    """The error shown beside ``field`` (the field's own error span), or ''."""
    m = re.search(rf'id="err-{field}">([^<]*)<', html)
    return m[1] if m else ""


def count(app, model) -> int:
    with app.extensions["pa"].db.session() as s:
        return s.query(model).count()


def test_a_priority_not_on_the_list_is_said_beside_it_in_staff_words(app):
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    before = count(app, Programme)
    for bad in ("xyz", "85", "-3"):
        resp = bob.post("/schedule/programmes/new", {"name": "Parade", "priority": bad, "zones": "main", "op": "save",
                                                    "piece_0": "silence", "seconds_0": "5"})
        said = field_error(resp.get_data(as_text=True), "priority")
        assert resp.status_code == 400 and said == "请从列表中选择优先级（背景音乐、节目或通知广播）", (bad, said)
    # the quick form's priority goes to the schedule service, which refused with Priority.parse's own English
    html = bob.post("/schedule/programmes", {"name": "Parade", "priority": "xyz", "items": "silence 5"}
                    ).get_data(as_text=True)
    error = re.search(r'id="form-error">([^<]*)<', html)[1]
    assert error == "优先级：请从列表中选择优先级（背景音乐、节目或通知广播）" and "background_music" not in html
    html = bob.post("/schedule/programmes", {"name": "Parade", "priority": "programme", "items": "silence x"}
                    ).get_data(as_text=True)
    assert re.search(r'id="form-error">([^<]*)<', html)[1] == "内容：第 1 行无法识别（silence x）：每行写一项，例如 silence 5"
    assert count(app, Programme) == before  # nothing stored
    bob.get("/lang/en")
    resp = bob.post("/scripts/new", {"title": "T", "priority": "urgent", "lang_1": "en", "text_1": "Welcome"})
    assert field_error(resp.get_data(as_text=True), "priority") == \
        "choose a priority from the list (background music, programme or announcement)"


def test_a_day_the_logs_cannot_show_is_said_beside_the_day_field(app):
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    for query, words in (("day=2026-13-40", "没有这一天：请写成 2026-11-26 这样的日期"),
                         ("day=hello", "请用 2026-11-26 这样的日期"),
                         ("days=abc", "天数请填写 1 到 366 之间的整数")):
        resp = sam.get(f"/approvals/logs?{query}")
        html = resp.get_data(as_text=True)
        form = html[html.index('id="day-form"'):html.index("</form>", html.index('id="day-form"'))]
        said = field_error(form, "day")
        assert resp.status_code == 400 and said == f"{words}；现显示最近 7 天。", (query, said)
        assert 'aria-invalid="true"' in form and 'id="asrun"' in html  # the log itself still shows


def test_an_empty_sound_file_is_said_as_such_and_stores_nothing(app):
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    before = count(app, Announcement)
    for audio, words in (((io.BytesIO(b""), "empty.wav"), "所选文件是空的：请选择一个声音文件。"),
                         ((io.BytesIO(b""), ""), "请选择一个声音文件。")):
        resp = bob.post("/scripts/recording", {"title": "Closing", "priority": "announcement", "audio": audio},
                        content_type="multipart/form-data")
        assert resp.status_code == 400 and field_error(resp.get_data(as_text=True), "audio") == words
    assert count(app, Announcement) == before


def test_why_an_airing_ended_is_said_in_staff_words_not_the_devices_own_text(app):
    """The as-run log showed the player's detail as written: a sound device's PortAudio error, a UTC
    instant ("not after 2026-11-27T10:00:00+00:00"); the stored rows keep them (the CSV export too)."""
    from datetime import UTC, datetime

    from broadcaster.store.models.workflow import AsRun

    device = "device: Error opening OutputStream: Device unavailable [PaErrorCode -9985]"
    late = "not after 2026-11-27T10:00:00+00:00"
    now = app.extensions["pa"].clock.now()
    with app.extensions["pa"].db.session() as s:
        s.add(AsRun(ref="announcement:1", title="Closing", kind="announcement", zone="main", started_at=now,
                    outcome="interrupted", detail=device))
        s.add(AsRun(ref="announcement:2", title="Opening", kind="announcement", zone="main", started_at=now,
                    outcome="expired", detail=late))
    said = datetime(2026, 11, 27, 10, tzinfo=UTC).astimezone(app.extensions["pa"].tz).strftime("%H:%M:%S")
    sam = Browser(app, "sam")
    for lang, words in (("zh", ("音响设备停止工作", f"播出时限已于 {said} 结束")),
                        ("en", ("the sound device stopped working", f"its time to air ended at {said}"))):
        sam.get(f"/lang/{lang}")
        html = sam.get("/approvals/logs").get_data(as_text=True)
        asrun = html[html.index('id="asrun"'):html.index("</table>", html.index('id="asrun"'))]
        assert all(w in asrun for w in words) and "PaErrorCode" not in asrun and "+00:00" not in asrun, asrun
    csv = sam.get("/approvals/logs/asrun.csv").get_data(as_text=True)
    assert "PaErrorCode -9985" in csv and late in csv  # nothing stored is lost


def test_an_announcements_timeline_says_a_device_fault_in_staff_words(app):
    from flask import g, session

    from web.annwords import note

    written = "interrupted in main: device: Error opening OutputStream: Device unavailable [PaErrorCode -9985]"
    for lang, said, lobby in (("zh", "在 全场 被打断：音响设备停止工作", "在 lobby 播出失败：音响设备停止工作"),
                              ("en", "interrupted in Whole venue: the sound device stopped working",
                               "failed in lobby: the sound device stopped working")):  # a zone not named too
        with app.test_request_context("/"):
            session["lang"] = lang
            g.pop("pa_lang", None)
            assert note(written) == said and note("failed in lobby: device: write blocked") == lobby
