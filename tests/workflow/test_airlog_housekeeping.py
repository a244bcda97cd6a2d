"""The air logger's retention and disk cap hold whether anything airs or not: old hours go when the
service starts and every HOUSEKEEP_S after, on disk and in the database; the cap is the venue's (75 GB
unless set), shared by the zones a machine logs. Real loggers, real files, a real zone player."""
from __future__ import annotations

import time

import numpy as np
from sqlalchemy import func, select

from audio.airlog import AirLog, AirLogSink
from audio.pcm import SAMPLE_RATE
from audio.render import Renderer
from broadcaster import airlogs, service
from broadcaster.playback import air_log_folder
from broadcaster.service import make_player
from broadcaster.settings import VenueSettings, load_settings
from broadcaster.store.models.airlog import AirLogFile

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
    assert load_settings(tmp_path / "none.json").air_log_max_gb == 75.0  # a cap unless the venue sets none
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
