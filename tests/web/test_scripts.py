"""Broadcaster and supervisor: script editor, preview, recording upload, submit, listen, approve/reject."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from tests.web.conftest import Browser

SCRIPT = {"title": "Closing", "lang_1": "zh-CN", "text_1": "各位游客请注意，园区即将闭园。",
          "lang_2": "en", "text_2": "The park closes soon."}


def new_script(b, **kw) -> int:
    resp = b.post("/scripts/new", dict(SCRIPT, **kw))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def wav_bytes(seconds=1.0, rate=44_100, freq=440.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buf = io.BytesIO()
    sf.write(buf, (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate, format="WAV")
    return buf.getvalue()


def test_preview_renders_the_typed_script_as_wav(app):
    b = Browser(app, "bob")
    resp = b.post("/scripts/preview", SCRIPT)
    assert resp.status_code == 200 and resp.mimetype == "audio/wav"
    pcm, rate = sf.read(io.BytesIO(resp.data), dtype="int16")
    assert rate == 48_000 and len(pcm) > rate
    assert len(resp.headers["X-Audio-SHA256"]) == 64
    assert b.post("/scripts/preview", {"lang_1": "en", "text_1": ""}).status_code == 400


def test_preview_refuses_a_text_in_another_language_s_script_naming_the_part(app):
    """Not 15 s of "Chinese letter": refused at once, the part named."""
    b = Browser(app, "bob")
    resp = b.post("/scripts/preview", {"lang_1": "en", "text_1": "各位游客请注意，园区将于十八点闭园。"})
    assert resp.status_code == 400 and resp.mimetype != "audio/wav"
    assert "write it in English only" in resp.get_data(as_text=True)


def test_write_submit_listen_approve(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob)
    assert bob.post(f"/scripts/{ann_id}/submit").status_code == 302
    assert "Closing" in sam.get("/approvals/").get_data(as_text=True)
    page = sam.get(f"/approvals/announcements/{ann_id}").get_data(as_text=True)
    assert f"/scripts/{ann_id}/audio" in page
    audio = sam.get(f"/scripts/{ann_id}/audio")
    assert audio.mimetype == "audio/wav"
    listened = audio.headers["X-Audio-SHA256"]
    resp = sam.post(f"/approvals/announcements/{ann_id}/approve", {"sha256": listened})
    assert resp.status_code == 302
    a = app.extensions["pa"]
    with a.db.session() as s:
        ann = a.announcements.get(s, ann_id)
        assert ann.state.value == "approved" and ann.approved_hash == listened  # approved what was heard
    assert sam.get(f"/scripts/{ann_id}/audio").headers["X-Audio-SHA256"] == listened


def test_reject_with_reason_is_shown_to_the_author(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob)
    bob.post(f"/scripts/{ann_id}/submit")
    assert sam.post(f"/approvals/announcements/{ann_id}/reject", {"reason": ""}).status_code == 400
    assert sam.post(f"/approvals/announcements/{ann_id}/reject", {"reason": "Say 18:00, not 'soon'"}).status_code == 302
    html = bob.get(f"/scripts/{ann_id}").get_data(as_text=True)
    assert "Say 18:00, not &#39;soon&#39;" in html and 'id="reject-reason"' in html
    assert "Say 18:00" in bob.get("/scripts/").get_data(as_text=True)


def test_author_cannot_approve_their_own_script(app):
    sam, sue = Browser(app, "sam"), Browser(app, "sue")
    ann_id = new_script(sam)
    sam.post(f"/scripts/{ann_id}/submit")
    heard = {"sha256": sue.get(f"/scripts/{ann_id}/audio").headers["X-Audio-SHA256"]}
    assert sam.post(f"/approvals/announcements/{ann_id}/approve", heard).status_code == 403
    assert sue.post(f"/approvals/announcements/{ann_id}/approve", heard).status_code == 302
    assert sue.post(f"/approvals/announcements/{ann_id}/approve", heard).status_code == 409


def test_script_text_is_escaped(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    evil = '<img src=x onerror="alert(1)">'
    ann_id = new_script(bob, title=evil, text_2=f"Hello {evil}")
    bob.post(f"/scripts/{ann_id}/submit")
    for b, url in ((bob, f"/scripts/{ann_id}"), (bob, "/scripts/"), (sam, "/approvals/"),
                   (sam, f"/approvals/announcements/{ann_id}")):
        html = b.get(url).get_data(as_text=True)
        assert evil not in html, url
        assert "&lt;img src=x" in html


def test_edit_returns_to_draft(app):
    bob = Browser(app, "bob")
    ann_id = new_script(bob)
    bob.post(f"/scripts/{ann_id}/submit")
    assert bob.post(f"/scripts/{ann_id}", dict(SCRIPT, text_2="The park closes at six.")).status_code == 302
    assert "draft" in bob.get(f"/scripts/{ann_id}").get_data(as_text=True)
    assert bob.post(f"/scripts/{ann_id}", dict(SCRIPT, title="")).status_code == 400


def test_recording_upload_is_decoded_not_trusted(app):
    bob = Browser(app, "bob")
    ok = bob.post("/scripts/recording", {"title": "Welcome", "audio": (io.BytesIO(wav_bytes()), "../../etc/passwd")},
                  content_type="multipart/form-data")
    assert ok.status_code == 302
    media = app.extensions["pa"].media
    files = [p for p in media.root.rglob("*.wav")]
    assert files and all(media.root in p.parents for p in files)  # stored by hash, never by the given name
    fake = bob.post("/scripts/recording", {"title": "x", "audio": (io.BytesIO(b"<?php evil(); ?>" * 50), "x.wav")},
                    content_type="multipart/form-data")
    assert fake.status_code == 400 and "recording" in fake.get_data(as_text=True)
    empty = bob.post("/scripts/recording", {"title": "x", "audio": (io.BytesIO(b""), "x.wav")},
                     content_type="multipart/form-data")
    assert empty.status_code == 400


def test_upload_size_limit(make_app, approved_templates):
    app = make_app(MAX_CONTENT_LENGTH=50_000)
    bob = Browser(app, "bob")
    resp = bob.post("/scripts/recording", {"title": "big", "audio": (io.BytesIO(wav_bytes(seconds=3)), "a.wav")},
                    content_type="multipart/form-data")
    assert resp.status_code == 413


def test_recorded_announcement_plays_back(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    resp = bob.post("/scripts/recording", {"title": "Rec", "audio": (io.BytesIO(wav_bytes(0.8)), "r.ogg")},
                    content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert resp.status_code == 201
    ann_id = resp.get_json()["id"]
    bob.post(f"/scripts/{ann_id}/submit")
    audio = sam.get(f"/scripts/{ann_id}/audio")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"



def test_approval_binds_to_the_audio_listened_to(app):
    """The supervisor's approval carries the sha256 of what they heard: missing or different -> refused."""
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob)
    bob.post(f"/scripts/{ann_id}/submit")
    assert sam.post(f"/approvals/announcements/{ann_id}/approve", {}).status_code == 400
    resp = sam.post(f"/approvals/announcements/{ann_id}/approve", {"sha256": "0" * 64})
    assert resp.status_code == 400 and "listen again" in resp.get_data(as_text=True)
    a = app.extensions["pa"]
    with a.db.session() as s:
        assert a.announcements.get(s, ann_id).state.value == "submitted"


def test_the_editor_heading_names_the_script_by_its_title_not_its_number(app):
    """Staff see the script's title; its internal number is no word of theirs."""
    import re

    bob = Browser(app, "bob")
    ann_id = new_script(bob, title="Closing time")
    heading = re.search(r"<h1>(.*?)</h1>", bob.get(f"/scripts/{ann_id}").get_data(as_text=True), re.S).group(1)
    assert heading.startswith("Closing time ") and f"#{ann_id}" not in heading
