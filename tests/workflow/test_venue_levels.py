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


def quiet_recording(path, seconds: float = 4.0):
    """Speech-like bursts peaking at -45 dBFS, as a programme's recording might arrive."""
    import soundfile as sf

    t = np.arange(int(seconds * 44_100)) / 44_100
    x = np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
    sf.write(path, (x / np.abs(x).max() * 10 ** (-45 / 20)).astype(np.float32), 44_100, subtype="PCM_16")
    return path


@pytest.mark.parametrize("target", [-20.0, -16.0])
def test_a_programme_recording_airs_on_the_venue_target_under_the_ceiling(db, tmp_path, target):
    """A slot's recording (peaking at -45 dBFS) airs at the gain measured once for the venue's target,
    streaming, as ffmpeg measures it at the sink."""
    from broadcaster.schedule.onair import pieces_of
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
    from broadcaster.settings import save_settings

    save_settings({"loudness_lufs": target})
    path = quiet_recording(tmp_path / "welcome.wav")
    programmes = ProgrammeService(db)
    programmes.create_programme("Welcome", [ItemSpec("recording", path=str(path))])
    with db.session() as s:
        [piece] = pieces_of(s, programmes.programme("Welcome"))
    assert piece["type"] == "file" and piece["gain_db"] > 20  # measured once, written with the airing
    aired = air_and_keep(db, MediaSource(db, None, tmp_path / "cache", target_lufs=target), [piece])
    lufs, peak = ebur128(aired, tmp_path)
    assert lufs == pytest.approx(target, abs=TOLERANCE_LU) and peak <= CEILING_DBTP + 0.1


def test_a_recording_in_the_background_programme_streams_at_the_venue_target(db, tmp_path, monkeypatch):
    """The bed streams its recordings like tracks: at a gain measured once (pyloudnorm checks it)."""
    import pyloudnorm
    import soundfile as sf

    from broadcaster.schedule.onair import bed_airings
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
    from broadcaster.settings import save_settings

    save_settings({"loudness_lufs": -18.0}, db)
    path = quiet_recording(tmp_path / "birdsong.wav")
    programmes = ProgrammeService(db)
    programmes.create_programme("Bed", [ItemSpec("recording", path=str(path))], background=True)
    with db.session() as s:
        [airing] = bed_airings(s, programmes.programme("Bed"), venue_zones=["main"])
        [track] = airing.pieces[0]["tracks"]
    x, rate = sf.read(path)
    played = x * 10 ** ((track.get("gain_db") or 0.0) / 20)
    assert pyloudnorm.Meter(rate).integrated_loudness(played) == pytest.approx(-18.0, abs=TOLERANCE_LU)
    assert 20 * np.log10(np.abs(played).max()) <= CEILING_DBTP
