"""The air logger: hourly Ogg Opus files of what aired (exactly as many samples, each where it aired,
sounding as it did, then the encoder's flush: :func:`logged_samples`), moments found again, old files deleted. Real files; the wall clock is given to the logger so an hour passes in a second."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import soundfile as sf

from audio.airlog import FLUSH, OPUS_KBPS, AirLog, AirLogSink
from audio.player import Player
from audio.sinks import NullSink
from audio.pcm import Pcm
from tests.lossy import assert_sounds_as

RATE = 48_000


def logged_samples(path) -> np.ndarray:
    """The samples a completed Opus file logged: all but the :data:`FLUSH` after the last one."""
    return sf.read(path, dtype="int16")[0][:-FLUSH]


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


class Wall:
    """Wall time that moves with the audio written (as a real-time sink's clock does), and jumps."""

    def __init__(self, start: float, sink: NullSink) -> None:
        self.base, self.sink, self.skipped = start, sink, 0.0

    def __call__(self) -> float:
        return self.base + self.skipped + len(self.sink.samples()) / RATE


def music(seconds: float, seed: int = 1) -> Pcm:
    """Chords changing every half second over a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    roots = rng.choice([196.0, 220.0, 261.6, 293.7, 329.6], size=int(seconds * 2) + 1)[(t * 2).astype(int)]
    x = sum(np.sin(2 * np.pi * roots * k * t) / k for k in (1, 1.25, 1.5, 2))
    return Pcm((0.15 * x + rng.normal(0, 0.003, t.size)).astype(np.float32))


def logged(sink: NullSink, folder, **kw) -> tuple[AirLogSink, Wall]:
    wall = Wall(kw.pop("start"), sink)
    return AirLogSink(sink, AirLog(folder, clock=wall, **kw)), wall


def test_an_hour_boundary_starts_a_new_file_and_the_samples_are_in_place(tmp_path):
    out = NullSink(keep=True)
    sink, _ = logged(out, tmp_path / "main", start=at("2026-11-26 06:59:57.505"))
    Player(sink).play(music(5.0))  # 2.495 s before 07:00 (a 20 ms block spans the hour), the rest after
    sink.close()
    files = AirLog(tmp_path / "main").files()
    assert [f"{p.parent.name}/{p.name}" for p in files] == ["2026-11-26/065957.opus", "2026-11-26/070000.opus"]
    decoded = [logged_samples(p) for p in files]
    assert [len(d) for d in decoded] == [119_760, 5 * RATE - 119_760]  # split exactly at the hour
    assert_sounds_as(decoded[0], out.samples()[:119_760], "before the hour")  # what aired, each sample in place
    assert_sounds_as(decoded[1], out.samples()[119_760:], "after it")
    assert all((sf.info(str(p)).format, sf.info(str(p)).subtype) == ("OGG", "OPUS") for p in files)


def test_a_moment_is_found_after_pauses(tmp_path):
    out = NullSink(keep=True)
    sink, wall = logged(out, tmp_path / "lobby", start=at("2026-11-26 09:10:00"))
    first, second = music(3.0, seed=1), music(2.0, seed=2)
    Player(sink).play(first)
    wall.skipped += 600  # ten quiet minutes: nothing written
    Player(sink).play(second)
    sink.close()
    airlog = AirLog(tmp_path / "lobby")
    [path] = airlog.files()
    assert AirLog.anchors(path) == [(0, at("2026-11-26 09:10:00")), (3 * RATE, at("2026-11-26 09:20:03"))]
    data, _ = sf.read(path, dtype="int16", start=3 * RATE + RATE, frames=RATE)  # one second into the second item
    assert_sounds_as(data, second.to_int16()[RATE:2 * RATE])


def test_files_older_than_the_retention_are_deleted(tmp_path):
    folder = tmp_path / "main"
    for day in ("2026-11-01", "2026-11-20", "2026-11-24"):
        out = NullSink(keep=True)
        sink, _ = logged(out, folder, start=at(f"{day} 08:30:00"), keep_days=5)
        Player(sink).play(music(0.5))
        sink.close()
    kept = [p.parent.name for p in AirLog(folder).files()]
    assert kept == ["2026-11-20", "2026-11-24"]  # the 1st went when the 20th opened its file
    airlog = AirLog(folder, keep_days=5)
    assert [p.parent.name for p in airlog.prune(at("2026-11-29 08:59:59"))] == ["2026-11-20"]
    assert [p.parent.name for p in airlog.prune(at("2026-11-29 09:00:00"))] == ["2026-11-24"]  # its hour ended 5 days ago
    assert airlog.files() == []
    assert sorted(x.name for x in folder.iterdir()) == []  # their .times files and day folders too


def test_a_disk_cap_deletes_the_oldest_first(tmp_path):
    folder = tmp_path / "main"
    for hour in range(6):
        out = NullSink(keep=True)
        sink, _ = logged(out, folder, start=at(f"2026-11-26 {hour:02d}:00:00"))
        Player(sink).play(music(1.0, seed=hour))
        sink.close()
    sizes = [p.stat().st_size for p in AirLog(folder).files()]
    cap = sum(sizes[-3:]) + 10
    AirLog(folder, max_bytes=cap).prune(at("2026-11-26 06:00:00"))
    assert [p.stem for p in AirLog(folder).files()] == ["030000", "040000", "050000"]


def test_a_failing_log_never_stops_the_audio(tmp_path, caplog):
    (tmp_path / "main").write_text("a file where the log folder should be")
    out = NullSink(keep=True)
    sink, _ = logged(out, tmp_path / "main", start=at("2026-11-26 10:00:00"))
    pcm = music(1.0)
    assert Player(sink).play(pcm) == len(pcm)
    assert np.array_equal(out.samples(), pcm.to_int16())
    assert sum("air log failed" in r.message for r in caplog.records) == 1  # reported once, not per block


def test_new_files_are_opus_and_far_smaller_than_flac(tmp_path):
    """Ogg Opus at OPUS_KBPS: about a tenth of the 16-bit FLAC older versions wrote for the same audio
    (which took ~214 MB an hour of music), and a quiet minute costs next to nothing."""
    airlog = AirLog(tmp_path / "main", clock=lambda: at("2026-11-26 12:00:00"))
    pcm = music(60.0).to_int16()
    aired = np.concatenate([pcm, np.zeros(60 * RATE, np.int16)])
    airlog.write(pcm, at("2026-11-26 12:00:00"))
    airlog.write(np.zeros(60 * RATE, np.int16), at("2026-11-26 12:01:00"))
    airlog.close()
    [path] = airlog.files()
    assert path.suffix == ".opus" and (sf.info(str(path)).format, sf.info(str(path)).subtype) == ("OGG", "OPUS")
    size = path.stat().st_size
    sf.write(tmp_path / "same.flac", aired, RATE, format="FLAC", subtype="PCM_16")
    assert size < (tmp_path / "same.flac").stat().st_size / 6
    assert size < 60 * OPUS_KBPS * 1000 / 8 * 1.25  # the music minute at the bitrate; the quiet one ~free
    decoded = logged_samples(path)
    assert_sounds_as(decoded[:60 * RATE], pcm)
    quiet = 60 * RATE + RATE // 10  # after the codec's few ms of ringing where the music stopped dead
    assert_sounds_as(decoded[quiet:], aired[quiet:], "the quiet minute")


def test_the_disk_cap_holds_while_a_long_hour_is_written(tmp_path):
    """The cap is checked as the file grows (every ``cap_check_s`` of audio), not only when a file
    starts: older files go while an hour is written, and a file over the cap on its own is completed
    and a new one started, so the folder never holds much more than the cap."""
    folder = tmp_path / "main"
    noise = music(60.0, seed=3).to_int16()  # ~8 kB/s of Opus
    AirLog(folder).write(noise[:10 * RATE], at("2026-11-26 08:00:00"))  # an earlier hour's file
    cap = 150_000
    closed = []
    airlog = AirLog(folder, max_bytes=cap, cap_check_s=1.0, on_close=closed.append)
    start = at("2026-11-26 09:00:00")
    biggest = 0
    for i in range(0, len(noise), RATE // 50):  # 20 ms blocks, one long stretch of the hour
        airlog.write(noise[i:i + RATE // 50], start + i / RATE)
        biggest = max(biggest, sum(p.stat().st_size for p in airlog.files()))
    airlog.close()
    assert biggest <= cap + 15_000  # at most a second of audio (and an Ogg page) beyond it before the check
    assert [p.parent.name + "/" + p.stem for p in airlog.files()][-1].startswith("2026-11-26/09")
    assert "080000" not in [p.stem for p in airlog.files()], "the earlier hour went while this one was written"
    # the count runs on across the files it started: what is kept is the end of what was written
    assert [c.first for c in closed] == sorted(c.first for c in closed) and closed[-1].first + closed[-1].frames == len(noise)
    kept = [logged_samples(p) for p in airlog.files()]
    assert kept and all(len(k) for k in kept)
    end = len(noise)
    for k in reversed(kept):
        assert_sounds_as(k, noise[end - len(k):end])
        end -= len(k)


def test_a_file_over_the_cap_is_completed_never_left_empty_and_what_aired_is_kept(tmp_path):
    """A cap smaller than what one stretch of audio takes: the file is completed at the check, the next
    audio starts a new one, and a zone falling silent right after leaves no empty (unreadable) file."""
    noise = np.random.default_rng(0).integers(-2000, 2000, RATE, dtype=np.int16)
    start = at("2027-01-15 08:00:10")
    airlog = AirLog(tmp_path / "main", max_bytes=20_000, cap_check_s=5.0)  # 5 s of it: ~40 kB of Opus
    for i in range(5):
        airlog.write(noise, start + i)
    airlog.close()
    [path] = airlog.files()  # the five seconds that aired, and nothing else
    assert sf.info(str(path)).frames == 5 * RATE + FLUSH
    assert sorted(p.name for p in path.parent.iterdir()) == ["080010.opus", "080010.times"]
    assert AirLog.anchors(path) == [(0, start)]  # one stretch: second 2 is 2 s into the file
    for i in range(5, 12):  # more audio: the old file may go for the cap, never the one being written
        airlog.write(noise, start + i)
        assert airlog._path is None or airlog._path.exists()
    airlog.close()
    assert all(sf.info(str(p)).frames > 0 for p in airlog.files())
