"""The music library in the panel (Flask client): a playlist's tracks listed with their lengths, played,
their level overview drawn, reordered and removed; a playlist renamed, and deleted only when no
programme plays it (refused otherwise, nothing deleted)."""
from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from broadcaster.schedule import library
from broadcaster.schedule.programmes import ItemSpec
from tests.web.conftest import Browser


def wav(seconds, amp=0.5):
    t = np.arange(int(seconds * 48_000)) / 48_000
    buf = io.BytesIO()
    sf.write(buf, (amp * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48_000, format="WAV")
    return buf.getvalue()


@pytest.fixture
def lobby(app):
    bob = Browser(app, "bob")
    resp = bob.post("/schedule/playlists", {"name": "Lobby", "crossfade_s": "1",
                                             "files": [(io.BytesIO(wav(1.0)), "Morning.wav"),
                                                       (io.BytesIO(wav(2.0, 0.9)), "Noon.wav")]},
                    content_type="multipart/form-data")
    assert resp.status_code == 302
    [pl] = library.playlists(app.extensions["pa"].programmes)
    return pl


def test_a_playlist_lists_plays_reorders_and_removes_its_tracks(app, lobby):
    bob = Browser(app, "bob")
    assert f"/schedule/playlists/{lobby.id}" in bob.get("/schedule/playlists").get_data(as_text=True)
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    morning, noon = lobby.tracks
    assert page.index("Morning") < page.index("Noon") and "0:01" in page and "0:02" in page
    audio = bob.get(f"/schedule/playlists/{lobby.id}/tracks/{noon.id}/audio")
    assert audio.status_code == 200 and sf.info(io.BytesIO(audio.data)).duration == pytest.approx(2.0, abs=0.01)
    svg = bob.get(f"/schedule/playlists/{lobby.id}/tracks/{noon.id}/level.svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).count("<rect") == 60
    assert bob.post(f"/schedule/playlists/{lobby.id}/tracks/{noon.id}/move", {"by": "up"}).status_code == 302
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    assert page.index("Noon") < page.index("Morning")
    assert [t.title for t in app.extensions["pa"].programmes.playlist("Lobby").tracks] == ["Noon", "Morning"]
    assert bob.post(f"/schedule/playlists/{lobby.id}/tracks/{morning.id}/remove").status_code == 302
    resp = bob.post(f"/schedule/playlists/{lobby.id}/tracks/{noon.id}/remove")
    assert resp.status_code == 400 and 'id="err-track"' in resp.get_data(as_text=True)
    assert [t.title for t in app.extensions["pa"].programmes.playlist("Lobby").tracks] == ["Noon"]


def test_rename_and_delete_a_playlist_not_in_use(app, lobby):
    programmes = app.extensions["pa"].programmes
    bob = Browser(app, "bob")
    resp = bob.post(f"/schedule/playlists/{lobby.id}/rename", {"name": ""})
    assert resp.status_code == 400 and 'id="err-name"' in resp.get_data(as_text=True)
    assert bob.post(f"/schedule/playlists/{lobby.id}/rename", {"name": "Lobby music"}).status_code == 302
    p = programmes.create_programme("Bed", [ItemSpec("playlist", playlist="Lobby music")])
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    assert 'id="used-by"' in page and "Bed" in page
    resp = bob.post(f"/schedule/playlists/{lobby.id}/delete")
    assert resp.status_code == 400 and 'id="err-delete"' in resp.get_data(as_text=True)
    assert [x.name for x in library.playlists(programmes)] == ["Lobby music"]
    bob.post(f"/schedule/programmes/{p.id}/delete", {"confirm": "1"})
    assert bob.post(f"/schedule/playlists/{lobby.id}/delete").status_code == 302
    assert library.playlists(programmes) == []


def test_each_track_shows_its_measured_loudness_in_words(app, lobby):
    """The loudness measured at upload (as pyloudnorm measures the file) is what the page shows, with
    what the gain does; a track stored before loudness was kept shows its gain until it is measured."""
    import pyloudnorm

    from broadcaster.store.models.schedule import PlaylistTrack

    morning, noon = lobby.tracks
    assert morning.gain_db < 0 and noon.gain_db < morning.gain_db  # measured at upload: both too loud
    for tr in (morning, noon):
        x, rate = sf.read(tr.path)
        assert tr.lufs == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(x), abs=0.1)
    bob = Browser(app, "bob")
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    for tr in (morning, noon):
        assert f"{tr.lufs:.1f} LUFS, lowered {-tr.gain_db:.1f} dB" in page
    with app.extensions["pa"].db.session() as s:  # as stored before: the gain only, or nothing at all
        s.get(PlaylistTrack, morning.id).gain_db = None
        s.get(PlaylistTrack, morning.id).lufs = None
        noon_row = s.get(PlaylistTrack, noon.id)
        noon_row.lufs, noon_row.gain_db = -40.0, 2.0  # quiet and peaky: raised less than the venue's level needs
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    assert "loudness not measured: plays as recorded" in page and "-40.0 LUFS, raised 2.0 dB" in page
    with app.extensions["pa"].db.session() as s:
        s.get(PlaylistTrack, noon.id).lufs = None
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    assert "loudness not measured yet, raised 2.0 dB" in page
    bob.get("/lang/zh")
    page = bob.get(f"/schedule/playlists/{lobby.id}").get_data(as_text=True)
    assert "响度尚未测量，已调高 2.0 dB" in page and "未测量响度" in page
