"""Air log files written before the logger wrote Ogg Opus: 16-bit FLAC, on the player's disk and (on
PostgreSQL) in the database as blobs with ext "flac". They keep playing back, exactly (lossless), from
either place, and go with the retention period like the new ones; new files are stored as "opus"."""
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import soundfile as sf
from sqlalchemy import select

from audio import chimes
from audio.airlog import AirLog
from audio.pcm import SAMPLE_RATE
from broadcaster import airlogs, playback
from broadcaster.settings import var_dir
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.onair import MediaBlob
from broadcaster.store.models.workflow import AsRun
from tests.lossy import assert_sounds_as

START = datetime(2027, 1, 15, 8, tzinfo=timezone.utc)


def old_hour(db, samples: np.ndarray, *, copy: bool) -> tuple[AsRun, AirLogFile]:
    """An hour an older version logged (FLAC, its row, its blob when ``copy``) and an item aired in it:
    samples 12_345.. 12_345 + 2 s of run "old"."""
    name = "2027-01-15/080000.flac"
    path = playback.air_log_folder(var_dir(), "main") / name
    path.parent.mkdir(parents=True)
    sf.write(path, samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    path.with_suffix(".times").write_text(f"0 {START.timestamp():.6f}\n", "ascii")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    aired_at = START + timedelta(seconds=12_345 / SAMPLE_RATE)
    with db.session() as s:
        if copy:
            s.add(MediaBlob(sha256=sha, ext="flac", by_samples=False, data=data))
        f = AirLogFile(zone="main", player="p", name=name, run="old", first=0, frames=len(samples),
                       rate=SAMPLE_RATE, started_at=START, sha256=sha, size=len(data),
                       ended_at=START + timedelta(seconds=len(samples) / SAMPLE_RATE))
        s.add(f)
        s.add(AirMark(airing_id=7, zone="main", started_at=aired_at, run="old", start=12_345,
                      end=12_345 + 2 * SAMPLE_RATE))
        row = AsRun(ref="announcement:7", title="old", kind="announcement", zone="main", started_at=aired_at,
                    ended_at=aired_at + timedelta(seconds=2), outcome="completed", airing_id=7)
        s.add(row)
    with db.session() as s:  # as the panel reads them back
        row, f = s.scalar(select(AsRun)), s.scalar(select(AirLogFile))
        s.expunge_all()
    return row, f


def samples(seconds: float = 5.0) -> np.ndarray:
    rng = np.random.default_rng(2)
    return rng.integers(-6000, 6000, int(seconds * SAMPLE_RATE)).astype(np.int16)


def test_an_old_flac_file_on_this_box_still_plays_back_exactly(db, tmp_path):
    aired = samples()
    row, f = old_hour(db, aired, copy=False)
    with db.session() as s:
        assert playback.playable(s, [row]) == {row.id}
    heard = playback.aired(db, row, tmp_path / "c")
    assert np.array_equal(heard, aired[12_345:12_345 + 2 * SAMPLE_RATE]), "lossless, as it was logged"


def test_an_old_flac_blob_from_another_machine_still_plays_back_and_goes_with_the_retention(db, tmp_path):
    aired = samples()
    row, f = old_hour(db, aired, copy=True)
    local = playback.air_log_folder(var_dir(), "main") / f.name
    local.unlink()  # another machine's file: only its bytes in the database
    heard = playback.aired(db, row, tmp_path / "c")
    assert np.array_equal(heard, aired[12_345:12_345 + 2 * SAMPLE_RATE])
    assert [p.name for p in (tmp_path / "c").glob("*/*/*")] == [f"{f.sha256}.flac"]  # cached by its real ext

    # the service now logs Opus beside it; 31 days later the old hour goes, file, row and blob
    later = [START.timestamp() + 3600]
    airlog = AirLog(playback.air_log_folder(var_dir(), "main"), clock=lambda: later[0])
    keeper = airlogs.Keeper(db, "p", {"main": airlog}, copy_bytes=True)
    bell = chimes.chime("programme").to_int16()
    airlog.write(bell, later[0])
    airlog.close()
    assert keeper.close(30)
    with db.session() as s:
        rows = {r.name.rsplit(".", 1)[1]: r for r in s.scalars(select(AirLogFile))}
        assert sorted(rows) == ["flac", "opus"] and s.get(MediaBlob, rows["opus"].sha256).ext == "opus"
        new = rows["opus"]
    assert_sounds_as(sf.read(playback.air_log_folder(var_dir(), "main") / new.name, dtype="int16")[0][:new.frames], bell)
    later[0] = START.timestamp() + 31 * 86_400 + 1800  # the old hour ended 31 days ago; the new one not yet
    keeper.housekeep()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.session() as s:
            if s.get(MediaBlob, f.sha256) is None:
                break
        time.sleep(0.05)
    keeper.close(30)
    with db.session() as s:
        assert [r.name for r in s.scalars(select(AirLogFile))] == [new.name]
        assert s.get(MediaBlob, f.sha256) is None and s.get(MediaBlob, new.sha256) is not None
    assert len(playback.aired(db, row, tmp_path / "c2")) == 0  # nothing kept of it now
