"""Issue 13 on the air: what a zone aired plays back from its air logger (the as-run row's stretch of what
went to the output, cut at exactly its samples, sounding as it did through the logger's Opus), which zones the logger records and its disk cap, the venue's chime
rung by a player on another machine from the database by its hash, and music streams released when
the engine stops. Real zone players on real null sinks that keep their samples, real SQLite, real files."""
from __future__ import annotations

import hashlib
import io
import shutil
import time

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from audio import chimes
from audio.airlog import AirLog, AirLogSink
from audio.pcm import SAMPLE_RATE, Pcm
from audio.sinks import NullSink, PortAudioSink
from broadcaster import airlogs, playback, venue_chimes
from broadcaster.errors import ValidationError
from broadcaster.onair import airings
from broadcaster.onair.pieces import MediaSource
from broadcaster.onair.player import ZonePlayer
from broadcaster.service import build_sink, register_areas
from broadcaster.settings import load_settings, var_dir
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.onair import MediaBlob
from broadcaster.store.models.workflow import AsRun, Fault
from tests.conftest import BLOCK
from tests.lossy import assert_sounds_as



def air(db, key: str, pieces: list[dict]) -> None:
    with db.session() as s:
        airings.request(s, airings.Request(key=key, ref=f"emergency:{key}", kind="emergency", title=key,
                                           zones=["main"], priority=90, pieces=pieces), db.signals)


