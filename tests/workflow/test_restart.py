"""A player that dies while an announcement airs: what it aired ends in the as-run log at its last
heartbeat (when it was last known to air, not when someone noticed), the airing is queued again with one
retry spent and airs in full; one as-run row for the cut attempt. The real service process killed with
SIGKILL, and a player lost in this process (the leader's watch, or the same player restarted)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from broadcaster.clock import utcnow
from broadcaster.onair.leader import LOST_AFTER_S, lost_players
from broadcaster.store.models.onair import AiringState as A, PlayerStatus
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S, Fault

from tests.conftest import OnAir
from tests.workflow.conftest import aired_at

LONG = "Dear visitors, welcome to the park. " * 3


def start_service(url, tmp_path):
    env = dict(os.environ, PA_VAR_DIR=str(tmp_path), PA_GTTS_DISABLED="1")
    return subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", url, "serve", "--no-web",
                             "--zone", "main=null"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def wait_for(db, ann_id, state, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            if s.get(Announcement, ann_id).state is state:
                return
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.05)
    raise AssertionError(f"never reached {state.value}")


def last_heartbeat(db, name=None):
    with db.session() as s:
        q = select(PlayerStatus) if name is None else select(PlayerStatus).where(PlayerStatus.name == name)
        [status] = s.scalars(q)
        return status.heartbeat_at


def test_sigkill_mid_air_then_restart(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    ann_id = world.approved(texts={"en": LONG})
    url = world.db.url
    world.station().queue(ann_id, "amy")  # queued before any service runs (the desk CLI)

    first = start_service(url, tmp_path)  # media under tmp_path/media: the World's store
    try:
        wait_for(world.db, ann_id, S.AIRING, first)
        time.sleep(2)  # a heartbeat after the start
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert world.ann(ann_id).state is S.AIRING  # what a kill leaves behind
    [run] = world.as_run(ann_id)
    assert run.outcome == "airing"
    beat = last_heartbeat(world.db)
    assert beat > run.started_at
    restarted = utcnow()

    second = start_service(url, tmp_path)  # the same player (same name): it takes back what it held
    try:
        wait_for(world.db, ann_id, S.AIRED, second)
    finally:
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=20)
    assert "stopped" in out
    cut, full = world.as_run(ann_id)
    [row] = world.airings(ann_id)
    assert world.history(ann_id)[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    assert world.ann(ann_id).retry_count == 1 and (row.state, row.retries) == (A.DONE, 1)
    assert (cut.outcome, cut.detail, cut.airing_id) == ("interrupted", "player restarted", row.id)
    assert cut.ended_at == beat < restarted  # when it was last known to air, not when it was noticed
    assert full.outcome == "completed" and full.started_at > restarted


def lose_while_airing(world, db, tmp_path):
    """A zone player (driven step by step by the test) airs the announcement, then dies without a
    goodbye: its engine stops, it writes nothing more. Returns (ann id, dead player, last heartbeat)."""
    ann_id = world.approved(texts={"en": LONG})
    air = OnAir(db, tmp_path, realtime=True, name="lobby-pc")
    air.player.start(thread=False)
    world.station().queue(ann_id, "amy")
    world.wait_state(ann_id, S.AIRING, step=air.player.step)
    until = time.monotonic() + 1.8  # long enough for a periodic heartbeat while it airs
    while time.monotonic() < until:
        air.player.step()
        time.sleep(0.05)
    air.player.engine.stop()  # the machine dies
    return ann_id, air, last_heartbeat(db, "lobby-pc")


@pytest.mark.parametrize("how", ["leader", "same-name"])
def test_announcement_of_a_lost_player_ends_at_its_last_heartbeat_and_airs_again(world, db, tmp_path, how):
    ann_id, dead, beat = lose_while_airing(world, db, tmp_path)
    [run] = world.as_run(ann_id)
    assert run.outcome == "airing" and beat > run.started_at
    time.sleep(0.2)
    noticed = utcnow()
    if how == "leader":  # the leader's watch: no heartbeat for LOST_AFTER_S
        assert lost_players(db, beat + timedelta(seconds=LOST_AFTER_S - 0.5)) == []
        assert lost_players(db, beat + timedelta(seconds=LOST_AFTER_S + 0.5)) == ["lobby-pc"]
        spare = OnAir(db, tmp_path, name="spare-pc").start()
    else:  # the player comes back under its own name
        spare = OnAir(db, tmp_path, name="lobby-pc").start()
    try:
        world.wait_state(ann_id, S.AIRED)
    finally:
        spare.stop()
    cut, full = world.as_run(ann_id)  # one row for the cut attempt, one for the full one
    [row] = world.airings(ann_id)
    assert (cut.outcome, cut.airing_id, cut.ended_at) == ("interrupted", row.id, beat)
    assert cut.detail == ("player lost" if how == "leader" else "player restarted") and beat < noticed
    assert full.outcome == "completed" and full.started_at >= noticed
    assert (row.state, row.retries, row.player) == (A.DONE, 1, spare.player.name)
    assert world.ann(ann_id).retry_count == 1
    assert world.history(ann_id)[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    audio = world.audio(ann_id)
    assert len(aired_at(dead.samples(), audio)) == 0 and aired_at(spare.samples(), audio) == [0]
    with db.session() as s:
        faults = [(f.kind, f.zone, f.state.value) for f in s.scalars(select(Fault))]
    assert faults == ([("player_lost", "main", "resolved")] if how == "leader" else [])


def test_announcement_of_a_lost_player_out_of_retries_ends_interrupted(world, db, tmp_path):
    ann_id = world.script(texts={"en": LONG})
    with db.session() as s:
        s.get(Announcement, ann_id).retry_count = s.get(Announcement, ann_id).max_retries
        world.anns.submit(s, ann_id, world.user(s, "amy"))
        world.approval.approve(s, ann_id, world.user(s, "sam"))
    air = OnAir(db, tmp_path, realtime=True, name="lobby-pc")
    air.player.start(thread=False)
    world.station().queue(ann_id, "amy")
    world.wait_state(ann_id, S.AIRING, step=air.player.step)
    air.player.engine.stop()
    beat = last_heartbeat(db, "lobby-pc")
    assert lost_players(db, beat + timedelta(seconds=LOST_AFTER_S + 0.5)) == ["lobby-pc"]
    spare = OnAir(db, tmp_path, name="spare-pc").start()
    try:
        spare.player.step()
        time.sleep(0.3)
    finally:
        spare.stop()
    [run] = world.as_run(ann_id)
    [row] = world.airings(ann_id)
    assert (run.outcome, run.ended_at) == ("interrupted", beat)
    assert (row.state, row.retries) == (A.INTERRUPTED, 1) and spare.sinks["main"].blocks == []
    assert world.ann(ann_id).state is S.INTERRUPTED  # staff may queue it again
