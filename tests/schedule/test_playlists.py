"""Media library, M3U/M3U8, shuffle and rotation, crossfade."""
import numpy as np
import pytest

from audio.pcm import AudioError, Pcm
from playlists import MissingTracks, Playlist, Shuffler, read_m3u, write_m3u
from playlists.crossfade import crossfade, crossfade_all
from playlists.library import LibraryError, Track, probe
from playlists.m3u import M3UEntry, PlaylistFileError


def test_probe_reads_audio_and_refuses_other_files(tmp_path, tone):
    tracks = [probe(tone("music/a.wav", 1.0)), probe(tone("music/sub/b.flac", 2.0))]
    (tmp_path / "music" / "notes.txt").write_text("not audio")
    assert [t.title for t in tracks] == ["a", "b"]
    assert [round(t.duration, 3) for t in tracks] == [1.0, 2.0]
    with pytest.raises(LibraryError, match="notes.txt"):
        probe(tmp_path / "music" / "notes.txt")


def test_m3u8_round_trip_non_ascii(tmp_path, tone):
    a = tone("音乐/欢迎 Добро.wav", 1.0)
    b = tone("music/b.wav", 2.0)
    pl = Playlist("早晨", [probe(a, "欢迎曲 Добро пожаловать"), probe(b)])
    (tmp_path / "lists").mkdir()
    out = pl.to_m3u(tmp_path / "lists" / "morning.m3u8")
    text = out.read_bytes().decode("utf-8")
    assert "#EXTINF:1,欢迎曲 Добро пожаловать" in text
    assert "../音乐/欢迎 Добро.wav" in text  # relative to the playlist's folder
    back = Playlist.from_m3u(out)
    assert back.name == "morning"
    assert [t.path for t in back.tracks] == [a.resolve(), b.resolve()]
    assert [t.title for t in back.tracks] == ["欢迎曲 Добро пожаловать", "b"]


def test_m3u_relative_resolution_and_extinf(tmp_path, tone):
    tone("songs/one.wav", 1.0)
    (tmp_path / "pl").mkdir()
    m3u = tmp_path / "pl" / "list.m3u"
    m3u.write_text("#EXTM3U\n#EXTINF:123,First song\n../songs/one.wav\n\n# comment\n", encoding="utf-8")
    [e] = read_m3u(m3u)
    assert e == M3UEntry((tmp_path / "songs" / "one.wav").resolve(), "First song", 123.0)


def test_m3u_missing_files_are_named_together(tmp_path, tone):
    tone("ok.wav")
    m3u = tmp_path / "x.m3u"
    m3u.write_text("ok.wav\ngone1.mp3\nsub/gone2.wav\n")
    with pytest.raises(MissingTracks) as exc:
        read_m3u(m3u)
    assert "gone1.mp3" in str(exc.value) and "gone2.wav" in str(exc.value) and "ok.wav" not in str(exc.value)
    assert len(exc.value.missing) == 2


def test_m3u8_must_be_utf8_and_latin1_m3u_ok(tmp_path, tone):
    tone("café.wav")
    bad = tmp_path / "bad.m3u8"
    bad.write_bytes("café.wav\n".encode("latin-1"))
    with pytest.raises(PlaylistFileError, match="UTF-8"):
        read_m3u(bad)
    legacy = tmp_path / "legacy.m3u"
    legacy.write_bytes("café.wav\n".encode("latin-1"))
    assert read_m3u(legacy)[0].path.name == "café.wav"


def test_write_m3u_unknown_duration(tmp_path):
    p = write_m3u(tmp_path / "x.m3u", [M3UEntry(tmp_path / "a.wav", "A", None)])
    assert "#EXTINF:-1,A" in p.read_text()


def tracks(n):
    from pathlib import Path
    return [Track(Path(f"/m/{i}.wav"), str(i), 60.0) for i in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shuffle_no_repeats_within_cycle_or_across_boundary(n):
    sh = Shuffler(tracks(n), seed=n)
    seq = [next(sh).title for _ in range(n * 50)]
    for c in range(50):
        assert sorted(seq[c * n:(c + 1) * n]) == sorted(str(i) for i in range(n))
    if n > 1:
        assert all(a != b for a, b in zip(seq, seq[1:]))


def test_shuffle_actually_shuffles():
    seq = [next(sh).title for sh in [Shuffler(tracks(10), seed=1)] for _ in range(10)]
    assert seq != [str(i) for i in range(10)]


def test_rotation_and_fill():
    pl = Playlist("p", tracks(3))
    assert [t.title for t in pl.fill(150)] == ["0", "1", "2"]
    assert [t.title for t in pl.fill(200)] == ["0", "1", "2", "0"]
    assert pl.fill(0) == []
    with pytest.raises(AudioError, match="no tracks"):
        Playlist("empty").fill(10)


def sine(seconds, freq, amp, rate=48000):
    t = np.arange(int(seconds * rate)) / rate
    return Pcm((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def test_crossfade_length_and_equal_power():
    a, b = sine(3, 440, 0.5), sine(2, 660, 0.5)
    out = crossfade(a, b, 1.0)
    assert len(out) == len(a) + len(b) - 48000
    mid = out.samples[len(a) - 24000 - 2400: len(a) - 24000 + 2400]  # middle of the overlap
    # equal power: uncorrelated signals each at -3 dB keep the same RMS (linear fade would dip to 0.5)
    assert mid.std() == pytest.approx(a.rms, rel=0.05)


def test_crossfade_never_clips_loud_correlated_tracks():
    a, b = sine(2, 440, 0.99), sine(2, 440, 0.99)  # in phase: equal power sum peaks at 1.40 without a limiter
    out = crossfade(a, b, 1.5)
    assert out.peak <= 1.0
    assert out.peak > 0.95  # limited, not squashed
    assert len(out) == 4 * 48000 - 72000


def test_crossfade_clamps_and_rejects_negative():
    a, b = sine(0.5, 440, 0.3), sine(1, 440, 0.3)
    assert len(crossfade(a, b, 5)) == len(b)  # overlap clamped to the shorter track
    with pytest.raises(AudioError, match="seconds"):
        crossfade(a, b, -1)


def test_crossfade_all_limit_with_fade_out():
    parts = [sine(2, 440, 0.5), sine(2, 550, 0.5), sine(2, 660, 0.5), sine(2, 770, 0.5)]
    out = crossfade_all(parts, seconds=0.5, limit_s=4.0, fade_out_s=0.5)
    assert len(out) == 4 * 48000
    assert abs(out.samples[-1]) < 0.01 and out.peak <= 1.0
    full = crossfade_all(parts, seconds=0.5)
    assert len(full) == 8 * 48000 - 3 * 24000