def wait(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def done_rows(db) -> list[AsRun]:
    with db.session() as s:
        return list(s.scalars(select(AsRun).where(AsRun.outcome == "completed").order_by(AsRun.id)))


def find(haystack: np.ndarray, needle: np.ndarray) -> int:
    """Where ``needle`` starts in ``haystack`` exactly, or -1."""
    head = needle[:BLOCK]
    for i in np.flatnonzero(haystack[:len(haystack) - len(needle) + 1] == head[0]):
        if np.array_equal(haystack[i:i + len(needle)], needle):
            return int(i)
    return -1


class Stalling(NullSink):
    """A real-time null output that keeps its samples and stalls once (an underrun: the public hears a
    gap, the wall clock runs on while no sample goes out)."""

    def __init__(self, stall_at: int, stall_s: float = 0.3) -> None:
        super().__init__(keep=True, realtime=True)
        self.stall_at, self.stall_s, self.writes = stall_at, stall_s, 0

    def _write(self, block):
        self.writes += 1
        if self.writes == self.stall_at:
            time.sleep(self.stall_s)
        super()._write(block)


@pytest.fixture
def logged_player(db, tmp_path):
    """A zone player whose zone "main" is logged by the air logger in var/air/main and kept in the
    database (as `serve` and `player` set it up), over a real-time null output that keeps every sample
    it was given and stalls once. The logger's wall clock is 40 s off: playback goes by samples."""
    register_areas()
    out = Stalling(stall_at=30)
    airlog = AirLog(playback.air_log_folder(var_dir(), "main"), clock=lambda: time.time() + 40.0)
    player = ZonePlayer(db, {"main": AirLogSink(out, airlog)}, MediaSource(db, None, tmp_path / "cache"), poll_s=0.05)
    airlogs.Keeper(db, player.name, {"main": airlog}, copy_bytes=True).attach(player)  # bytes too, as on PostgreSQL
    yield player.start(), out
    player.stop()


def marks(db) -> dict[int, AirMark]:
    with db.session() as s:
        return {m.airing_id: m for m in s.scalars(select(AirMark))}


def test_each_as_run_row_plays_back_exactly_its_stretch_from_the_stored_files(db, logged_player, tmp_path):
    player, out = logged_player
    first = chimes.chime("urgent_page").to_int16()
    second = np.concatenate([chimes.chime("programme").to_int16(), np.zeros(9749, np.int16)])  # not whole blocks
    third = np.concatenate([chimes.chime("announcement").to_int16(), np.zeros(SAMPLE_RATE // 5, np.int16),
                            chimes.chime("end").to_int16()])
    air(db, "first", [{"type": "chime", "name": "urgent_page"}])  # the output stalls while it airs
    air(db, "second", [{"type": "chime", "name": "programme"}, {"type": "silence", "seconds": 0.2031}])  # right after
    wait(lambda: len(done_rows(db)) == 2)
    time.sleep(1.5)  # the zone is silent a while: the logger completes its file, the keeper stores it
    rows = done_rows(db)
    assert_sounds_as(playback.aired(db, rows[0], tmp_path / "c"), first, "stored while the player runs")
    air(db, "third", [{"type": "chime", "name": "announcement"}, {"type": "silence", "seconds": 0.2},
                      {"type": "chime", "name": "end"}])
    wait(lambda: len(done_rows(db)) == 3)
    player.stop()  # the hour's file is complete and stored
    assert out.underruns >= 1
    sent = out.samples()
    rows, at = done_rows(db), marks(db)
    for row, item in zip(rows, (first, second, third)):
        heard = playback.aired(db, row, tmp_path / "c")
        assert_sounds_as(heard, item, row.title)  # exactly the item's stretch, from its first sample to its last
        mark = at[row.airing_id]
        assert np.array_equal(sent[mark.start:mark.end], item), "where it went out, by the sample count"
    assert at[rows[1].airing_id].start == at[rows[0].airing_id].end + (-len(first)) % BLOCK  # its next block
    with db.session() as s:
        files = list(s.scalars(select(AirLogFile).order_by(AirLogFile.first)))
        blobs = {f.sha256: s.get(MediaBlob, f.sha256).data for f in files}
    assert len(files) == 3, "each item's end completes the file it is in"
    assert [f.first for f in files] == [0, files[0].frames, files[0].frames + files[1].frames]  # no gap
    assert sum(f.frames for f in files) == len(sent)  # every sample that went out is in a stored file
    for f in files:
        assert hashlib.sha256(blobs[f.sha256]).hexdigest() == f.sha256 == hashlib.sha256(
            (playback.air_log_folder(var_dir(), "main") / f.name).read_bytes()).hexdigest()
        assert (f.zone, f.player, f.rate, f.size) == ("main", player.name, SAMPLE_RATE, len(blobs[f.sha256]))
    for f in files:  # each file holds its stretch of what went out
        assert_sounds_as(sf.read(io.BytesIO(blobs[f.sha256]), dtype="int16")[0][:f.frames], sent[f.first:f.first + f.frames])


def test_a_stored_file_whose_bytes_changed_is_not_played(db, logged_player, tmp_path):
    player, _ = logged_player
    air(db, "bell", [{"type": "chime", "name": "programme"}])
    wait(lambda: len(done_rows(db)) == 1)
    player.stop()
    [row] = done_rows(db)
    bell = chimes.chime("programme").to_int16()
    assert_sounds_as(playback.aired(db, row, tmp_path / "c"), bell)
    [cached] = (tmp_path / "c").glob("*/*/*.opus")  # fetched by its hash, as players fetch audio
    cached.write_bytes(cached.read_bytes()[:-200] + bytes(200))
    with pytest.raises(playback.Tampered):
        playback.aired(db, row, tmp_path / "c")
    assert not cached.exists(), "the bad copy goes"
    with db.session() as s:
        [f] = s.scalars(select(AirLogFile))
        blob = s.get(MediaBlob, f.sha256)
        good, blob.data = blob.data, blob.data[:-200] + bytes(200)
    with pytest.raises(playback.Tampered):  # fetched again from the database: changed there too
        playback.aired(db, row, tmp_path / "c")
    with db.session() as s:
        s.get(MediaBlob, f.sha256).data = good
    assert_sounds_as(playback.aired(db, row, tmp_path / "c"), bell)


def test_the_panel_streams_an_as_run_rows_audio_to_supervisors_only(db, logged_player, tmp_path):
    from tests.web.conftest import FAST_HASH, Browser
    from broadcaster.store.models.core import Role, User
    from web import create_app

    player, out = logged_player
    with db.session() as s:
        s.add(User(name="sam", role=Role.SUPERVISOR, display_name="Sam", password_hash=FAST_HASH))
        s.add(User(name="bob", role=Role.BROADCASTER, display_name="Bob", password_hash=FAST_HASH))
    air(db, "bell", [{"type": "chime", "name": "programme"}])
    wait(lambda: len(done_rows(db)) == 1)
    [row] = done_rows(db)
    app = create_app({"DATABASE": db, "SECRET_KEY": "t", "TESTING": True})
    sam, bob = Browser(app, "sam"), Browser(app, "bob")
    wait(lambda: f'/approvals/logs/asrun/{row.id}/aired.flac' in sam.get("/approvals/logs").get_data(as_text=True))
    assert 'class="aired"' in sam.get("/approvals/logs").get_data(as_text=True)  # the file is stored: a control
    resp = sam.get(f"/approvals/logs/asrun/{row.id}/aired.flac")
    assert resp.status_code == 200 and resp.mimetype == "audio/flac"
    heard, rate = sf.read(io.BytesIO(resp.get_data()), dtype="int16")
    assert rate == SAMPLE_RATE
    assert_sounds_as(heard, chimes.chime("programme").to_int16())
    mark = marks(db)[row.airing_id]
    assert_sounds_as(heard, out.samples()[mark.start:mark.end], "where it went out")
    assert bob.get(f"/approvals/logs/asrun/{row.id}/aired.flac").status_code == 403
    assert sam.get(f"/approvals/logs/asrun/{row.id + 1}/aired.flac").status_code == 404
    with db.session() as s:  # a row the log keeps nothing of: no control, and 404
        other = AsRun(ref="x", title="elsewhere", kind="emergency", zone="hall", started_at=row.started_at)
        s.add(other)
        s.flush()
        other_id = other.id
        [f] = s.scalars(select(AirLogFile))
        blob = s.get(MediaBlob, f.sha256)
        blob.data = blob.data[:-100] + bytes(100)
    assert f"/asrun/{other_id}/aired.flac" not in sam.get("/approvals/logs").get_data(as_text=True)
    assert sam.get(f"/approvals/logs/asrun/{other_id}/aired.flac").status_code == 404
    shutil.rmtree(var_dir() / "cache" / "airlog")
    resp = sam.get(f"/approvals/logs/asrun/{row.id}/aired.flac")
    assert resp.status_code == 409 and "changed after it was stored" in resp.get_data(as_text=True)


def test_the_venue_chooses_which_zones_the_air_logger_records_and_its_disk_cap(tmp_path, monkeypatch):
    var = tmp_path / "v"
    assert isinstance(build_sink("main", "null", var), NullSink)  # default: a null output is not logged
    logged = build_sink("main", "null", var, air_log_zones="all")
    assert isinstance(logged, AirLogSink)
    assert logged.airlog.folder == var / "air" / "main"
    card = build_sink("lobby", "device:3", var, air_log_zones="all")  # a zone with a sound card, logged too
    assert isinstance(card, AirLogSink) and isinstance(card.inner, PortAudioSink)
    assert isinstance(build_sink("lobby", "device:3", var), PortAudioSink)
    assert not isinstance(build_sink("main", "null", var, air_log_zones="none"), AirLogSink)

    monkeypatch.setenv("PA_AIRLOG_MAX_GB", "0.002")
    monkeypatch.setenv("PA_AIRLOG_ZONES", "all")
    settings = load_settings()
    assert (settings.air_log_max_gb, settings.air_log_zones) == (0.002, "all")
    for name, value, field in (("PA_AIRLOG_ZONES", "some", "air_log_zones"), ("PA_AIRLOG_MAX_GB", "lots", "GB"),
                               ("PA_AIRLOG_MAX_GB", "-1", "air_log_max_gb")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError, match=field):
            load_settings()
        monkeypatch.setenv(name, {"PA_AIRLOG_ZONES": "all", "PA_AIRLOG_MAX_GB": "1"}[name])


def test_a_player_on_another_machine_rings_the_venue_chime_from_the_database(db, tmp_path, monkeypatch):
    register_areas()
    bell = Pcm((0.3 * np.sin(2 * np.pi * 660 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.float32))
    ready = chimes.prepare_chime(bell)
    sha = venue_chimes.set_chime(db, ready, "urgent_page")  # set on this machine (CLI or panel)
    assert (chimes.chime_dir() / "urgent_page.wav").exists()
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path / "elsewhere"))  # another machine: no var/chimes there
    assert chimes.chime("urgent_page").sha256() != sha
    out = NullSink(keep=True)
    player = ZonePlayer(db, {"main": out}, MediaSource(db, None, tmp_path / "elsewhere-cache"), poll_s=0.05).start()
    try:
        assert player.media._chimes.get(sha) is not None, "prewarmed at start, fetched by its hash"
        air(db, "page", [{"type": "chime", "name": "urgent_page"}])
        wait(lambda: len(done_rows(db)) == 1)
    finally:
        player.stop()
    rang = out.samples()
    assert find(rang, ready.to_int16()) == 0 and not rang[len(ready.to_int16()):].any()  # the block's end: silence
    venue_chimes.sync_local(db)  # a service starting there brings its renders the same chime
    assert chimes.chime("urgent_page").sha256() == sha
    assert venue_chimes.reset_chime(db, "urgent_page")
    fresh = MediaSource(db, None, tmp_path / "c3")
    assert fresh.chime("urgent_page").sha256() == chimes.generated("urgent_page").sha256()


def test_a_tampered_venue_chime_is_not_rung_and_the_built_in_one_rings(db, tmp_path, monkeypatch):
    ready = chimes.prepare_chime(Pcm((0.3 * np.sin(np.arange(SAMPLE_RATE) / 9)).astype(np.float32)))
    sha = venue_chimes.set_chime(db, ready, "announcement")
    with db.session() as s:
        blob = s.get(MediaBlob, sha)
        data = bytearray(blob.data)
        data[-2000:] = bytes(2000)  # the samples changed after they were set
        blob.data = bytes(data)
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path / "elsewhere"))
    rung = MediaSource(db, None, tmp_path / "c4").chime("announcement")
    assert rung.sha256() == chimes.generated("announcement").sha256()


