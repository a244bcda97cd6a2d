"""The air logger's Ogg Opus files keep time exactly: every sample written is a sample read back (the
codec's pre-skip and its last part-frame are not counted), and a stretch cut by sample count from a file
(seeking into it) is the one that aired, not a sample early or late: a tone burst written at a known
sample of the logger's count is found there again, right after an hour change, after a cut, after a
pause and after a restart. Files older versions wrote as FLAC stay found, located and pruned beside
the new ones."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import soundfile as sf

from audio.airlog import FLUSH, AirLog, LoggedFile, read_span
from tests.audio.test_airlog import music
from tests.lossy import assert_sounds_as, best_lag

RATE = 48_000
LOUD = 3000  # a burst's onset: its first sample above this


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def burst(freq: float, ms: int = 30) -> np.ndarray:
    t = np.arange(RATE * ms // 1000) / RATE
    return (12_000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def onset(x: np.ndarray) -> int:
    return int(np.flatnonzero(np.abs(x.astype(np.int32)) > LOUD)[0])


def write(airlog: AirLog, samples: np.ndarray, start: float) -> None:
    """As the engine does: 20 ms blocks, each at the wall time it airs."""
    for i in range(0, len(samples), 960):
        airlog.write(samples[i:i + 960], start + i / RATE)


def found_where_it_aired(closed: list[LoggedFile], count: int, sent: np.ndarray, margin: int = 480) -> None:
    """The burst ``sent`` that the logger wrote as samples ``count``.. of its count is read back from
    the file holding them at exactly that place (with up to ``margin`` samples of silence around it)."""
    [f] = [f for f in closed if f.first <= count and count + len(sent) <= f.first + f.frames]
    a, b = max(0, count - f.first - margin), min(f.frames, count - f.first + len(sent) + margin)
    heard = read_span(f.path, a, b)
    expected = np.zeros(b - a, np.int16)
    expected[count - f.first - a:][:len(sent)] = sent
    assert len(heard) == b - a
    assert abs(onset(heard) - onset(expected)) <= 1, f"{f.name}: the burst is {onset(heard) - onset(expected)} samples off"
    assert best_lag(heard, expected, span=24) == 0
    assert_sounds_as(heard, expected, f.name)


def test_a_tone_burst_plays_back_at_the_sample_it_aired_across_hours_cuts_pauses_and_restarts(tmp_path):
    folder, closed, bursts = tmp_path / "main", [], []
    airlog = AirLog(folder, on_close=closed.append, clock=lambda: at("2026-11-26 06:59:58"))

    def stretch(seconds: float, *places: tuple[int, float]) -> np.ndarray:
        x = np.zeros(int(seconds * RATE), np.int16)
        for place, freq in places:
            x[place:place + len(burst(freq))] = burst(freq)
            bursts.append((closed, airlog.written + place, burst(freq)))
        return x

    # 4 s from 2 s before the hour: a burst in the first file, one 77 samples into the next hour's file
    write(airlog, stretch(4.0, (59_257, 1000.0), (2 * RATE + 77, 1500.0)), at("2026-11-26 06:59:58"))
    airlog.cut()  # an item ended: the next block starts a new file
    write(airlog, stretch(1.0, (12_345, 700.0)), at("2026-11-26 07:00:02"))
    airlog.close()  # the zone fell silent
    write(airlog, stretch(1.5, (5, 2000.0), (RATE + 1, 1200.0)), at("2026-11-26 07:10:00"))  # after a pause
    airlog.close()
    first_run = airlog.run
    closed = []  # the service restarted: another logger, another count, the same folder
    airlog = AirLog(folder, on_close=closed.append, clock=lambda: at("2026-11-26 07:10:01.6"))
    write(airlog, stretch(1.0, (31_111, 900.0)), at("2026-11-26 07:10:01.6"))
    airlog.close()
    assert airlog.run != first_run
    names = [f"{p.parent.name}/{p.name}" for p in AirLog(folder).files()]
    assert names == ["2026-11-26/065958.opus", "2026-11-26/070000.opus", "2026-11-26/070002.opus",
                     "2026-11-26/071000.opus", "2026-11-26/071001.opus"]
    for done, count, sent in bursts:
        found_where_it_aired(done, count, sent)
    assert all(sf.info(str(f.path)).frames == f.frames + FLUSH for done, _, _ in bursts for f in done)


def test_every_sample_written_is_read_back_and_seeking_reads_what_decoding_through_does(tmp_path):
    rng = np.random.default_rng(7)
    for length in (1, 2, 959, 960, 961, 4801, 3 * RATE + 17):
        closed: list[LoggedFile] = []
        airlog = AirLog(tmp_path / f"n{length}", on_close=closed.append)
        x = rng.integers(-3000, 3000, length).astype(np.int16)
        i = 0
        while i < length:  # blocks of any size
            k = int(rng.integers(1, 1500))
            airlog.write(x[i:i + k], 1_800_000_000.0 + i / RATE)
            i += k
        airlog.close()
        [f] = closed
        assert f.frames == length == sf.info(str(f.path)).frames - FLUSH == len(sf.read(f.path, dtype="int16")[0]) - FLUSH
        assert np.array_equal(read_span(f.path, 0, f.frames), sf.read(f.path, dtype="int16")[0][:length])
    airlog = AirLog(tmp_path / "music", on_close=closed.append)
    airlog.write(music(20.0, seed=4).to_int16(), 1_800_000_000.0)
    airlog.close()
    path = closed[-1].path
    whole = sf.read(path, dtype="int16")[0]
    for start in [0, 1, 311, 960, 47_999] + [int(s) for s in rng.integers(0, len(whole) - 5000, 25)]:
        stop = min(len(whole), start + int(rng.integers(1, 9000)))
        assert np.array_equal(read_span(path, start, stop), whole[start:stop]), start  # the decoder is exact
    assert np.array_equal(read_span(path, len(whole) - 10, len(whole) + 500), whole[-10:])  # only what is there


def test_a_files_last_milliseconds_play_back_as_they_aired_at_the_hour_a_cut_and_a_pause(tmp_path):
    """The encoder's look-ahead is flushed when a file is completed: unflushed, a file's last ~4 ms
    decoded as garbage (13000 off on a 10000 tone: a click in every playback across an hour, a cut
    or a pause)."""
    closed: list[LoggedFile] = []
    airlog = AirLog(tmp_path / "main", on_close=closed.append)
    sent = music(6.0, seed=9).to_int16()
    write(airlog, sent[:3 * RATE], at("2026-11-26 06:59:59"))  # an hour boundary 1 s in
    airlog.cut()
    write(airlog, sent[3 * RATE:5 * RATE], at("2026-11-26 07:00:02"))
    airlog.close()  # the zone fell silent
    write(airlog, sent[5 * RATE:], at("2026-11-26 07:05:00"))
    airlog.close()
    assert [f.frames for f in closed] == [RATE, 2 * RATE, 2 * RATE, RATE]
    heard = np.concatenate([read_span(f.path, 0, f.frames) for f in closed])
    assert len(heard) == len(sent)
    for f in closed:
        end = f.first + f.frames
        assert_sounds_as(heard[end - 480:end], sent[end - 480:end], f"the last 10 ms of {f.name}")
        err = np.abs(heard[end - 480:end].astype(np.int32) - sent[end - 480:end]).max()
        assert err < 0.15 * np.abs(sent[end - 480:end].astype(np.int32)).max(), f"{f.name}: {err} off at its end"


def old_flac(folder, when: str, samples: np.ndarray) -> None:
    """A file as older versions of the logger wrote it: 16-bit FLAC, its anchors beside it."""
    t = at(when)
    path = folder / datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d/%H%M%S.flac")
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, RATE, format="FLAC", subtype="PCM_16")
    path.with_suffix(".times").write_text(f"0 {t:.6f}\n", "ascii")


def test_old_flac_files_are_found_read_and_pruned_beside_new_opus_ones(tmp_path):
    folder = tmp_path / "main"
    old = music(0.4, seed=5).to_int16()
    old_flac(folder, "2026-11-20 08:00:00", old)
    old_flac(folder, "2026-11-26 09:00:00", old)  # 0.4 s, the service stopped; it starts again at .5 s
    airlog = AirLog(folder, keep_days=5, clock=lambda: at("2026-11-26 09:00:00.5"))
    new = music(1.0, seed=6).to_int16()
    write(airlog, new, at("2026-11-26 09:00:00.5"))  # restarted within the second an old file began
    airlog.close()
    assert [p.name for p in airlog.files()] == ["090000.flac", "090000-2.opus"]  # the 20th's went (5 days)
    flac, opus = airlog.files()
    assert AirLog.anchors(flac) == [(0, at("2026-11-26 09:00:00"))]
    assert np.array_equal(read_span(flac, RATE // 10, RATE), old[RATE // 10:])  # lossless, as it was
    assert AirLog.anchors(opus) == [(0, at("2026-11-26 09:00:00.5"))]
    assert_sounds_as(read_span(opus, 0, RATE), new)
    airlog.max_bytes = opus.stat().st_size + 10  # the cap: the oldest goes first, the FLAC
    assert airlog.prune(at("2026-11-26 10:00:00")) == [flac] and airlog.files() == [opus]
    assert airlog.prune(at("2026-12-01 10:00:00")) == [opus] and list(folder.iterdir()) == []
