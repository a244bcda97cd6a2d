"""Issue 13: a zone aired by `broadcaster player` on another machine is played back on the panel from
the air log files that player stored in the shared PostgreSQL database by their hash (the panel cannot
reach that machine's disk). A real player process with its own var/ and its own "device" (ALSA's file
PCM), real PostgreSQL, the panel through Flask's test client."""
from __future__ import annotations

import hashlib
import io

import soundfile as sf
from sqlalchemy import select

from audio import chimes
from broadcaster import playback
from broadcaster.onair import airings
from broadcaster.settings import var_dir
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.onair import MediaBlob, PlayerStatus
from broadcaster.store.models.workflow import AsRun
from tests.lossy import assert_sounds_as, find
from tests.test_multibox import Box, wait


def test_a_zone_aired_on_another_machine_plays_back_on_the_panel_from_the_database(pg_db, tmp_path, monkeypatch):
    from tests.web.conftest import FAST_HASH, Browser
    from broadcaster.store.models.core import Role, User
    from web import create_app

    db = pg_db
    monkeypatch.setenv("PA_AIRLOG_ZONES", "all")  # the lobby's sound card is logged too
    box = Box(tmp_path, "lobby", db.url, "player", "--zone", "lobby=device", "--name", "p-lobby")
    try:
        def up():
            with db.session() as s:
                status = s.get(PlayerStatus, "p-lobby")
                return status is not None and not status.stopped
        wait(up, 60, "the lobby's player")
        with db.session() as s:
            airings.request(s, airings.Request(key="drill", ref="emergency:drill", kind="emergency", title="Drill",
                                               zones=["lobby"], priority=90,
                                               pieces=[{"type": "chime", "name": "urgent_page"}]), db.signals)

        def aired():
            with db.session() as s:
                return s.scalar(select(AsRun).where(AsRun.outcome == "completed"))
        row = wait(aired, 60, "the drill to air in the lobby")

        def stored():  # the zone fell silent: the player completed its file and stored it
            with db.session() as s:
                return s.scalar(select(AirLogFile).where(AirLogFile.zone == "lobby"))
        f = wait(stored, 30, "the lobby's air log file in the database")
    finally:
        box.stop()
    bell = chimes.chime("urgent_page").to_int16()
    with db.session() as s:
        mark = s.scalar(select(AirMark).where(AirMark.airing_id == row.airing_id))
        data, ext = s.get(MediaBlob, f.sha256).data, s.get(MediaBlob, f.sha256).ext
    assert (f.player, f.name.endswith(".opus"), ext, mark.run) == ("p-lobby", True, "opus", f.run)
    assert mark.end - mark.start == len(bell)
    there = box.home / "var" / "air" / "lobby" / f.name  # the file on the player's machine ...
    assert hashlib.sha256(data).hexdigest() == f.sha256 == hashlib.sha256(there.read_bytes()).hexdigest()
    assert not (var_dir() / "air").exists()  # ... which this machine has no copy of

    heard = playback.aired(db, row, tmp_path / "panel-cache")
    assert_sounds_as(heard, bell, "exactly the item's stretch")
    at = find(box.samples(), bell)
    assert at >= 0, "the player's device was given the bell"
    assert_sounds_as(heard, box.samples()[at:at + len(bell)], "what the player's device was given")

    with db.session() as s:
        s.add(User(name="sam", role=Role.SUPERVISOR, display_name="Sam", password_hash=FAST_HASH))
    sam = Browser(create_app({"DATABASE": db, "SECRET_KEY": "t", "TESTING": True}), "sam")
    assert f"/approvals/logs/asrun/{row.id}/aired.flac" in sam.get("/approvals/logs").get_data(as_text=True)
    resp = sam.get(f"/approvals/logs/asrun/{row.id}/aired.flac")
    assert resp.status_code == 200
    assert_sounds_as(sf.read(io.BytesIO(resp.get_data()), dtype="int16")[0], bell)

    with db.session() as s:  # the stored bytes changed: refused, on the panel too
        s.get(MediaBlob, f.sha256).data = data[:-64] + bytes(64)
    for cached in list((var_dir() / "cache" / "airlog").glob("*/*/*.opus")) + list((tmp_path / "panel-cache").glob("*/*/*.opus")):
        cached.unlink()
    resp = sam.get(f"/approvals/logs/asrun/{row.id}/aired.flac")
    assert resp.status_code == 409