def test_music_streams_are_released_when_the_engine_stops(tmp_path):
    from broadcaster.onair.engine import PlayoutEngine
    from broadcaster.onair.items import PlayoutItem
    from broadcaster.onair.pieces import build

    for i in range(2):
        sf.write(str(tmp_path / f"t{i}.wav"), (0.2 * np.sin(np.arange(8000 * 20) / 3)).astype(np.float32), 8000)
    parts, _, _ = build([{"type": "music", "tracks": [{"path": str(tmp_path / f"t{i}.wav")} for i in range(2)]}],
                        MediaSource(None, None, tmp_path / "cache"), None)
    [stream] = parts
    engine = PlayoutEngine({"main": NullSink(realtime=True)}).start()
    engine.submit(PlayoutItem(priority=10, title="bed", parts=parts, kind="music"))
    wait(lambda: stream._feed.reader is not None and stream._emitted > 0)
    engine.stop()
    wait(lambda: not stream._feed.busy, 5)
    assert stream._feed.reader is None, "the open track (file, resampler) is closed at stop"



def test_on_one_box_the_log_stays_in_its_files_and_plays_back_from_them_checked(db, tmp_path):
    """SQLite is one machine: the keeper stores each completed file's row, not its bytes (an hour of
    music is ~29 MB; the database would hold every hour twice). The panel plays back from the logger's
    own file, and refuses it once its bytes no longer have the stored hash."""
    register_areas()
    airlog = AirLog(playback.air_log_folder(var_dir(), "main"))
    player = ZonePlayer(db, {"main": AirLogSink(NullSink(realtime=True), airlog)},
                        MediaSource(db, None, tmp_path / "cache"), poll_s=0.05)
    airlogs.Keeper(db, player.name, {"main": airlog}).attach(player)
    player.start()
    try:
        air(db, "bell", [{"type": "chime", "name": "programme"}])
        wait(lambda: len(done_rows(db)) == 1)
    finally:
        player.stop()  # its logger completes the file, the keeper stores its row
    [row] = done_rows(db)
    with db.session() as s:
        [f] = s.scalars(select(AirLogFile))
        assert s.scalar(select(MediaBlob.sha256)) is None, "no bytes in the database on one box"
    local = playback.air_log_folder(var_dir(), "main") / f.name
    assert hashlib.sha256(local.read_bytes()).hexdigest() == f.sha256
    bell = chimes.chime("programme").to_int16()
    assert_sounds_as(playback.aired(db, row, tmp_path / "c"), bell)
    local.write_bytes(local.read_bytes()[:-200] + bytes(200))
    with pytest.raises(playback.Tampered):
        playback.aired(db, row, tmp_path / "c")
    assert local.exists(), "the log itself is never deleted by a playback"
    with db.session() as s:  # the proof of what aired was changed: a fault staff must acknowledge
        [fault] = s.scalars(select(Fault).where(Fault.kind == "hash_mismatch"))
        assert fault.zone == "main" and local.name in fault.message


