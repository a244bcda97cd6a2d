"""Work written by another process reaches the player through the database alone: the desk CLI, run as
its own process, queues an announcement or takes one off the air, and the zone player of this process
finds it by its poll (on SQLite no signal crosses processes)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from broadcaster.store.models.onair import AiringState as A
from broadcaster.store.models.workflow import AnnouncementState as S

from tests.conftest import OnAir
from tests.workflow.conftest import aired_at


def cli(world, tmp_path, *args):
    """The broadcaster CLI in its own process, on the test's database and media store."""
    env = dict(os.environ, PA_VAR_DIR=str(tmp_path), PA_GTTS_DISABLED="1")
    return subprocess.run([sys.executable, "-m", "broadcaster", "--db", world.db.url, *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_announcement_queued_by_the_cli_in_another_process_airs(world, onair, tmp_path):
    ann_id = world.approved()
    done = cli(world, tmp_path, "queue", str(ann_id), "--user", "amy")
    assert done.returncode == 0, done.stderr
    assert f"announcement #{ann_id} queued (1 zone)" in done.stdout
    world.wait_state(ann_id, S.AIRED)
    [row] = world.airings(ann_id)
    assert (row.state, row.requested_by, row.player) == (A.DONE, "amy", "test-player")
    assert [r.outcome for r in world.as_run(ann_id)] == ["completed"]
    assert aired_at(onair.samples(), world.audio(ann_id)) == [0]


def test_the_cli_refuses_what_may_not_air_and_stores_nothing(world, onair, tmp_path):
    draft = world.script()
    done = cli(world, tmp_path, "queue", str(draft), "--user", "amy")
    assert done.returncode == 1 and "only approved items can air" in done.stderr
    done = cli(world, tmp_path, "unqueue", str(draft), "--user", "amy")
    assert done.returncode == 1 and "not queued" in done.stderr
    assert world.airings(draft) == [] and onair.sinks["main"].blocks == []


def test_announcement_taken_off_the_air_by_another_process_stops_within_moments(world, db, tmp_path):
    air = OnAir(db, tmp_path, realtime=True).start()
    try:
        ann_id = world.approved(texts={"en": "Dear visitors, welcome to the park. " * 3})
        world.station().queue(ann_id, "amy")
        world.wait_state(ann_id, S.AIRING)
        done = cli(world, tmp_path, "unqueue", str(ann_id), "--user", "amy")
        assert done.returncode == 0, done.stderr
        air.wait(lambda: world.as_run(ann_id)[0].outcome == "cancelled", what="the cut")
        written = len(air.samples())
        time.sleep(0.3)
        assert len(air.samples()) == written  # nothing more of it
    finally:
        air.stop()
    audio = world.audio(ann_id)
    assert 0 < written < len(audio) and aired_at(air.samples(), audio[:written]) == [0]
    [row] = world.airings(ann_id)
    [run] = world.as_run(ann_id)
    assert row.state is A.CANCELLED and "taken off the air by amy" in row.detail
    assert timedelta(0) <= run.ended_at - row.ended_at < timedelta(seconds=1.5)  # cut soon after the request
    assert world.history(ann_id)[-3:] == ["queued", "airing", "interrupted"]
