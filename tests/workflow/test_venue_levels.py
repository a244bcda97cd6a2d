"""What airs sits where the venue's loudness target (settings ``loudness_lufs``) puts it, measured by an
independent meter (ffmpeg ebur128 / pyloudnorm), not by audio.loudness: a page's chime rings
CHIME_UNDER_LU under the speech target whatever the target."""
from __future__ import annotations

import time

import numpy as np
import pytest
from sqlalchemy import select

from audio import chimes
from audio.pcm import SAMPLE_RATE, Pcm
from audio.render import Renderer
from audio.sinks import NullSink
from broadcaster import venue_chimes
from broadcaster.onair import airings
from broadcaster.onair.pieces import MediaSource
from broadcaster.onair.player import ZonePlayer
from broadcaster.service import make_player, register_areas
from broadcaster.settings import VenueSettings
from broadcaster.store.models.workflow import AsRun
from tests.audio.meter import CEILING_DBTP, TOLERANCE_LU, ebur128


def air_and_keep(db, media: MediaSource, pieces: list[dict]) -> Pcm:
    register_areas()
    out = NullSink(keep=True)
    player = ZonePlayer(db, {"main": out}, media, poll_s=0.05).start()
    try:
        with db.session() as s:
            airings.request(s, airings.Request(key="k", ref="emergency:k", kind="emergency", title="k",
                                               zones=["main"], priority=90, pieces=pieces), db.signals)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with db.session() as s:
                if s.scalars(select(AsRun)).first() is not None:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("nothing aired")
    finally:
        player.stop()
    x = out.samples()
    x = x[:, 0] if x.ndim > 1 else x
    loud = np.flatnonzero(np.abs(x) > 0)
    return Pcm.from_int16(x[loud[0]:loud[-1] + 1], SAMPLE_RATE)


@pytest.mark.parametrize("target", [-20.0, -16.0, -26.0])
def test_a_page_chime_rings_its_offset_under_the_venue_target(db, tmp_path, target):
    settings = VenueSettings(zones={"main": "null"}, loudness_lufs=target)
    player = make_player(db, settings.zones, var=tmp_path, renderer=Renderer(cache_dir=tmp_path / "c"),
                         clock=None, settings=settings)
    assert player.media.target_lufs == target  # the player's media follow the venue's setting
    rang = air_and_keep(db, player.media, [{"type": "chime", "name": "urgent_page"}])
    lufs, peak = ebur128(rang, tmp_path)
    assert lufs == pytest.approx(target - chimes.CHIME_UNDER_LU, abs=TOLERANCE_LU) and peak <= CEILING_DBTP + 0.1


def test_a_venue_chime_from_the_database_follows_the_venue_target_too(db, tmp_path):
    bell = Pcm((0.3 * np.sin(2 * np.pi * 660 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.float32))
    venue_chimes.set_chime(db, chimes.prepare_chime(bell), "urgent_page")
    media = MediaSource(db, None, tmp_path / "cache", target_lufs=-16.0)
    lufs, peak = ebur128(media.chime("urgent_page"), tmp_path)
    assert lufs == pytest.approx(-19.0, abs=TOLERANCE_LU) and peak <= CEILING_DBTP + 0.1
