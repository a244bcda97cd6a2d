"""Music: each track's gain measured once at import (replay-gain style, to the loudness target, never
over the true-peak ceiling) and applied as it plays. Real files; levels checked by ffmpeg's meter."""
from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from audio.decode import load_audio, stream_audio
from audio.levelling import measure_file
from audio.pcm import Pcm
from playlists import Playlist, play_gain, probe
from playlists.library import track_level
from playlists.library import LibraryError
from tests.audio.meter import CEILING_DBTP, TOLERANCE_LU, ebur128


def song(path, seconds=12.0, level=0.5, rate=44_100, stereo=True, crest=False, seed=0):
    """Chords over a beat; ``crest``: quiet with rare loud hits (a track the peak cap holds back)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    roots = rng.choice([196.0, 220.0, 261.6, 293.7], size=int(seconds) + 1)[t.astype(int)]
    x = sum(np.sin(2 * np.pi * roots * k * t) / k for k in (1, 1.25, 1.5, 2)) / 2.5
    x = x * (0.6 + 0.4 * (np.sin(2 * np.pi * 2 * t) > 0)) + rng.normal(0, 0.01, t.size)
    x = level * x / np.abs(x).max()
    if crest:
        x *= 0.05
        x[:: rate * 2][: 5] = 0.0
        for i in range(1, int(seconds) // 2):
            x[i * 2 * rate:i * 2 * rate + 40] = 0.95  # clicks of a stick
    data = np.stack([x, 0.8 * x], axis=1) if stereo else x
    sf.write(path, data, rate)
    return path


def test_the_measure_streams_and_agrees_with_pyloudnorm_and_ffmpeg(tmp_path):
    path = song(tmp_path / "a.flac", seconds=20)
    integrated, peak = measure_file(str(path))
    data, rate = sf.read(path)
    mono = data.mean(axis=1)  # as it airs
    assert integrated == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(mono), abs=0.01)
    ff_integrated, ff_peak = ebur128(load_audio(path), tmp_path)  # 48 kHz mono, as the player decodes it
    assert abs(integrated - ff_integrated) <= 0.2 and abs(peak - ff_peak) <= 0.3


@pytest.mark.parametrize("level,crest", [(0.99, False), (0.05, False)])
def test_loud_and_quiet_tracks_play_at_the_target(tmp_path, level, crest):
    path = song(tmp_path / "t.wav", level=level, crest=crest)
    gain = track_level(path)[0]
    played = play_gain(load_audio(path), gain)
    integrated, peak = ebur128(played, tmp_path)
    assert abs(integrated + 20.0) <= TOLERANCE_LU and peak <= CEILING_DBTP, (gain, integrated, peak)


def test_a_peaky_track_is_held_under_the_ceiling_not_limited(tmp_path):
    path = song(tmp_path / "sticks.wav", crest=True, stereo=False)
    gain = track_level(path)[0]
    played = play_gain(load_audio(path), gain)
    integrated, peak = ebur128(played, tmp_path)
    assert peak <= CEILING_DBTP and peak > CEILING_DBTP - 0.5  # the peak decides the gain
    assert integrated < -20.0 - TOLERANCE_LU  # so it stays under the target: music is never squashed


def test_gain_is_measured_once_at_import_and_applied_to_the_stream(tmp_path):
    a = song(tmp_path / "loud.flac", level=0.99, seed=1)
    b = song(tmp_path / "quiet.ogg", level=0.05, seed=2)
    (tmp_path / "bed.m3u").write_text(f"#EXTM3U\n{a.name}\n{b.name}\n", encoding="utf-8")
    assert [t.gain_db for t in Playlist.from_m3u(tmp_path / "bed.m3u").tracks] == [None, None]  # not asked
    tracks = Playlist.from_m3u(tmp_path / "bed.m3u", target_lufs=-20.0).tracks
    assert tracks[0].gain_db < -5 and tracks[1].gain_db > 10
    assert probe(a, target_lufs=-20.0).gain_db == tracks[0].gain_db
    # as the player streams it: every chunk scaled, the file closed with the stream
    chunks = stream_audio(b)
    played = np.concatenate(list(play_gain(chunks, tracks[1].gain_db)))
    integrated, peak = ebur128(Pcm(played), tmp_path)
    assert abs(integrated + 20.0) <= TOLERANCE_LU and peak <= CEILING_DBTP
    unmeasured = stream_audio(b)
    assert play_gain(unmeasured, None) is unmeasured
    scaled = play_gain(stream_audio(b), 6.0)
    next(scaled)
    scaled.close()  # closing the scaled stream closes the decoder under it (no file left open)


def test_a_file_that_is_not_audio_cannot_be_measured(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    with pytest.raises(LibraryError, match="cannot measure"):
        track_level(bad)
    with pytest.raises(LibraryError, match="cannot measure upload"):
        track_level(b"not audio at all")


def test_the_player_plays_a_music_piece_at_its_tracks_gain(tmp_path):
    """The on-air path (broadcaster.onair.pieces): a music piece's track carries its gain; what the
    stream gives the engine is the track at that gain."""
    import hashlib
    import time

    from broadcaster.onair.pieces import MediaSource, build

    path = song(tmp_path / "quiet.flac", level=0.05, stereo=False, rate=48_000)
    gain = track_level(path)[0]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()

    def aired(track: dict) -> np.ndarray:
        [stream], _, _ = build([{"type": "music", "tracks": [track], "crossfade": 0.0, "seconds": None}],
                               MediaSource(None, None, tmp_path / "cache"), None)
        out, deadline = [], time.monotonic() + 30
        while not stream.finished and time.monotonic() < deadline:
            out.append(stream.read(4800))
            time.sleep(0.001)
        stream.close()
        return np.concatenate(out)

    plain = aired({"path": str(path), "sha256": sha})
    levelled = aired({"path": str(path), "sha256": sha, "gain_db": gain})
    assert len(plain) == len(levelled) == 12 * 48_000
    assert np.allclose(levelled, np.clip(plain * 10 ** (gain / 20), -1, 1), atol=1e-5)
    integrated, peak = ebur128(Pcm(levelled), tmp_path)
    assert abs(integrated + 20.0) <= TOLERANCE_LU and peak <= CEILING_DBTP
