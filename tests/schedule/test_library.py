"""The music library's service: tracks listed in order, reordered and removed (never the last one), a
playlist renamed (a name in use refused) and deleted only when no programme plays it; a track's level
overview follows its audio."""
from __future__ import annotations

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule import library
from broadcaster.schedule.programmes import ItemSpec


@pytest.fixture
def lobby(service, tone, tmp_path):
    tone("m/a.wav", 1.0, amp=0.2)
    tone("m/b.wav", 2.0, amp=0.8)
    tone("m/c.wav", 1.5)
    (tmp_path / "m" / "l.m3u").write_text("a.wav\nb.wav\nc.wav\n")
    return service.import_playlist(tmp_path / "m" / "l.m3u", "Lobby")


def titles(service, pid):
    return [t.title for t in library.playlist(service, pid).tracks]


def test_tracks_are_reordered_and_removed_but_never_the_last(service, lobby):
    pl = library.playlist(service, lobby)
    assert [t.title for t in pl.tracks] == ["a", "b", "c"] and pl.seconds == pytest.approx(4.5, abs=0.05)
    a, b, c = (t.id for t in pl.tracks)
    library.move_track(service, lobby, c, -1)
    assert titles(service, lobby) == ["a", "c", "b"]
    library.move_track(service, lobby, a, +1)
    library.move_track(service, lobby, b, +1)  # already last: stays
    assert titles(service, lobby) == ["c", "a", "b"]
    library.remove_track(service, lobby, a)
    library.remove_track(service, lobby, c)
    assert titles(service, lobby) == ["b"] and [t.title for t in service.playlist("Lobby").tracks] == ["b"]
    with pytest.raises(ValidationError, match="only track"):
        library.remove_track(service, lobby, b)
    assert titles(service, lobby) == ["b"]


def test_rename_and_delete_only_when_no_programme_plays_it(service, lobby, tone, tmp_path):
    other = service.import_playlist(tmp_path / "m" / "l.m3u", "Other")
    with pytest.raises(ValidationError, match="already exists"):
        library.rename(service, lobby, "Other")
    library.rename(service, lobby, "Lobby music")
    service.create_programme("Bed", [ItemSpec("playlist", playlist="Lobby music")])
    with pytest.raises(ValidationError, match="played by Bed"):
        library.delete(service, lobby)
    assert [p.name for p in library.playlists(service)] == ["Lobby music", "Other"]
    library.delete(service, other)
    assert [(p.name, p.used_by) for p in library.playlists(service)] == [("Lobby music", ("Bed",))]


def test_the_level_overview_follows_the_audio(service, lobby):
    quiet, loud, _ = library.playlist(service, lobby).tracks
    q, lo = library.levels(quiet.path), library.levels(loud.path)
    assert len(q) == len(lo) == 60 and max(q) == pytest.approx(0.2, abs=0.02) and min(lo) == pytest.approx(0.8, abs=0.02)
    assert library.levels("/no/such/file.wav") == []
