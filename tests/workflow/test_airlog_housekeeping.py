"""The air logger's retention and disk cap hold whether anything airs or not: old hours go when the
service starts and every HOUSEKEEP_S after, on disk and in the database; the cap is the venue's (75 GB
unless set), shared by the zones a machine logs. Real loggers, real files, a real zone player."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import func, select

from audio.airlog import AirLog, AirLogSink
from audio.pcm import SAMPLE_RATE
from audio.render import Renderer
from broadcaster import airlogs, service
from broadcaster.playback import air_log_folder
from broadcaster.service import make_player
from broadcaster.settings import VenueSettings, load_settings
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.onair import MediaBlob

DAY = 86_400


def wait(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def rows(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AirLogFile))


def test_old_hours_go_at_start_and_every_hour_while_nothing_airs(db, tmp_path, monkeypatch):
    monkeypatch.setattr(airlogs, "HOUSEKEEP_S", 0.2)
    noise = np.random.default_rng(0).integers(-3000, 3000, SAMPLE_RATE, dtype=np.int16)
    then = [time.time() - 40 * DAY]
    before = AirLog(air_log_folder(tmp_path, "main"), clock=lambda: then[0])  # this machine, weeks ago
    keeper = airlogs.Keeper(db, "p", {"main": before})
    before.write(noise, then[0])
    before.close()
    then[0] += 20 * DAY
    before.write(noise, then[0])
    before.close()  # its own last file: nothing of it is still being written
    assert keeper.close(30) and rows(db) == 2 and len(before.files()) == 2

    settings = VenueSettings(zones={"main": "null"}, air_log_zones="all")
    player = make_player(db, settings.zones, var=tmp_path, renderer=Renderer(cache_dir=tmp_path / "c"),
                         clock=None, settings=settings)  # the service starts again; nothing airs
    try:
        airlog = player.engine.zones["main"].sink.airlog
        wait(lambda: len(airlog.files()) == 1 and rows(db) == 1)  # the 40-day-old hour went at start
        airlog.clock = lambda: time.time() + 12 * DAY  # twelve silent days later
        wait(lambda: airlog.files() == [] and rows(db) == 0)  # the housekeeping tick, no audio needed
    finally:
        player.stop()


def test_a_logger_prunes_its_own_last_closed_file(tmp_path):
    airlog = AirLog(tmp_path / "main")
    airlog.write(np.ones(SAMPLE_RATE, np.int16), 1_800_000_000.0)
    airlog.close()
    assert [p.stem for p in airlog.prune(1_800_000_000.0 + 40 * DAY)] == ["080000"] and airlog.files() == []


def test_the_cap_is_shared_by_the_zones_the_machine_logs_and_has_a_default(db, tmp_path, monkeypatch):
    assert load_settings().air_log_max_gb == 75.0  # a cap unless the venue sets none
    monkeypatch.setattr(service, "list_devices", lambda: [])  # no sound card: the default output is logged
    settings = VenueSettings(zones={"main": "device", "hall": "null", "lobby": "null"}, air_log_max_gb=0.0006)
    player = make_player(db, settings.zones, var=tmp_path, renderer=Renderer(cache_dir=tmp_path / "c"),
                         clock=None, settings=settings)
    try:
        logged = {z: zone.sink.airlog.max_bytes for z, zone in player.engine.zones.items()
                  if isinstance(zone.sink, AirLogSink)}
        assert logged == {"main": 600_000}  # the machine's whole cap: its other zones log nothing
    finally:
        player.stop()


def test_files_and_marks_past_the_retention_period_or_the_cap_leave_the_database(db, tmp_path):
    airlog = AirLog(tmp_path / "air" / "main", keep_days=31)
    keeper = airlogs.Keeper(db, "p", {"main": airlog}, keep_days=1, copy_bytes=True)
    noise = np.random.default_rng(0).integers(-3000, 3000, SAMPLE_RATE // 2, dtype=np.int16)
    start = 1_800_000_000.0
    day0 = datetime(2027, 1, 15, 8, tzinfo=timezone.utc)  # = start
    with db.session() as s:
        s.add(AirMark(airing_id=1, zone="main", started_at=day0, run=airlog.run, start=0))
        s.add(AirMark(airing_id=2, zone="hall", started_at=day0, run="other", start=0))
    for day in (0, 1, 2):  # a file a day
        airlog.write(noise if day == 1 else np.zeros(SAMPLE_RATE // 2, np.int16), start + day * 86_400)
        airlog.close()
        assert keeper.close(30)
    with db.session() as s:
        files = list(s.scalars(select(AirLogFile).order_by(AirLogFile.first)))
        assert [f.first for f in files] == [SAMPLE_RATE // 2, SAMPLE_RATE]  # the first day's went
        assert {m.airing_id for m in s.scalars(select(AirMark))} == {2}  # another zone's mark stays
        assert files[0].sha256 != files[1].sha256
        assert all(s.get(MediaBlob, f.sha256).ext == "opus" for f in files) and files[0].name.endswith(".opus")
        copy = AirLogFile(**{c: getattr(files[0], c) for c in ("run", "first", "frames", "rate", "started_at",
                                                                "ended_at", "sha256", "size", "name")})
        copy.zone, copy.player = "hall", "q"  # the same bytes, named by another zone's row too: one blob
        s.add(copy)
    assert len(airlog.files()) == 3, "the logger's own files keep their own retention"
    airlog.max_bytes = files[1].size + 10  # the disk cap holds in the database too: the oldest go first
    airlog.write(np.zeros(SAMPLE_RATE // 2, np.int16), start + 2 * 86_400 + 60)
    airlog.close()
    assert keeper.close(30)
    with db.session() as s:
        [newest] = s.scalars(select(AirLogFile).where(AirLogFile.zone == "main"))
        assert newest.first == 3 * SAMPLE_RATE // 2
        assert s.get(MediaBlob, files[1].sha256) is None  # day 3's silence: no file names it now
        assert s.get(MediaBlob, files[0].sha256) is not None  # day 2's noise: the hall's row still names it
        assert s.get(MediaBlob, newest.sha256) is not None


def test_the_disk_cap_deletes_the_oldest_hours_of_a_player_s_zones(db, tmp_path):
    settings = VenueSettings(zones={"main": "null", "hall": "null"}, air_log_zones="all", air_log_max_gb=0.00004)
    player = make_player(db, settings.zones, var=tmp_path, renderer=Renderer(cache_dir=tmp_path / "c"),
                         clock=None, settings=settings)
    logs = {z: zone.sink.airlog for z, zone in player.engine.zones.items()}
    assert {z: a.max_bytes for z, a in logs.items()} == {"main": 20_000, "hall": 20_000}  # shared by the zones
    noise = np.random.default_rng(0).integers(-8000, 8000, 2 * SAMPLE_RATE, dtype=np.int16)  # ~16 kB of Opus
    start = 1_800_000_000.0  # an hour boundary
    log = logs["main"]
    for hour in range(4):
        log.write(noise, start + hour * 3600)
    log.close()
    kept = [p.stem for p in log.files()]
    log.prune(start + 4 * 3600)
    assert len(log.files()) < 4 and [p.stem for p in log.files()] == kept[-len(log.files()):], "oldest go first"
    assert sum(p.stat().st_size for p in log.files()) <= 20_000
