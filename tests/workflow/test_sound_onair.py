"""Issue 13 on the air: what a zone aired plays back from its air logger (the as-run row's stretch, sample
for sample what went to the output), which zones the logger records and its disk cap, the venue's chime
rung by a player on another machine from the database by its hash, and music streams released when
the engine stops. Real zone players on real null sinks that keep their samples, real SQLite, real files."""
from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from audio import chimes
from audio.airlog import AirLog, AirLogSink
from audio.pcm import SAMPLE_RATE, Pcm
from audio.sinks import NullSink, PortAudioSink
from broadcaster import playback, venue_chimes
from broadcaster.errors import ValidationError
from broadcaster.onair import airings
from broadcaster.onair.pieces import MediaSource
from broadcaster.onair.player import ZonePlayer
from broadcaster.service import build_sink, make_player, register_areas
from broadcaster.settings import VenueSettings, load_settings, var_dir
from broadcaster.store.models.workflow import AsRun

BLOCK = SAMPLE_RATE // 50


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


@pytest.fixture
def logged_player(db, tmp_path):
    """A zone player whose zone "main" is logged by the air logger in var/air/main (as `serve` sets it
    up), over a real-time null output that keeps every sample it was given."""
    register_areas()
    out = NullSink(keep=True, realtime=True)
    sink = AirLogSink(out, AirLog(playback.air_log_folder(var_dir(), "main")))
    player = ZonePlayer(db, {"main": sink}, MediaSource(db, None, tmp_path / "cache"), poll_s=0.05).start()
    yield player, out
    player.stop()


