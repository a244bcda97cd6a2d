"""Running players adopt a change of the venue's sound settings without a restart: a real `broadcaster player`
process (its own var/, its "device" ALSA's file PCM) on the venue's SQLite file; a supervisor sets a new
loudness target on the panel (saved in the database) and the next item the player airs is at the new level,
measured on the samples that reached the device. A running `serve` adopts a change of the venue's zones."""
from __future__ import annotations

import time

import numpy as np
from sqlalchemy import select

from audio.pcm import SAMPLE_RATE, Pcm
from broadcaster.onair import airings
from broadcaster.settings import save_settings
from broadcaster.store.models.onair import Airing, AiringState, PlayerStatus
from tests.audio.meter import ebur128
from tests.test_multibox import Box, wait


def _chime(db, key: str, zone: str = "main") -> None:
    with db.session() as s:
        airings.request(s, airings.Request(key=key, ref=f"programme:{key}", kind="programme", title=key, zones=[zone],
                                           priority=30, pieces=[{"type": "chime", "name": "announcement"}]),
                        db.signals)


def _state(db, key: str, zone: str = "main"):
    with db.session() as s:
        return s.scalar(select(Airing.state).where(Airing.key == f"{key}@{zone}"))


def test_a_running_player_airs_the_next_item_at_the_loudness_target_saved_meanwhile(db, tmp_path):
    """Two changes, one after the other (the second must not find the first's levelled chime kept)."""
    box = Box(tmp_path, "player", db.url, "player", "--zone", "main=device", "--name", "p-main")
    log, cuts = box.home / "log.txt", []
    try:
        def up():
            with db.session() as s:
                return s.scalar(select(PlayerStatus.name).where(PlayerStatus.stopped.is_(False)))
        wait(up, 60, "the player to announce itself")
        for version, target in enumerate((None, -30.0, -25.0)):
            if target is not None:
                save_settings({"loudness_lufs": target}, db)  # on the panel, another process
                wait(lambda: f"venue settings version {version} adopted" in log.read_text(), 5,
                     "the player to adopt the change")
            _chime(db, f"chime{version}")
            wait(lambda: _state(db, f"chime{version}") is AiringState.DONE, 30, "the chime to air")
            time.sleep(0.5)  # the device's buffer written out
            cuts.append(len(box.samples()))
        got = box.samples()
    finally:
        box.stop()
    levels = []
    for start, end in zip([0, *cuts], cuts):
        assert np.abs(got[start:end].astype(np.int32)).max() > 300, "a chime did not reach the device"
        levels.append(ebur128(Pcm.from_int16(got[start:end], SAMPLE_RATE), tmp_path)[0])
    # a chime sits 3 LU under the venue's speech target: -23 LUFS at the default -20, -33 at -30, -28 at -25
    assert all(abs(level - want) <= 1.0 for level, want in zip(levels, (-23.0, -33.0, -28.0))), levels


def test_a_page_said_again_after_a_new_loudness_target_airs_at_the_new_level(db, tmp_path):
    """A page's sentences are kept for its repeats: a repeat after the target changed is rendered at the new
    level, not aired from what was kept at the old one (a real player, espeak-ng, the samples at its sink)."""
    from broadcaster.onair.sound_settings import SoundSettings
    from broadcaster.settings import load_settings
    from tests.conftest import OnAir

    air = OnAir(db, tmp_path)
    air.renderer.chain.order["en"] = ["espeak"]
    air.player.every_second.append(SoundSettings(db, air.player, load_settings(db)).look)
    air.start()
    said = [["en", "Dear visitors, a young boy in a red jacket is waiting for his family at the Visitor Centre."]]
    cuts = []
    try:
        for n, target in enumerate((None, -30.0)):
            if target is not None:
                save_settings({"loudness_lufs": target}, db)
                air.wait(lambda: air.renderer.target_lufs == target, 5, "the player to adopt the change")
            with db.session() as s:
                airings.request(s, airings.Request(key=f"page{n}", ref="page:1", kind="page", title="page", zones=["main"],
                                                   priority=80, pieces=[{"type": "speech", "parts": said}]), db.signals)
            air.wait(lambda: _state(db, f"page{n}") is AiringState.DONE, 60, "the page to air")
            cuts.append(len(air.samples()))
        got = air.samples()
    finally:
        air.stop()
    before = ebur128(Pcm.from_int16(got[:cuts[0]], SAMPLE_RATE), tmp_path)[0]
    after = ebur128(Pcm.from_int16(got[cuts[0]:cuts[1]], SAMPLE_RATE), tmp_path)[0]
    assert abs(before - -20.0) <= 1.0 and abs(after - -30.0) <= 1.0, (before, after)


