"""Slots and the background music on a real zone player (engine, outcomes, hash checks) over sinks that
keep every sample: what aired, piece by piece, in the as-run log; a slot refused at air time logged as
missed; the bed paused under a page and resumed where it stopped."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from audio.chimes import chime
from broadcaster.clock import utcnow
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from broadcaster.schedule.onair import writer
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import Slot
from broadcaster.store.models.onair import AiringState
from broadcaster.store.models.workflow import Announcement, AsRun
from tests.conftest import BLOCK, OnAir



def slot_now(programme, rule_id=7) -> Slot:
    at = utcnow().replace(microsecond=0)
    return Slot(at, at, programme.name, rule_id, programme.zones, programme.priority, programme.id)


def as_run(db) -> list[AsRun]:
    with db.session() as s:
        return list(s.scalars(select(AsRun).order_by(AsRun.id)))


def test_the_as_run_row_of_a_slot_says_exactly_what_aired(db, service, newsroom, tone, tmp_path, onair):
    """An approved announcement and a playlist: the announcement's approved audio is the first thing at
    the sink, and the as-run row names it by its approved hash, approver and engines, and every track
    by path and the sha256 of its bytes."""
    aid = newsroom.approved()
    tone("m/a.wav", 0.6)
    tone("m/b.wav", 0.6, freq=660)
    (tmp_path / "m" / "l.m3u").write_text("a.wav\nb.wav\n")
    service.import_playlist(tmp_path / "m" / "l.m3u", crossfade_s=0.1)
    p = service.create_programme("Welcome", [ItemSpec("announcement", announcement_id=aid),
                                             ItemSpec("playlist", playlist="l", seconds=1.0)])
    writer(db, media=newsroom.media)(p, slot_now(p))
    onair.wait(lambda: [a.state for a in onair.airings("programme:")] == [AiringState.DONE], 30, "the slot")

    with db.session() as s:
        ann = s.get(Announcement, aid)
        approved = (ann.approved_hash, ann.approved_by.name, ann.approved_engines)
    [run] = as_run(db)
    assert (run.outcome, run.kind, run.title) == ("completed", "programme", "Welcome")
    assert (run.content_hash, run.approved_by, run.engines) == approved and approved[1] == "sam" and approved[2]
    audio, music = run.pieces
    assert (audio["type"], audio["sha256"], audio["ref"], audio["approved_by"], audio["engines"]) == (
        "audio", approved[0], f"announcement:{aid}", "sam", approved[2])
    files = [(tmp_path / "m" / n).resolve() for n in ("a.wav", "b.wav")]
    assert music["type"] == "music" and [(t["path"], t["sha256"]) for t in music["tracks"]] == [
        (str(f), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files]

    out, speech = onair.samples(), newsroom.audio(aid)
    assert np.array_equal(out[:len(speech)], speech)  # exactly the approved audio, first
    assert np.abs(out[len(speech):]).max() > 1000  # then the music (at its gain to the venue target)


def test_a_slot_refused_at_air_time_is_a_missed_slot_once(db, service, newsroom, tmp_path, venue_zones):
    """Written while its announcement's first version was approved; a new version approved before the
    player got to it: the old audio is refused in both zones, nothing aired, one missed slot with the
    reason and one missed-slot alarm."""
    from broadcaster.store.models.workflow import Fault

    aid = newsroom.approved()
    p = service.create_programme("Welcome", [ItemSpec("announcement", announcement_id=aid)], zones="main,hall")
    slot = slot_now(p)
    writer(db, media=newsroom.media)(p, slot)
    newsroom.edit(aid)
    newsroom.approve_new(aid)
    air = OnAir(db, tmp_path, zones=("main", "hall")).start()
    try:
        air.wait(lambda: [a.state for a in air.airings("programme:")] == [AiringState.FAILED] * 2, 30, "refusal")
    finally:
        air.stop()
    [m] = service.missed()
    assert (m.slot_uid, m.programme_name, m.rule_id) == (slot.uid, "Welcome", 7)
    assert m.reason.startswith("refused in ") and f"announcement #{aid}" in m.reason and "'approved'" in m.reason
    assert "refused in main" in m.reason and "refused in hall" in m.reason  # every zone it missed, not the first
    assert as_run(db) == []
    assert not air.samples("main").any() and not air.samples("hall").any()
    with db.session() as s:  # an alarm for the dashboards (not a hash fault)
        [fault] = s.scalars(select(Fault)).all()
        assert (fault.kind, fault.ref) == ("missed_slot", f"slot:{slot.uid}") and "Welcome" in fault.message
        assert "refused in main" in fault.message and "refused in hall" in fault.message


def find(track: np.ndarray, window: np.ndarray) -> int:
    """Where ``window`` lies in ``track`` (exactly), or -1."""
    for i in np.flatnonzero(track == window[0]):
        if np.array_equal(track[i:i + len(window)], window):
            return int(i)
    return -1


@pytest.fixture
def lobby(service, tmp_path):
    """The background programme: one track of noise (every stretch of it found again exactly)."""
    noise = np.random.default_rng(7).uniform(-0.3, 0.3, 48_000 * 20)
    sf.write(str(tmp_path / "noise.wav"), noise, 48_000, subtype="PCM_16")
    (tmp_path / "lobby.m3u").write_text("noise.wav\n")
    service.import_playlist(tmp_path / "lobby.m3u", "Lobby", crossfade_s=1.0)
    service.create_programme("Lobby music", [ItemSpec("playlist", playlist="Lobby")], priority="background_music",
                             background=True)
    from playlists.library import track_level

    # as it airs: at the gain measured when the playlist was imported
    gain = np.float32(10 ** (track_level(tmp_path / "noise.wav")[0] / 20))
    raw = sf.read(str(tmp_path / "noise.wav"), dtype="float32")[0]
    return np.round(np.clip(np.clip(raw * gain, -1.0, 1.0), -1.0, 32767 / 32768) * 32768.0).astype(np.int16)


def test_the_bed_airs_pauses_under_a_page_and_resumes_where_it_stopped(db, tmp_path, lobby):
    from broadcaster.service import BroadcastService

    air = OnAir(db, tmp_path, realtime=True).start()
    svc = BroadcastService(db_url=db.url, zones={"main": "null"})
    try:
        svc._keep_music()  # the leader: no bed open, so one is written
        svc._keep_music()  # ... and not a second while it is open
        [bed] = air.airings("music:")
        assert (bed.kind, bed.priority, bed.resumable) == ("music", Priority.BACKGROUND_MUSIC, True)
        # twelve hours of bed: the playlist once, played again and again (not 2,160 copies of its tracks)
        assert len(bed.pieces[0]["tracks"]) == 1 and bed.pieces[0]["passes"] == 12 * 3600 // 20
        # the track's gain, measured once at import and stored with it, travels with the airing
        from playlists.library import track_level
        assert bed.pieces[0]["tracks"][0]["gain_db"] == pytest.approx(track_level(tmp_path / "noise.wav")[0])
        air.wait(lambda: len(air.samples()) > 48_000, 20, "a second of music")
        with db.session() as s:
            airings.request(s, airings.Request(
                key="page:test", ref="page:0", kind="page", title="Lost child", zones=["main"],
                priority=int(Priority.URGENT_PAGE), pieces=[{"type": "chime", "name": "urgent_page"}]), db.signals)
        air.wait(lambda: air.airings("page:")[0].state is AiringState.DONE, 20, "the page")
        heard = len(air.samples())
        air.wait(lambda: len(air.samples()) > heard + 48_000, 20, "a second of music after the page")
        assert [a.state for a in air.airings("music:")] == [AiringState.AIRING]
    finally:
        svc.stop()
        air.stop()

    out, bell = air.samples(), chime("urgent_page").to_int16()
    page = next(b * BLOCK for b in range(len(out) // BLOCK)
                if np.array_equal(out[b * BLOCK + BLOCK:b * BLOCK + len(bell)], bell[BLOCK:]))
    # under the page: the chime alone (the music fades out in the page's first block, then is silent)
    assert np.array_equal(out[page + BLOCK:page + len(bell)], bell[BLOCK:])
    before = find(lobby, out[page - 4800:page])  # music, at full level, just before the page
    assert before > 0 and np.abs(out[:page]).max() > 0.5 * np.abs(lobby).max()
    resumed = -(-(page + len(bell)) // BLOCK) * BLOCK  # the first block after the chime: music fades in
    after = find(lobby, out[resumed + BLOCK:resumed + 5 * BLOCK])
    assert after > 0, "music after the page"
    # paused, not muted: it picks up at the sample after the last it played (the fade-out block's)
    assert after == before + 4800 + BLOCK + BLOCK
    with db.session() as s:
        run = s.scalar(select(AsRun).where(AsRun.kind == "music"))
    assert run.title == "Lobby music" and run.pieces[0]["tracks"][0]["path"] == str((tmp_path / "noise.wav").resolve())
    assert run.pieces[0]["tracks"][0]["sha256"] == hashlib.sha256((tmp_path / "noise.wav").read_bytes()).hexdigest()


@pytest.fixture
def three_tracks(service, tmp_path):
    """The background programme: three tracks of different noise, 4 s each, crossfaded over 1 s; each
    as it airs (at the gain measured at import), as int16."""
    from playlists.library import track_level

    airs = []
    for n in range(3):
        path = tmp_path / f"track{n + 1}.wav"
        sf.write(str(path), np.random.default_rng(n).uniform(-0.3, 0.3, 48_000 * 4), 48_000, subtype="PCM_16")
        gain = np.float32(10 ** (track_level(path)[0] / 20))
        raw = sf.read(str(path), dtype="float32")[0]
        airs.append(np.round(np.clip(np.clip(raw * gain, -1.0, 1.0), -1.0, 32767 / 32768) * 32768.0).astype(np.int16))
    (tmp_path / "bed.m3u").write_text("track1.wav\ntrack2.wav\ntrack3.wav\n")
    service.import_playlist(tmp_path / "bed.m3u", "Bed", crossfade_s=1.0)
    service.create_programme("Lobby music", [ItemSpec("playlist", playlist="Bed")], priority="background_music",
                             background=True)
    return airs


def progress(air) -> dict | None:
    [bed] = air.airings("music:")
    return bed.progress


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_the_bed_carries_on_at_its_track_and_second_after_its_player_restarts(db, service, tmp_path, three_tracks,
                                                                             how):
    """Music stopped mid-way through track 2 (the player stopped, or killed and its rows released by the
    leader at its last heartbeat): the next player of the zone airs track 2 from where it was, then
    track 3, not track 1 again; the as-run log says where the first airing stopped and where the next
    one began."""
    from broadcaster.onair.leader import LOST_AFTER_S, lost_players
    from broadcaster.schedule.onair import bed_airings

    track1, track2, track3 = three_tracks
    with db.session() as s:
        bed_airings(s, service.background(), signals=db.signals, venue_zones=["main"])
    first = OnAir(db, tmp_path, realtime=True, name="lobby-box").start()
    try:  # track 2 begins 3 s in (the crossfade): let it play 1.5 s
        first.wait(lambda: (progress(first) or {}).get("track") == 1 and progress(first)["offset"] >= 1.5,
                   20, "track 2 a second and a half in")
    finally:
        if how == "stopped":
            first.stop()
        else:  # as kill -9: no goodbye; the leader finds its heartbeat stopped and releases its rows
            first.player._stop.set()
            first.player._thread.join(5)
            first.player.engine.stop()
    if how == "killed":
        assert progress(first)["track"] == 1  # the last heartbeat's
        assert lost_players(db, utcnow() + timedelta(seconds=LOST_AFTER_S + 1)) == ["lobby-box"]
    stopped_at = progress(first)
    assert stopped_at["track"] == 1 and stopped_at["offset"] >= 1.5
    [bed] = first.airings("music:")
    assert (bed.state, bed.player) == (AiringState.QUEUED, None)

    second = OnAir(db, tmp_path, realtime=True, name="lobby-box" if how == "stopped" else "lobby-box-2").start()
    try:
        second.wait(lambda: len(second.samples()) > 48_000 * 4, 20, "four seconds of music")
    finally:
        second.stop()
    out = second.samples()
    start = int(np.flatnonzero(out)[0]) // BLOCK * BLOCK + BLOCK  # after the block it fades in over
    window = out[start:start + 4800]
    assert find(track1, window) == -1, "track 1 again"
    at = find(track2, window)
    assert at >= 0, "not track 2"
    assert abs(at - BLOCK - stopped_at["offset"] * 48_000) <= 0.25 * 48_000  # where it stopped
    # then on with the playlist: track 3 after track 2's end (and its crossfade)
    assert find(out[start:], track3[57_600:58_080]) >= len(track2) - at  # (a block after the crossfade)

    runs = [r for r in as_run(db) if r.kind == "music"]
    assert [r.outcome for r in runs] == ["interrupted", "interrupted"]
    assert runs[0].pieces[0]["until"] == stopped_at and "from" not in runs[0].pieces[0]
    assert runs[1].pieces[0]["from"] == stopped_at
    assert runs[1].pieces[0]["until"]["track"] >= 2  # the second player stopped after track 2


def peaky(path, seconds: int = 8) -> None:
    """A recording of quiet speech-like noise with a clap every 1.25 s near full scale."""
    rng = np.random.default_rng(13)
    t = np.arange(48_000 * seconds) / 48_000
    x = rng.normal(0, 0.02, t.size) * (np.sin(2 * np.pi * 3.7 * t) > -0.2)  # a voice's syllables, quiet
    for at in range(20_000, t.size - 4_800, 60_000):  # a clap every 1.25 s near full scale
        x[at:at + 2_400] += 0.97 * np.sign(rng.normal(size=2_400)) * np.exp(-np.arange(2_400) / 240)
    sf.write(path, np.clip(x, -1, 1), 48_000, subtype="PCM_16")


def test_a_peaky_recording_in_the_bed_is_limited_as_in_a_slot(db, service, tmp_path, onair):
    """A recording in the background programme carries its limiter with its gain into the bed: the
    gain measured through the limiter, aired without it, would clip every clap."""
    from audio.loudness import true_peak
    from audio.pcm import Pcm
    from broadcaster.service import BroadcastService

    peaky(tmp_path / "notice.wav")
    service.create_programme("Bed notice", [ItemSpec("recording", path=str(tmp_path / "notice.wav"))],
                             priority="background_music", background=True)
    svc = BroadcastService(db_url=db.url, zones={"main": "null"})
    try:
        svc._keep_music()
        [bed] = onair.airings("music:")
        [track] = bed.pieces[0]["tracks"]
        assert track["limiter"] is True and track["gain_db"] > 10
        onair.wait(lambda: len(onair.samples()) > 48_000 * 9, 30, "the recording once through")
    finally:
        svc.stop()
    aired = Pcm.from_int16(onair.samples()[:48_000 * 8], 48_000)
    assert true_peak(aired) <= -0.9, "clipped claps"


def test_a_peaky_recording_airs_on_target_under_the_ceiling(db, service, tmp_path, onair):
    """Issue 13: a programme's recording with claps far over its voice airs at the venue's target
    (within 0.5 LU by ffmpeg and by pyloudnorm) under -1 dBTP: the piece carries the gain measured
    through the limiter, and the player limits the recording as it reads it."""
    from audio.pcm import Pcm
    from tests.audio.meter import both, off_target

    peaky(tmp_path / "notice.wav")
    p = service.create_programme("Notice", [ItemSpec("recording", path=str(tmp_path / "notice.wav"))])
    writer(db)(p, slot_now(p))
    onair.wait(lambda: [a.state for a in onair.airings("programme:")] == [AiringState.DONE], 30, "the slot")
    [run] = as_run(db)
    [piece] = run.pieces
    assert piece["type"] == "file" and piece["limiter"] is True and piece["gain_db"] > 10
    aired = Pcm.from_int16(onair.samples(), 48_000)
    levels = both(aired, tmp_path)
    assert not off_target(levels, -20.0), levels
