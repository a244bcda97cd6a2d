"""Supervisor logs (as-run, faults, CSV) and the schedule pages."""
from __future__ import annotations

from datetime import date, timedelta

from broadcaster import logs
from broadcaster.store.models.workflow import AsRun
from broadcaster.clock import utcnow
from tests.web.conftest import Browser
from tests.web.test_fault_words import faults_said


def test_faults_on_the_dashboard_acknowledge_and_csv(app, staff):
    with staff.session() as s:
        fault = logs.raise_fault(s, "device_lost", "USB interface unplugged", zone="main")
        s.add(AsRun(ref="announcement:1", title="Closing <b>", kind="announcement", zone="main", priority=50,
                    started_at=utcnow()))
    fid = fault.id
    dora, sam = Browser(app, "dora"), Browser(app, "sam")
    [(head, detail, outside)] = faults_said(dora.get("/").get_data(as_text=True))
    assert head.startswith("The sound device cannot be used")  # the staff's sentence; the device's text folded
    assert detail == "Technical detail (for the technician) USB interface unplugged" and "USB" not in outside
    assert dora.post(f"/faults/{fid}/ack").status_code == 302
    assert dora.post(f"/faults/{fid}/ack").status_code == 409
    assert dora.client.post(f"/faults/{fid}/ack").status_code == 400  # no CSRF token
    html = sam.get("/approvals/logs").get_data(as_text=True)
    [(head, detail, outside)] = faults_said(html)
    assert head.startswith("The sound device cannot be used") and "USB interface unplugged" in detail
    assert "USB" not in outside
    assert "Closing &lt;b&gt;" in html and '<td data-label="Status">Acknowledged</td>' in html  # the state in the staff's words
    csv = sam.get("/approvals/logs/asrun.csv")
    assert csv.mimetype == "text/csv" and "Closing <b>" in csv.get_data(as_text=True)
    assert "USB interface unplugged" in sam.get("/approvals/logs/faults.csv").get_data(as_text=True)
    assert sam.get("/approvals/logs?day=bad").status_code == 400


def test_programme_rule_week_edit_delete(app):
    bob = Browser(app, "bob")
    resp = bob.post("/schedule/programmes", {"name": "Parade call", "items": "chime programme\nsilence 2",
                                             "priority": "programme", "zones": "main"})
    assert resp.status_code == 302
    assert bob.post("/schedule/programmes", {"name": "Bad", "items": "silence x"}).status_code == 400
    monday = date(2026, 11, 23)
    resp = bob.post("/schedule/rules", {"programme": "Parade call", "kind": "weekly", "days": ["mon", "wed"],
                                        "at": "14:30"})
    assert resp.status_code == 302
    week = bob.get(f"/schedule/?week={monday.isoformat()}").get_data(as_text=True).split('id="next-24h"')[0]
    assert week.count("Parade call") == 2 and "14:30" in week
    rule_id = app.extensions["pa"].programmes.rules()[0].rule_id
    assert 'value="14:30"' in bob.get(f"/schedule/rules/{rule_id}/edit").get_data(as_text=True)
    bad = bob.post(f"/schedule/rules/{rule_id}/edit", {"programme": "Parade call", "kind": "weekly", "at": "15:00"})
    assert bad.status_code == 400 and "days" in bad.get_data(as_text=True)  # old rule untouched
    ok = bob.post(f"/schedule/rules/{rule_id}/edit", {"programme": "Parade call", "kind": "daily", "at": "15:00"})
    assert ok.status_code == 302
    week = bob.get(f"/schedule/?week={monday.isoformat()}").get_data(as_text=True).split('id="next-24h"')[0]
    assert week.count("Parade call") == 7 and "14:30" not in week
    new_id = app.extensions["pa"].programmes.rules()[0].rule_id
    assert bob.post(f"/schedule/rules/{new_id}/delete").status_code == 302
    assert bob.post(f"/schedule/rules/{new_id}/delete").status_code == 404
    assert "Parade call" not in bob.get(f"/schedule/?week={(monday + timedelta(days=7)).isoformat()}").get_data(
        as_text=True).split('id="week"')[1]


def test_music_upload_makes_a_playlist_and_refuses_what_is_not_audio(app, tmp_path):
    import io

    import numpy as np
    import soundfile as sf

    def wav(seconds):
        buf = io.BytesIO()
        t = np.arange(int(seconds * 48000)) / 48000
        sf.write(buf, (0.4 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, format="WAV")
        return buf.getvalue()

    bob = Browser(app, "bob")
    assert "Upload music" in bob.get("/schedule/playlists").get_data(as_text=True)
    bad = bob.post("/schedule/playlists", {"name": "Lobby", "files": [(io.BytesIO(wav(1)), "a.wav"),
                                                                      (io.BytesIO(b"<script>x</script>"), "b.mp3")]},
                   content_type="multipart/form-data")
    refused = bad.get_data(as_text=True)  # beside the files field, by the file's name
    assert bad.status_code == 400 and 'id="err-files"' in refused and "“b” is not a sound file" in refused
    assert app.extensions["pa"].programmes.list_playlists() == []
    no_csrf = bob.client.post("/schedule/playlists", data={"name": "Lobby", "files": [(io.BytesIO(wav(1)), "a.wav")]},
                              content_type="multipart/form-data")
    assert no_csrf.status_code == 400 and app.extensions["pa"].programmes.list_playlists() == []
    ok = bob.post("/schedule/playlists", {"name": "Lobby", "shuffle": "1", "crossfade_s": "2",
                                          "files": [(io.BytesIO(wav(1)), "Theme.wav"), (io.BytesIO(wav(2)), "Walk.wav")]},
                  content_type="multipart/form-data")
    assert ok.status_code == 302
    page = bob.get("/schedule/playlists").get_data(as_text=True)
    assert "Lobby" in page and "0:03" in page
    assert app.extensions["pa"].programmes.playlist("Lobby").duration == 3.0
    big = app.config["MAX_CONTENT_LENGTH"] + 1024  # over a recording's limit, under the music limit
    long = bob.post("/schedule/playlists", {"name": "Long", "files": [(io.BytesIO(wav(1) + b"\0" * big), "x.wav")]},
                    content_type="multipart/form-data")
    # music has its own limit (not a 413); the file is then checked by decoding: stored, one track
    assert long.status_code == 302, long.status_code
    assert len(app.extensions["pa"].programmes.playlist("Long").tracks) == 1
