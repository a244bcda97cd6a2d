"""The music library's service: tracks listed in order, reordered and removed (never the last one), a
playlist renamed (a name in use refused) and deleted only when no programme plays it; a track's level
overview follows its audio; each track's integrated loudness and true peak are measured at import (as
an independent meter finds them), and tracks stored before that are measured by
``broadcaster music measure``."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from broadcaster.errors import ValidationError
from broadcaster.schedule import library
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.settings import load_settings
from broadcaster.store.models.schedule import PlaylistTrack


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


def music(path, seconds, amp, quiet_from=None, spike=None):
    """Stereo noise (the right channel at half the left), quieter after ``quiet_from`` seconds, with one
    click of ``spike`` in the middle."""
    rng = np.random.default_rng(int(amp * 1000))
    x = amp * rng.uniform(-1, 1, int(seconds * 48_000))
    if quiet_from is not None:
        x[int(quiet_from * 48_000):] *= 0.05
    if spike is not None:
        x[len(x) // 2] = spike
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.stack([x, 0.5 * x], axis=1).astype(np.float32), 48_000)
    return path


def meter(path) -> tuple[float, float]:
    """An independent meter: pyloudnorm's integrated loudness of the whole file mixed to mono, and the
    peak of the whole file oversampled four times."""
    import pyloudnorm
    from scipy.signal import resample_poly

    x, rate = sf.read(str(path), always_2d=True)
    mono = x.mean(axis=1)
    return pyloudnorm.Meter(rate).integrated_loudness(mono), 20 * np.log10(np.abs(resample_poly(mono, 4, 1)).max())


@pytest.fixture
def measured(service, tmp_path):
    files = [music(tmp_path / "n" / "loud.wav", 6.0, 0.9), music(tmp_path / "n" / "soft.wav", 5.0, 0.05, quiet_from=3.0, spike=0.8)]
    (tmp_path / "n" / "n.m3u").write_text("loud.wav\nsoft.wav\n")
    pid = service.import_playlist(tmp_path / "n" / "n.m3u", "Noise")
    return pid, files


def stored(service):
    with service.db.session() as s:
        return [(t.title, t.lufs, t.peak_dbtp, t.gain_db) for t in s.scalars(select(PlaylistTrack).order_by(PlaylistTrack.id))]


def test_each_track_s_loudness_and_true_peak_are_measured_at_import(service, measured):
    pid, files = measured
    rows = stored(service)
    for (title, lufs, peak, gain), path in zip(rows, files):
        want_lufs, want_peak = meter(path)
        assert lufs == pytest.approx(want_lufs, abs=0.1) and peak == pytest.approx(want_peak, abs=0.1), title
    assert [t.lufs for t in library.playlist(service, pid).tracks] == [r[1] for r in rows]
    loud, soft = rows
    target = load_settings().loudness_lufs
    assert loud[3] == pytest.approx(target - loud[1], abs=0.02)  # lowered to the venue's level
    assert 0 < soft[3] < target - soft[1] - 3  # its click holds the raise back: quieter than the venue's level


def test_tracks_stored_before_loudness_was_kept_are_measured_by_the_command(service, measured, db, capsys):
    from broadcaster.cli import main

    pid, files = measured
    before = stored(service)
    with service.db.session() as s:  # as migration 0015 leaves them: not measured; one without a gain either
        for t in s.scalars(select(PlaylistTrack)):
            t.lufs = t.peak_dbtp = None
            t.gain_db = None if t.title == "soft" else t.gain_db
    assert all(t.lufs is None for t in library.playlist(service, pid).tracks)
    files[1].rename(files[1].with_suffix(".gone"))
    assert main(["--db", db.url, "music", "measure"]) == 0
    assert "1 track measured" in capsys.readouterr().out  # the file that is gone stays unmeasured
    assert stored(service) == [before[0], ("soft", None, None, None)]
    files[1].with_suffix(".gone").rename(files[1])
    assert main(["--db", db.url, "music", "measure"]) == 0 and stored(service) == before
    assert service.measure_tracks() == []  # nothing left to measure


def test_a_new_loudness_target_moves_the_music_with_the_speech(service, measured):
    """The gain that airs follows the venue's target as it is now (from each track's measured loudness
    and peak), not the target of the day the track was imported."""
    from broadcaster.settings import save_settings

    pid, _files = measured
    name = library.playlist(service, pid).name
    (title, lufs, peak, at_import), _soft = stored(service)
    assert service.playlist(name).tracks[0].gain_db == pytest.approx(at_import, abs=0.02)
    save_settings({"loudness_lufs": load_settings().loudness_lufs - 3.0})
    assert service.playlist(name).tracks[0].gain_db == pytest.approx(at_import - 3.0, abs=0.02), title
    assert stored(service)[0][3] == at_import  # nothing stored changes: the import's measure stays