def busy_zone_player(db, tmp_path) -> tuple[ZonePlayer, NullSink]:
    """A zone player (not started) of zone "main", logged to its air log, over a real-time null output
    that keeps its samples; the log's file is closed only after a minute of silence (a busy zone)."""
    register_areas()
    out = NullSink(keep=True, realtime=True)
    airlog = AirLog(playback.air_log_folder(var_dir(), "main"))
    player = ZonePlayer(db, {"main": AirLogSink(out, airlog, idle_close_s=60.0)},
                        MediaSource(db, None, tmp_path / "cache"), poll_s=0.05)
    airlogs.Keeper(db, player.name, {"main": airlog}).attach(player)
    return player, out


def the_one_done_played_back(db, tmp_path) -> tuple[AsRun, np.ndarray]:
    """The one as-run row completed (waited for) and its samples played back from the air log (waited
    for: at most 5 s, the while its file takes to be stored)."""
    wait(lambda: len(done_rows(db)) == 1)
    [row] = done_rows(db)
    wait(lambda: len(playback.aired(db, row, tmp_path / "c")) > 0, 5)
    return row, playback.aired(db, row, tmp_path / "c")


def test_an_item_under_unbroken_music_plays_back_as_soon_as_it_ended(db, tmp_path):
    """A busy zone's music never stops, so its logger's file would be complete (and playable) only at
    the hour: an announcement's end completes it there, and the item plays back while the music goes on,
    exactly the stretch that went out."""
    player, out = busy_zone_player(db, tmp_path)
    tone = tmp_path / "tone.wav"
    sf.write(str(tone), (0.2 * np.sin(np.arange(SAMPLE_RATE * 30) / 9)).astype(np.float32), SAMPLE_RATE)
    player.start()
    try:
        with db.session() as s:
            airings.request(s, airings.Request(key="bed", ref="music:1", kind="music", title="Lobby music",
                                               zones=["main"], priority=10, resumable=True,
                                               pieces=[{"type": "music", "crossfade": 1.0, "seconds": None,
                                                        "tracks": [{"path": str(tone), "title": "tone"}]}]),
                            db.signals)
        wait(lambda: player.engine.snapshot()["main"]["music"] is not None)
        time.sleep(0.3)
        air(db, "bell", [{"type": "chime", "name": "programme"}])
        row, heard = the_one_done_played_back(db, tmp_path)
        assert player.engine.snapshot()["main"]["music"] is not None, "the music never stopped"
    finally:
        player.stop()
    mark = marks(db)[row.airing_id]
    assert len(heard) == len(chimes.chime("programme").to_int16())
    assert_sounds_as(heard, out.samples()[mark.start:mark.end], "the bell over the ducked music, as it went out")


