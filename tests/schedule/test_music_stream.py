"""Music streamed block by block matches the all-in-memory crossfade, and plays through the engine."""
from __future__ import annotations

import time

import numpy as np
import pytest

from audio.pcm import Pcm
from audio.sinks import NullSink
from audio.stream import PcmStream
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.onair.items import PlayoutItem
from playlists.crossfade import crossfade_all
from playlists.stream import CrossfadeStream
from tests.conftest import BLOCK

RATE = 48_000


def tone(freq, seconds, amp=0.3, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return Pcm((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def drain(stream, block=960, timeout=20):
    out, deadline = [], time.monotonic() + timeout
    while not stream.finished:
        assert time.monotonic() < deadline, "stream never finished"
        chunk = stream.read(block)
        if len(chunk) == 0:
            time.sleep(0.001)
        out.append(chunk)
    return np.concatenate(out)


@pytest.mark.parametrize("limit", [None, 2.5])
def test_stream_equals_in_memory_crossfade(limit):
    tracks = [tone(440, 1.2), tone(550, 0.8, rate=22_050), tone(660, 1.5)]
    expected = crossfade_all(tracks, 0.3, limit_s=limit, fade_out_s=0.5)
    stream = CrossfadeStream([lambda p=p: p for p in tracks], 0.3, limit_s=limit, fade_out_s=0.5)
    got = drain(stream)
    assert got.size == len(expected)
    assert np.allclose(got, expected.samples, atol=1e-6)


def test_stream_rewind_restarts():
    tracks = [tone(440, 0.5), tone(880, 0.5)]
    stream = CrossfadeStream([lambda p=p: p for p in tracks], 0.1)
    first = drain(stream)
    stream.rewind()
    assert np.array_equal(drain(stream), first)


def test_broken_track_is_skipped_and_reported():
    def broken():
        raise OSError("not an audio file: x.mp3")

    stream = CrossfadeStream([lambda: tone(440, 0.5), broken, lambda: tone(880, 0.5)], 0.1)
    got = drain(stream)
    assert got.size == RATE  # both good tracks in full (no crossfade across the gap)
    assert stream.errors == ["not an audio file: x.mp3"]


def play_music(stream) -> np.ndarray:
    """Everything the engine sends to the sink while it plays ``stream`` as music."""
    sink = NullSink(keep=True)
    engine = PlayoutEngine({"main": sink})
    engine.submit(PlayoutItem(10, "music", [stream], kind="music"))
    engine.start()
    deadline = time.monotonic() + 10
    while not engine.idle() and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.stop()
    return sink.samples()


def test_engine_plays_a_stream_as_music():
    tracks = [tone(440, 0.6), tone(660, 0.6)]
    expected = crossfade_all(tracks, 0.2)
    out = play_music(CrossfadeStream([lambda p=p: p for p in tracks], 0.2))
    gains = np.concatenate([np.linspace(0, 1, BLOCK, dtype=np.float32), np.ones(len(expected) - BLOCK, np.float32)])
    want = Pcm(expected.samples * gains).to_int16()
    # the engine may pad a block with silence while the next track decodes: compare the audible samples
    nz = out[np.flatnonzero(out)[0]:]
    assert np.array_equal(out[out != 0], want[want != 0])
    assert len(nz) >= len(want) - 1


class SlowStart(PcmStream):
    """A stream whose first samples take a few blocks to decode (a cold disk, a long MP3 header)."""

    def __init__(self, samples, empty_reads):
        self.samples, self.pos = np.asarray(samples, dtype=np.float32), 0
        self.empty_reads = empty_reads

    def read(self, frames):
        if self.empty_reads:
            self.empty_reads -= 1
            return np.zeros(0, np.float32)
        out = self.samples[self.pos:self.pos + frames]
        self.pos += len(out)
        return out

    @property
    def finished(self):
        return self.pos >= len(self.samples)


def test_music_fades_in_on_its_first_audible_block_even_when_decoding_is_slow():
    music = tone(440, 0.5).samples
    out = play_music(SlowStart(music, empty_reads=3))
    start = np.flatnonzero(out)[0] // BLOCK * BLOCK  # the engine's blocks: silence, then the first audible one
    first = out[start:start + BLOCK].astype(np.float32) / 32768
    # the first audible block is ramped from silence (no click), not played at full level
    assert abs(first[5]) < 0.01 and abs(first[-5]) > 0.1 * abs(music[BLOCK - 5])
    assert np.allclose(first, music[:BLOCK] * np.linspace(0, 1, BLOCK), atol=2 / 32768)


def test_a_long_playlist_is_decoded_one_track_ahead_never_all_at_once():
    """Hours of music hold at most a couple of tracks in memory, however often the stream is read."""
    loaded = []

    def track(i):
        def load():
            loaded.append(i)
            return Pcm(np.full(48000 * 10, 0.1, np.float32))  # 10 s each
        return load

    stream = CrossfadeStream([track(i) for i in range(200)], 1.0)
    for _ in range(200):  # 4 s of 20 ms blocks, with time for the decoder to run ahead if it would
        stream.read(960)
        time.sleep(0.002)
    assert len(loaded) <= 3, f"{len(loaded)} tracks decoded for 4 s of music"


def test_a_music_file_is_decoded_a_second_at_a_time(tmp_path):
    """A track file streams through the resampler in blocks: the same music as decoding it whole, and
    never more than a few seconds of it decoded ahead, however long the track."""
    import soundfile as sf

    from audio.decode import load_audio, stream_audio

    rate = 44_100
    t = np.arange(rate * 30) / rate
    sf.write(tmp_path / "long.flac", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    whole = load_audio(tmp_path / "long.flac").samples
    chunks = list(stream_audio(tmp_path / "long.flac"))
    assert max(len(c) for c in chunks) <= RATE * 1.1  # about a second each
    streamed = np.concatenate(chunks)
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(streamed), len(whole))
    assert np.sqrt(np.mean((streamed[:n] - whole[:n]) ** 2)) < 1e-3  # two resamplers, one sound

    stream = CrossfadeStream([lambda: stream_audio(tmp_path / "long.flac")] * 3, 1.0)
    most, out = 0, []
    while not stream.finished:
        out.append(stream.read(960))
        most = max(most, stream._feed.available)
        if not len(out[-1]):
            time.sleep(0.001)
    assert most < RATE * 10, f"{most / RATE:.1f} s decoded ahead"
    assert abs(sum(map(len, out)) - (3 * len(whole) - 2 * RATE)) <= 6  # three tracks, two 1 s crossfades


def test_queued_music_holds_only_its_own_seconds_not_the_arrays_they_were_cut_from():
    """Each queued second (and the tail held for the crossfade) owns its samples: a slice pinned the
    seconds it was cut from, and twelve zones of music held four times their PCM."""
    stream = CrossfadeStream([lambda: iter([tone(440, 1.0).samples] * 30), lambda: tone(550, 5.0)], 3.0)
    stream.read(480)
    deadline = time.monotonic() + 10
    while stream._feed.busy or stream._feed.available < RATE * 5:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    held = list(stream._feed.ready) + [stream._feed.hold]
    pinned = sum((a.base if a.base is not None else a).nbytes for a in held)
    assert pinned <= 2 * sum(a.nbytes for a in held), [(a.nbytes, None if a.base is None else a.base.nbytes) for a in held]


def test_the_stream_says_which_track_airs_and_how_far_in_through_crossfades_gaps_and_a_resume():
    """position(): the playlist index of the track whose samples are being read and the seconds into
    it (a crossfade belongs to the incoming track from its first sample; a broken track is skipped with
    no crossfade); with an origin (a resume), indexes and the first track's seconds count from there."""
    def broken():
        raise OSError("not an audio file: x.mp3")

    loaders = [lambda: tone(440, 1.0), lambda: tone(550, 1.0), broken, lambda: tone(660, 1.0)]
    stream = CrossfadeStream(loaders, 0.25)
    at, read = {}, 0  # seconds read -> position (a read may return less than asked while the decoder catches up)
    deadline = time.monotonic() + 20
    while not stream.finished:
        assert time.monotonic() < deadline, "stream never finished"
        if stream._feed.available < 2 * BLOCK and not stream._feed.done:
            time.sleep(0.001)  # read with what follows made ready: at a track's end, the next one's start is known
            continue
        if n := len(stream.read(BLOCK - read % BLOCK)):
            read += n
            at[round(read / RATE, 2)] = stream.position()
    assert at[0.5] == (0, 0.5) and at[0.75] == (1, 0.0) and at[1.0] == (1, 0.25)  # crossfade: track 2's
    assert at[1.75] == (3, 0.0) and at[2.5] == (3, 0.75)  # track 3 broken: track 4 after track 2 whole
    resumed = CrossfadeStream(loaders[1:], 0.25, origin=(1, 0.4))  # (its first loader would seek 0.4 s)
    assert resumed.position() is None or resumed.position() == (1, 0.4)  # nothing read yet
    while len(got := resumed.read(RATE // 2)) < RATE // 2:
        assert time.monotonic() < deadline and not len(got), "half a second"
    assert resumed.position() == (1, 0.9)
    drain(resumed)
    assert resumed.position() == (3, 1.0)
