"""Several machines on one PostgreSQL: one `serve` (the leader, no zones of its own) and two `broadcaster
player` processes on different zones, each with its own "device" (ALSA's file PCM, a file per process),
its own var/ (so audio reaches it only by hash from the database). Real processes, real PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from broadcaster.cases.missing import CaseDetails
from broadcaster.paging.defaults import seed_defaults
from broadcaster.paging.paging import PagingService
from broadcaster.paging.templates import TemplateService
from broadcaster.settings import VenueSettings
from broadcaster.store.models.onair import Airing, AiringState, PlayerStatus
from broadcaster.store.models.workflow import AsRun, Fault
from broadcaster.users import add_user

VENUE = "lobby=remote,gate=remote"


class Box:
    """One process of the venue on its own "machine": own var/, own ALSA file PCM."""

    def __init__(self, root: Path, name: str, url: str, *args: str, **env: str) -> None:
        self.home = root / name
        (self.home / "alsa").mkdir(parents=True, exist_ok=True)
        self.out = self.home / "OUT.raw"
        (self.home / "alsa" / "asoundrc").write_text(
            'pcm.!default { type file; slave.pcm "null"; file "%s"; format "raw" }\n' % self.out)
        env = {**os.environ, "XDG_CONFIG_HOME": str(self.home), "PA_VAR_DIR": str(self.home / "var"),
               "PA_ZONES": VENUE, "PA_GTTS_DISABLED": "1", **env}  # PA_ZONES="": the zones saved in the database
        self.log = open(self.home / "log.txt", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", url, *args], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def samples(self) -> np.ndarray:
        return np.fromfile(self.out, dtype="<i2") if self.out.exists() else np.zeros(0, np.int16)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def wait(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@pytest.fixture
def venue(pg_db, tmp_path):
    db = pg_db
    with db.session() as s:
        add_user(s, "dee", "desk", password="correct horse")
        add_user(s, "sam", "supervisor", password="correct horse")
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")
    boxes = {"serve": Box(tmp_path, "serve", db.url, "serve", "--no-web"),
             "lobby": Box(tmp_path, "lobby", db.url, "player", "--zone", "lobby=device", "--name", "p-lobby"),
             "gate": Box(tmp_path, "gate", db.url, "player", "--zone", "gate=device", "--name", "p-gate")}

    def players_up():
        with db.session() as s:
            return {p.name for p in s.scalars(select(PlayerStatus).where(PlayerStatus.stopped.is_(False)))} >= {
                "p-lobby", "p-gate"}
    wait(players_up, 60, "both players to announce themselves")
    paging = PagingService.for_venue(db, None, VenueSettings(zones={"lobby": "remote", "gate": "remote"}))
    yield db, boxes, paging
    for box in boxes.values():
        box.stop()


def child(**kw) -> CaseDetails:
    from tests.desk.conftest import lost_child  # the places given in Chinese too (no venue places named)

    return lost_child(**kw)


def rows(db, ref: str) -> list[Airing]:
    with db.session() as s:
        return list(s.scalars(select(Airing).where(Airing.ref == ref).order_by(Airing.id)))


def as_run(db, ref: str) -> list[AsRun]:
    with db.session() as s:
        return list(s.scalars(select(AsRun).where(AsRun.ref == ref).order_by(AsRun.id)))


def test_a_page_for_all_zones_airs_on_both_players(venue):
    db, boxes, paging = venue
    case, page, err = paging.open_and_page("dee", "missing", child())
    assert err is None
    ref = f"page:{page.id}"
    wait(lambda: {r.zone for r in rows(db, ref) if r.state is AiringState.DONE} == {"lobby", "gate"}, 90,
         "the page to air in both zones")
    runs = as_run(db, ref)
    assert sorted((r.zone, r.outcome) for r in runs) == [("gate", "completed"), ("lobby", "completed")]
    assert all(r.content_hash and r.pieces[1]["sha256"] == r.content_hash for r in runs)  # the speech aired
    for zone in ("lobby", "gate"):
        got = boxes[zone].samples()
        assert np.abs(got.astype(np.int32)).max() > 1000, f"no audio reached {zone}'s device"
    assert {r.player for r in rows(db, ref)} == {"p-lobby", "p-gate"}


def test_killed_player_is_a_fault_within_5s_and_its_page_is_never_logged_aired(venue):
    db, boxes, paging = venue
    case, page, err = paging.open_and_page("dee", "missing", child())
    ref = f"page:{page.id}"
    wait(lambda: any(r.zone == "lobby" and r.state is AiringState.AIRING for r in rows(db, ref)), 60,
         "the page to start in the lobby")
    boxes["lobby"].kill()
    killed = time.monotonic()

    def fault():
        with db.session() as s:
            return s.scalar(select(Fault).where(Fault.kind == "player_lost", Fault.zone == "lobby"))
    wait(fault, 5.0, "a player_lost fault for the lobby")
    assert time.monotonic() - killed <= 5.0
    lobby = [r for r in rows(db, ref) if r.zone == "lobby"]
    assert lobby[-1].state is AiringState.QUEUED and lobby[-1].player is None  # pending, never aired
    assert [r.outcome for r in as_run(db, ref) if r.zone == "lobby"] == ["interrupted"]
    # the gate's player carries on; a restarted lobby player airs the page, still wanted
    boxes["lobby"].stop()
    boxes["lobby2"] = Box(boxes["lobby"].home.parent, "lobby2", db.url, "player", "--zone", "lobby=device",
                          "--name", "p-lobby")
    wait(lambda: any(r.zone == "lobby" and r.state is AiringState.DONE for r in rows(db, ref)), 90,
         "the restarted lobby player to air the page")
    assert [r.outcome for r in as_run(db, ref) if r.zone == "lobby"] == ["interrupted", "completed"]
    assert np.abs(boxes["lobby2"].samples().astype(np.int32)).max() > 1000


def test_leader_fails_over_within_5s_and_no_slot_airs_twice_or_goes_missing(pg_db, tmp_path, monkeypatch):
    """Two `serve` processes lead in turn (session advisory lock); a day's slots squeezed into seconds:
    one-off slots every 2 s. The leader is killed with -9 mid-run: the other leads within 5 s, and every
    slot has exactly one airing per zone or a missed-slot row."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import text

    from broadcaster.onair.leader import LOCK_KEY
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
    from broadcaster.schedule.rules import RuleSpec
    from broadcaster.store.models.schedule import MissedSlot

    monkeypatch.setenv("PA_VENUE_TZ", "UTC")
    monkeypatch.setenv("PA_ZONES", VENUE)
    db = pg_db
    programmes = ProgrammeService(db, tz="UTC")
    programmes.create_programme("Tick", [ItemSpec(kind="chime", chime="programme")], zones=("lobby",))
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=12)
    slots = [start + timedelta(seconds=2 * i) for i in range(12)]
    for at in slots:
        programmes.add_rule("Tick", RuleSpec(kind="once", at=at.time(), on_date=at.date()))

    def leader_pid():
        with db.engine.connect() as c:
            return c.execute(text("SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                  "WHERE l.locktype = 'advisory' AND l.objid = :k AND l.granted"),
                             {"k": LOCK_KEY}).scalar()

    os.environ["PA_VENUE_TZ"] = "UTC"
    a = Box(tmp_path, "a", db.url, "serve", "--no-web")
    wait(leader_pid, 30, "a leader")
    b = Box(tmp_path, "b", db.url, "serve", "--no-web")
    player = Box(tmp_path, "p", db.url, "player", "--zone", "lobby=null", "--name", "p-lobby")
    try:
        wait(lambda: datetime.now(timezone.utc) > slots[4], 60, "the fifth slot")
        first = leader_pid()
        a.kill()
        killed = time.monotonic()
        wait(lambda: (leader_pid() or first) != first, 5.0, "another leader")
        failover = time.monotonic() - killed
        wait(lambda: datetime.now(timezone.utc) > slots[-1] + timedelta(seconds=5), 60, "the last slot")

        def settled():
            with db.session() as s:
                keys = [k for (k,) in s.execute(select(Airing.key).where(Airing.key.like("slot:%")))]
                missed = {m for (m,) in s.execute(select(MissedSlot.slot_uid))}
            return keys, missed
        keys, missed = settled()
        aired = [k.split(":", 1)[1].rsplit("@", 1)[0] for k in keys]
        assert len(aired) == len(set(aired)), f"a slot aired twice: {sorted(aired)}"
        uids = {f"r{rid}-{at:%Y%m%dT%H%M%SZ}" for rid, at in zip(range(1, 13), slots)}
        assert uids <= set(aired) | missed, f"dropped without a missed row: {uids - set(aired) - missed}"
        assert len(uids & set(aired)) >= 10, f"only {sorted(uids & set(aired))} aired; missed: {missed}"
        print(f"fail-over took {failover:.2f} s; {len(uids & set(aired))} slots aired, {len(missed)} missed")
    finally:
        for box in (a, b, player):
            box.stop()


def _wav(seconds: float, freq: float, level: float = 0.3) -> bytes:
    import io

    import soundfile as sf

    t = np.arange(int(seconds * 48000)) / 48000
    buf = io.BytesIO()
    sf.write(buf, (level * np.sin(2 * np.pi * freq * t)).astype(np.float32), 48000, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def test_a_remote_player_refuses_audio_whose_hash_differs(venue):
    """The gate's player fetches the audio by hash from the database: the bytes stored under that hash
    hold other samples, so it refuses to air them and a hash_mismatch fault is raised."""
    import hashlib
    import io

    import soundfile as sf

    from audio.pcm import Pcm
    from broadcaster.onair import airings
    from broadcaster.store.models.onair import MediaBlob

    db, boxes, _ = venue
    good, bad = _wav(2.0, 440), _wav(2.0, 880)
    data, rate = sf.read(io.BytesIO(good), dtype="int16")
    sha = Pcm.from_int16(data, rate).sha256()  # the approved samples' hash...
    with db.session() as s:
        s.add(MediaBlob(sha256=sha, ext="wav", by_samples=True, data=bad))  # ...naming other samples
        airings.request(s, airings.Request(key="tampered", ref="programme:0", kind="programme", title="Tampered",
                                           zones=["gate"], priority=30,
                                           pieces=[{"type": "audio", "sha256": sha}], content_hash=sha),
                        db.signals)
    wait(lambda: [r.state for r in rows(db, "programme:0")] == [AiringState.FAILED], 30, "the refusal")
    with db.session() as s:
        fault = s.scalar(select(Fault).where(Fault.kind == "hash_mismatch"))
    assert fault is not None and fault.zone == "gate" and "hash mismatch" in fault.message
    assert as_run(db, "programme:0") == []  # never started
    got = boxes["gate"].samples()
    assert got.size == 0 or np.abs(got.astype(np.int32)).max() < 50  # nothing reached the device
    assert hashlib.sha256(bad).hexdigest() != sha


def test_a_page_for_one_zone_pre_empts_music_there_only(venue):
    import hashlib

    from broadcaster.onair import airings
    from broadcaster.store.models.onair import MediaBlob

    db, boxes, _ = venue
    music = _wav(40.0, 220, 0.2)
    sha = hashlib.sha256(music).hexdigest()
    with db.session() as s:
        s.add(MediaBlob(sha256=sha, ext="wav", by_samples=False, data=music))
        airings.request(s, airings.Request(key="bed", ref="music:1", kind="music", title="Lobby music",
                                           zones=["lobby", "gate"], priority=10, resumable=True,
                                           pieces=[{"type": "music", "crossfade": 1.0, "seconds": None,
                                                    "tracks": [{"path": "", "sha256": sha, "title": "tone"}] * 300}]),
                        db.signals)
    wait(lambda: {r.zone for r in rows(db, "music:1") if r.state is AiringState.AIRING} == {"lobby", "gate"}, 60,
         "music in both zones")
    lobby_only = PagingService.for_venue(db, None, VenueSettings(zones={"lobby": "remote", "gate": "remote"}),
                                         zones=("lobby",))
    case, page, err = lobby_only.open_and_page("dee", "missing", child())
    ref = f"page:{page.id}"
    wait(lambda: [r.state for r in rows(db, ref)] == [AiringState.DONE], 90, "the page in the lobby")
    assert [r.zone for r in rows(db, ref)] == ["lobby"]
    music_runs = as_run(db, "music:1")
    assert {r.zone for r in music_runs} == {"lobby", "gate"}
    assert all(r.outcome == "airing" for r in music_runs), [(r.zone, r.outcome) for r in music_runs]  # never cut
    with db.session() as s:
        now = {p.name: p.now for p in s.scalars(select(PlayerStatus))}
    assert now["p-lobby"]["lobby"]["music"]["title"] == "Lobby music"
    assert now["p-gate"]["gate"]["music"]["title"] == "Lobby music" and now["p-gate"]["gate"]["now"] is None


def test_the_leader_on_its_machine_escalates_as_a_change_saved_elsewhere_says(venue):
    """The `serve --no-web` leader (its own var/, no panel) started with the default escalation time
    (10 min); a supervisor on another machine sets 3 s, saved in the database: the leader's next rounds
    use it, without a restart."""
    from broadcaster.settings import save_settings
    from broadcaster.store.models.cases import CaseState, PersonCase

    db, boxes, paging = venue
    log = boxes["serve"].home / "log.txt"
    wait(lambda: "leading" in log.read_text(), 60, "the serve process to lead")  # it read the settings
    save_settings({"escalate_after_min": 0.05}, db)
    case, page, err = paging.open_and_page("dee", "missing", child())
    assert err is None

    def escalated():
        with db.session() as s:
            return s.get(PersonCase, case.id).state is CaseState.ESCALATED
    wait(escalated, 60, "the leader to escalate the case at the new time")
    assert "venue settings: version 1 adopted" in log.read_text()


def test_music_cut_by_a_killed_player_carries_on_at_its_track_on_the_next(venue):
    """kill -9 of the lobby's player in the music's second track: the leader releases its rows at its
    last heartbeat, and the lobby's player started again airs track 2 from where it was then (the
    progress of that heartbeat), then track 3; not track 1 again. (The file PCM takes audio faster than
    real time: track 2 is five minutes of a slow ramp, FLAC, long enough to be caught in and small.)"""
    import hashlib
    import io

    import soundfile as sf

    from broadcaster.onair import airings
    from broadcaster.store.models.onair import MediaBlob
    from tests.conftest import BLOCK
    from tests.schedule.test_onair import find

    db, boxes, _ = venue
    ramp = np.linspace(-16_000, 16_000, 48_000 * 300).round().astype(np.int16)  # each level ~10 ms: a
    files = []                                                                  # window of it is found once
    for samples, fmt in ((np.random.default_rng(1).uniform(-0.3, 0.3, 48_000 * 6), "WAV"), (ramp, "FLAC"),
                         (np.random.default_rng(3).uniform(-0.3, 0.3, 48_000 * 6), "WAV")):
        buf = io.BytesIO()
        sf.write(buf, samples, 48_000, subtype="PCM_16", format=fmt)
        files.append(buf.getvalue())
    tracks = [{"path": "", "sha256": hashlib.sha256(f).hexdigest(), "title": f"track {n + 1}"}
              for n, f in enumerate(files)]
    with db.session() as s:
        s.add_all(MediaBlob(sha256=t["sha256"], ext=ext, by_samples=False, data=f)
                  for t, f, ext in zip(tracks, files, ("wav", "flac", "wav")))
        airings.request(s, airings.Request(key="bed", ref="music:1", kind="music", title="Lobby music",
                                           zones=["lobby"], priority=10, resumable=True,
                                           pieces=[{"type": "music", "crossfade": 1.0, "seconds": None,
                                                    "tracks": tracks}]), db.signals)

    def progress():
        [row] = rows(db, "music:1")
        return row.progress or {}
    wait(lambda: progress().get("track") == 1, 60, "track 2")
    boxes["lobby"].kill()
    wait(lambda: rows(db, "music:1")[0].player is None, 10, "the leader to release the killed player's rows")
    stopped_at = progress()
    assert stopped_at["track"] == 1
    boxes["lobby"].stop()
    boxes["lobby2"] = Box(boxes["lobby"].home.parent, "lobby2", db.url, "player", "--zone", "lobby=device",
                          "--name", "p-lobby")
    wait(lambda: rows(db, "music:1")[0].state is AiringState.DONE, 90, "the music to its end")
    out = boxes["lobby2"].samples()
    start = int(np.flatnonzero(out)[0]) // BLOCK * BLOCK + BLOCK  # after the block it fades in over
    aired = [sf.read(io.BytesIO(f), dtype="int16")[0] for f in files]  # no gain measured: as stored
    window = out[start:start + 4800]
    assert find(aired[0], window) == -1, "track 1 again"
    at = find(aired[1], window)
    assert at >= 0, "not track 2"
    assert abs(at - BLOCK - stopped_at["offset"] * 48_000) <= 0.25 * 48_000
    # then track 3 (a block of it after the crossfade of 1 s), once the rest of track 2 aired (the file
    # PCM outruns the decoder: blocks it could not fill are padded with silence, so no exact offset)
    assert find(out[start:], aired[2][57_600:58_080]) >= len(aired[1]) - at
    runs = as_run(db, "music:1")
    assert [r.outcome for r in runs] == ["interrupted", "completed"]
    assert runs[0].pieces[0]["until"] == stopped_at and runs[1].pieces[0]["from"] == stopped_at