def test_each_as_run_row_plays_back_exactly_what_went_to_the_output(db, logged_player):
    player, out = logged_player
    first = chimes.chime("urgent_page").to_int16()
    second = np.concatenate([chimes.chime("programme").to_int16(), np.zeros(SAMPLE_RATE // 5, np.int16)])
    third = np.concatenate([chimes.chime("announcement").to_int16(), np.zeros(SAMPLE_RATE // 5, np.int16),
                            chimes.chime("end").to_int16()])
    air(db, "first", [{"type": "chime", "name": "urgent_page"}])
    air(db, "second", [{"type": "chime", "name": "programme"}, {"type": "silence", "seconds": 0.2}])  # right after
    wait(lambda: len(done_rows(db)) == 2)
    time.sleep(0.8)  # the zone is silent a while: the logger starts a new stretch
    air(db, "third", [{"type": "chime", "name": "announcement"}, {"type": "silence", "seconds": 0.2},
                      {"type": "chime", "name": "end"}])
    wait(lambda: len(done_rows(db)) == 3)
    player.stop()  # the hour's file is complete
    sent = out.samples()
    lead = int(playback.HANDOVER_LEAD_S * SAMPLE_RATE)
    rows = done_rows(db)
    for row, item, after_silence in zip(rows, (first, second, third), (True, False, True)):
        heard = playback.aired(var_dir(), "main", row.started_at, row.ended_at)
        at = find(heard, item)
        # as-run times are stamped as audio is handed over, up to the device buffer ahead of the
        # speaker: after silence the playback starts at the item's first sample; right behind another
        # item, at most that lead early. The item's tail is never cut off.
        assert at == 0 if after_silence else 0 <= at <= lead, (row.title, at)
        assert len(heard) <= at + len(item) + lead
        assert find(sent, heard) >= 0, "every sample played back went to the output, in order"
    whole = playback.aired(var_dir(), "main", rows[0].started_at, rows[2].ended_at)
    assert find(whole, np.concatenate([first, second])) == 0 and find(whole, third) == len(first) + len(second)


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
    time.sleep(1.5)  # the zone fell silent: the logger completed its file (the player still runs)
    [row] = done_rows(db)
    app = create_app({"DATABASE": db, "SECRET_KEY": "t", "TESTING": True})
    sam, bob = Browser(app, "sam"), Browser(app, "bob")
    page = sam.get("/approvals/logs").get_data(as_text=True)
    assert f'/approvals/logs/asrun/{row.id}/aired.flac' in page and 'class="aired"' in page
    resp = sam.get(f"/approvals/logs/asrun/{row.id}/aired.flac")
    assert resp.status_code == 200 and resp.mimetype == "audio/flac"
    import io

    heard, rate = sf.read(io.BytesIO(resp.get_data()), dtype="int16")
    assert rate == SAMPLE_RATE and find(heard, chimes.chime("programme").to_int16()) == 0  # to its last sample
    assert find(out.samples(), heard) >= 0
    assert bob.get(f"/approvals/logs/asrun/{row.id}/aired.flac").status_code == 403
    assert sam.get(f"/approvals/logs/asrun/{row.id + 1}/aired.flac").status_code == 404
    with db.session() as s:  # a zone the logger does not keep: no control, and 404
        other = AsRun(ref="x", title="elsewhere", kind="emergency", zone="hall", started_at=row.started_at)
        s.add(other)
        s.flush()
        other_id = other.id
    assert f"/asrun/{other_id}/aired.flac" not in sam.get("/approvals/logs").get_data(as_text=True)
    assert sam.get(f"/approvals/logs/asrun/{other_id}/aired.flac").status_code == 404


def test_the_venue_chooses_which_zones_the_air_logger_records_and_its_disk_cap(tmp_path, monkeypatch):
    var = tmp_path / "v"
    assert isinstance(build_sink("main", "null", var), NullSink)  # default: a null output is not logged
    logged = build_sink("main", "null", var, air_log_zones="all", air_log_max_bytes=5_000)
    assert isinstance(logged, AirLogSink) and logged.airlog.max_bytes == 5_000
    assert logged.airlog.folder == var / "air" / "main"
    card = build_sink("lobby", "device:3", var, air_log_zones="all")  # a zone with a sound card, logged too
    assert isinstance(card, AirLogSink) and isinstance(card.inner, PortAudioSink)
    assert isinstance(build_sink("lobby", "device:3", var), PortAudioSink)
    assert not isinstance(build_sink("main", "null", var, air_log_zones="none"), AirLogSink)

    monkeypatch.setenv("PA_AIRLOG_MAX_GB", "0.002")
    monkeypatch.setenv("PA_AIRLOG_ZONES", "all")
    settings = load_settings(tmp_path / "none.json")
    assert (settings.air_log_max_gb, settings.air_log_zones) == (0.002, "all")
    for name, value, field in (("PA_AIRLOG_ZONES", "some", "air_log_zones"), ("PA_AIRLOG_MAX_GB", "lots", "GB"),
                               ("PA_AIRLOG_MAX_GB", "-1", "air_log_max_gb")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError, match=field):
            load_settings(tmp_path / "none.json")
        monkeypatch.setenv(name, {"PA_AIRLOG_ZONES": "all", "PA_AIRLOG_MAX_GB": "1"}[name])


def test_the_disk_cap_deletes_the_oldest_hours_of_a_player_s_zones(db, tmp_path):
    settings = VenueSettings(zones={"main": "null", "hall": "null"}, air_log_zones="all", air_log_max_gb=0.0004)
    from audio.render import Renderer

    player = make_player(db, settings.zones, var=tmp_path, renderer=Renderer(cache_dir=tmp_path / "c"),
                         clock=None, settings=settings)
    logs = {z: zone.sink.airlog for z, zone in player.engine.zones.items()}
    assert {z: a.max_bytes for z, a in logs.items()} == {"main": 200_000, "hall": 200_000}  # shared by the zones
    noise = np.random.default_rng(0).integers(-8000, 8000, 2 * SAMPLE_RATE, dtype=np.int16)  # ~170 kB of FLAC
    start = 1_800_000_000.0  # an hour boundary
    log = logs["main"]
    for hour in range(4):
        log.write(noise, start + hour * 3600)
    log.close()
    kept = [p.stem for p in log.files()]
    log.prune(start + 4 * 3600)
    assert len(log.files()) < 4 and [p.stem for p in log.files()] == kept[-len(log.files()):], "oldest go first"
    assert log.bytes_used() <= 200_000


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
    from broadcaster.store.models.onair import MediaBlob

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