def test_a_running_serve_adopts_a_change_of_the_venues_zones(db):
    """`serve` without --zone plays the venue's zones that are not remote. The admin removes "main" (played
    here), adds "gate" (played by a player elsewhere) and "hall" (to be played here): at its next round the
    running serve pages the venue's new zones, takes what airs in "main" off the air and refuses a page for it
    (its player no longer takes or names it), and says that "hall" is heard only once the service here restarts, as a fault staff read."""
    import pytest

    from broadcaster.errors import ValidationError
    from broadcaster.service import BroadcastService
    from broadcaster.store.models.workflow import Fault
    from tests.desk.conftest import lost_child
    from tests.test_service import staff_and_templates

    staff_and_templates(db)
    save_settings({"zones": {"main": "null", "lobby": "remote"}}, db)
    service = BroadcastService(db_url=db.url, scheduler=False).start()  # serve --no-web, no --zone
    try:
        assert service.player.zones == ("main",)
        with db.session() as s:  # a long item airing in main
            airings.request(s, airings.Request(key="long", ref="programme:long", kind="programme", title="long",
                                               zones=["main"], priority=30,
                                               pieces=[{"type": "silence", "seconds": 60}]), db.signals)
        wait(lambda: _state(db, "long") is AiringState.AIRING, 10, "the long item to air in main")
        assert service.engine.duck_music and service.player.media.target_lufs == -20.0
        save_settings({"zones": {"lobby": "remote", "gate": "remote", "hall": "null"},  # on the panel
                       "duck_music": False, "loudness_lufs": -24.0}, db)
        wait(lambda: service.venue_zones == ("lobby", "gate", "hall"), 5, "serve to adopt the zones")
        # its own player follows the sound settings too (music paused under announcements, the new target)
        wait(lambda: not service.engine.duck_music and service.player.media.target_lufs == -24.0, 5,
             "serve's player to adopt the sound settings")
        wait(lambda: _state(db, "long") is AiringState.CANCELLED, 5, "main's item to come off the air")
        case, page, err = service.paging.open_and_page("dora", "missing", lost_child())
        assert err is None
        with db.session() as s:
            zones = {r.zone for r in s.scalars(select(Airing).where(Airing.ref == f"page:{page.id}"))}
            assert zones == {"lobby", "gate", "hall"}  # the zone added is paged, the one removed is not
            assert s.get(PlayerStatus, service.player.name).zones == []
            fault = s.scalar(select(Fault).where(Fault.ref == "zone-restart:hall"))
        assert fault is not None and fault.zone == "hall" and "restarted" in fault.message
        with pytest.raises(ValidationError, match="unknown zone"):  # written for the zone removed: refused
            service.paging.open_and_page("dora", "missing", lost_child(), zones=["main"])
        assert service.player.zones == ()
    finally:
        service.stop()
    restarted = BroadcastService(db_url=db.url, scheduler=False).start()  # now it opens hall's output
    try:
        assert restarted.player.zones == ("hall",)
        with db.session() as s:
            assert s.scalar(select(Fault.state).where(Fault.ref == "zone-restart:hall")).value == "resolved"
    finally:
        restarted.stop()


def test_a_player_on_another_machine_stops_playing_a_zone_the_venue_removes(db, tmp_path):
    """`broadcaster player --zone gate=device` plays the venue's gate; the admin removes the gate from the
    venue's zones: within seconds the player no longer names it (nor claims it), and an airing written for the
    gate is refused. Given back, the gate is played again."""
    import pytest

    from broadcaster.errors import ValidationError

    save_settings({"zones": {"main": "remote", "gate": "remote"}}, db)
    box = Box(tmp_path, "gate", db.url, "player", "--zone", "gate=device", "--name", "p-gate", PA_ZONES="")

    def announced():
        with db.session() as s:
            return s.scalar(select(PlayerStatus.zones).where(PlayerStatus.name == "p-gate", PlayerStatus.stopped.is_(False)))
    try:
        wait(lambda: announced() == ["gate"], 60, "the player to announce the gate")
        save_settings({"zones": {"main": "remote"}}, db)  # on the panel
        wait(lambda: announced() == [], 5, "the player to stop playing the gate")
        with db.session() as s, pytest.raises(ValidationError, match="unknown zone"):
            airings.request(s, airings.Request(key="k", ref="programme:1", kind="programme", title="t", zones=["gate"],
                                               priority=30, pieces=[{"type": "silence", "seconds": 1}]),
                            db.signals, venue_zones=("main",))
        assert "removed from the venue" in (box.home / "log.txt").read_text()
        # the gate given back: the player (started for it, its device still open) plays it again, so what
        # is written for it airs (it stayed queued for ever, and no fault said why)
        save_settings({"zones": {"main": "remote", "gate": "remote"}}, db)
        wait(lambda: announced() == ["gate"], 5, "the player to play the gate again")
        _chime(db, "back", "gate")
        wait(lambda: _state(db, "back", "gate") is AiringState.DONE, 30, "the chime to air in the gate")
    finally:
        box.stop()
