"""A service killed while it aired (kill -9, power cut) leaves its air log file open: never completed,
so never stored, and what aired until the crash could not be played back (the last hour of music was
lost from the proof). The next start finds the file by the run written beside it and stores it as far
as it can be read; the item that was airing plays back from it."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from audio.airlog import AirLog
from audio.pcm import SAMPLE_RATE
from broadcaster import airlogs, playback
from broadcaster.settings import var_dir
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.workflow import AsRun
from tests.audio.test_airlog import music
from tests.lossy import assert_sounds_as

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2027, 1, 15, 8, 20, tzinfo=timezone.utc)
KILLED = """
import os, signal, sys
sys.path.insert(0, {root!r})
from audio.airlog import AirLog
from tests.audio.test_airlog import music
x = music(4.0, seed=5).to_int16()
log = AirLog({folder!r}, clock=lambda: {t!r})
for i in range(0, len(x), 960):  # as the engine writes: 20 ms blocks
    log.write(x[i:i + 960], {t!r} + i / 48000)
print(log.run, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the service dies dead: the file is never completed
"""


def test_a_file_left_open_by_a_killed_service_is_stored_at_the_next_start_and_plays_back(db, tmp_path):
    folder = playback.air_log_folder(var_dir(), "main")
    done = subprocess.run([sys.executable, "-c", KILLED.format(root=str(ROOT), folder=str(folder),
                                                                t=START.timestamp())],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == -9, done.stderr
    run = done.stdout.strip()
    [left] = AirLog(folder).files()
    aired_at = START + timedelta(seconds=1)
    with db.session() as s:  # the music item that was airing: its mark never got its end
        s.add(AirMark(airing_id=3, zone="main", started_at=aired_at, run=run, start=SAMPLE_RATE, end=None))
        s.add(AsRun(ref="programme:3", title="bed", kind="music", zone="main", started_at=aired_at,
                    ended_at=None, outcome="airing", airing_id=3))
    with db.session() as s:
        row = s.scalar(select(AsRun))
        s.expunge_all()
        assert playback.playable(s, [row]) == set()  # nothing stored: not playable before the restart

    keeper = airlogs.Keeper(db, "p", {"main": AirLog(folder)})  # the service starts again
    keeper.recover()
    assert keeper.close(30)
    with db.session() as s:
        [f] = s.scalars(select(AirLogFile)).all()
        assert (f.name, f.run, f.first) == (f"{left.parent.name}/{left.name}", run, 0)
        assert 2 * SAMPLE_RATE <= f.frames <= 4 * SAMPLE_RATE  # all but its last unwritten Ogg page (~1 s)
        assert playback.playable(s, [row]) == {row.id}
    heard = playback.aired(db, row, tmp_path / "cache")
    sent = music(4.0, seed=5).to_int16()
    assert len(heard) == f.frames - SAMPLE_RATE
    assert_sounds_as(heard[:-SAMPLE_RATE // 10], sent[SAMPLE_RATE:f.frames - SAMPLE_RATE // 10],
                     "the killed run's item")

    keeper = airlogs.Keeper(db, "p", {"main": AirLog(folder)})  # and again: stored once
    keeper.recover()
    assert keeper.close(30)
    with db.session() as s:
        assert len(s.scalars(select(AirLogFile)).all()) == 1
