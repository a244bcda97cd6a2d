"""One submit says every error beside its field: a recording's bad title and bad sound, a playlist's bad
name and each bad file by its own name, a schedule rule's input-model errors with the schedule's own;
nothing is stored and what was typed is kept. Real SQLite."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from broadcaster.schedule.programmes import ItemSpec
from broadcaster.store.models.workflow import Announcement
from tests.web.conftest import Browser
from tests.web.test_playlist_upload_words import playlists
from tests.web.test_scripts import wav_bytes


def errors(resp) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" id="err-([\w-]+)">(.*?)</span>', resp.get_data(as_text=True), re.S))


def announcements(app) -> int:
    with app.extensions["pa"].db.session() as s:
        return s.scalar(select(func.count()).select_from(Announcement))


def test_a_recording_with_a_bad_title_and_a_bad_sound_says_both_at_once(app):
    bob = Browser(app, "bob")
    title = "Closing " + "x" * 200  # over the 200 characters a title may have
    resp = bob.post("/scripts/recording", {"title": title, "audio": (io.BytesIO(b"<?php evil(); ?>" * 50), "x.wav")},
                    content_type="multipart/form-data")
    found = errors(resp)
    assert resp.status_code == 400 and announcements(app) == 0
    assert "title" in found and "not a sound file" in found["audio"]
    assert f'value="{title}"' in resp.get_data(as_text=True)
    silent = bob.post("/scripts/recording", {"title": "", "audio": (io.BytesIO(wav_bytes(0.1)), "r.wav")},
                      content_type="multipart/form-data")
    assert set(errors(silent)) == {"title", "audio"} and "too short" in errors(silent)["audio"]
    assert announcements(app) == 0


def test_a_playlist_with_a_bad_name_and_bad_files_names_each_file_at_once(app):
    sam = Browser(app, "sam")
    name = "Morning " + "m" * 130  # over the 120 characters a name may have
    resp = sam.client.post("/schedule/playlists", data={
        "csrf_token": sam.token, "name": name, "crossfade_s": "3",
        "files": [(io.BytesIO(wav_bytes(2.0)), "good.wav"), (io.BytesIO(b"not sound"), "notes.mp3"),
                  (io.BytesIO(b"junk" * 100), "cover.wav")]}, content_type="multipart/form-data")
    found = errors(resp)
    assert resp.status_code == 400 and playlists(app) == []
    assert "120" in found["name"] and "“notes”" in found["files"] and "“cover”" in found["files"]
    assert "“good”" not in found["files"] and f'value="{name}"' in resp.get_data(as_text=True)


def test_a_playlist_name_taken_and_a_bad_file_are_said_together(app):
    sam = Browser(app, "sam")
    send = lambda files: sam.client.post("/schedule/playlists", data={  # noqa: E731
        "csrf_token": sam.token, "name": "Jazz", "crossfade_s": "3",
        "files": [(io.BytesIO(d), n) for n, d in files]}, content_type="multipart/form-data")
    assert send([("a.wav", wav_bytes(1.0))]).status_code == 302
    found = errors(send([("b.wav", b"nothing")]))
    assert "already" in found["name"] and "“b”" in found["files"] and playlists(app) == ["Jazz"]


def test_a_rule_s_form_errors_and_the_schedule_s_come_in_one_answer(app):
    programmes = app.extensions["pa"].programmes
    programmes.create_programme("Evening", [ItemSpec("chime", chime="programme")])
    sam = Browser(app, "sam")
    typed = {"programme": "Evening", "kind": "daily", "at": "25:99", "zones": "nowhere", "except_dates": "2026-12-25"}
    resp = sam.post("/schedule/rules", typed)  # the time: the input model's; the zone: the schedule's
    found = errors(resp)
    assert resp.status_code == 400 and programmes.rules() == []
    assert "at" in found and "nowhere" in found["zones"]
    page = resp.get_data(as_text=True)
    assert 'value="25:99"' in page and 'value="nowhere"' in page and 'value="2026-12-25"' in page
    interval = {"programme": "Evening", "kind": "interval", "every_minutes": "abc", "window_start": "17:00",
                "window_end": "10:00", "end_date": "2026-01-01", "start_date": "2026-02-01", "zones": "nowhere"}
    found = errors(sam.post("/schedule/rules", interval))
    assert {"every_minutes", "window_end", "end_date", "zones"} <= set(found) and programmes.rules() == []