def test_a_music_bed_that_ended_under_the_next_bed_plays_back_at_once(db, tmp_path):
    """A programme's music hands over to the next programme's music with no pause: the zone never falls
    silent, so the logger's file would complete only at the hour. The first bed's end completes it there,
    and the bed's own as-run row plays back while the next bed airs, exactly the stretch that went out."""
    player, out = busy_zone_player(db, tmp_path)
    tone, hum = tmp_path / "tone.wav", tmp_path / "hum.wav"
    sf.write(str(tone), (0.2 * np.sin(np.arange(SAMPLE_RATE * 2) / 9)).astype(np.float32), SAMPLE_RATE)
    sf.write(str(hum), (0.1 * np.sin(np.arange(SAMPLE_RATE * 30) / 5)).astype(np.float32), SAMPLE_RATE)

    def bed(key: str, path, priority: int) -> None:
        with db.session() as s:
            airings.request(s, airings.Request(key=key, ref=f"music:{key}", kind="music", title=key,
                                               zones=["main"], priority=priority,
                                               pieces=[{"type": "music", "crossfade": 0.0, "seconds": None,
                                                        "tracks": [{"path": str(path), "title": key}]}]),
                            db.signals)
    player.start()
    try:
        bed("morning", tone, 10)  # two seconds of it, then the afternoon's music at once
        wait(lambda: player.engine.snapshot()["main"]["music"] is not None)
        bed("afternoon", hum, 5)
        row, heard = the_one_done_played_back(db, tmp_path)
        assert row.title == "morning"
        assert player.engine.snapshot()["main"]["music"] is not None, "the next bed airs, no pause"
    finally:
        player.stop()
    mark = marks(db)[row.airing_id]
    assert mark.end - mark.start >= 2 * SAMPLE_RATE - BLOCK
    assert_sounds_as(heard, out.samples()[mark.start:mark.end], "the first bed, as it went out")
