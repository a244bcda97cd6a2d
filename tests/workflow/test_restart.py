"""kill -9 mid-air: the real service process is killed while an announcement airs; on restart the
item is marked interrupted, re-queued and airs in full. Nothing is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from broadcaster.store.db import Database
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S, AsRun
from broadcaster.announcements.station import Station


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


def test_sigkill_mid_air_then_restart(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    long_text = "Dear visitors, welcome to the park. " * 3
    ann_id = world.approved(texts={"en": long_text})
    url = world.db.url
    Station(world.db, None, world.approval).queue(ann_id, "amy")  # queued from another process (CLI)

    first = start_service(url, tmp_path)
    try:
        wait_for(world.db, ann_id, S.AIRING, first)
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    with world.db.session() as s:
        assert s.get(Announcement, ann_id).state is S.AIRING  # what a kill leaves behind
        assert s.scalar(select(AsRun)).outcome == "airing"

    second = start_service(url, tmp_path)
    try:
        wait_for(world.db, ann_id, S.AIRED, second)
    finally:
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=20)
    assert "stopped" in out
    db = Database(url)
    with db.session() as s:
        ann = s.get(Announcement, ann_id)
        states = [h.to_state for h in world.anns.history(s, ann_id)]
        rows = [(r.outcome, r.detail) for r in s.scalars(select(AsRun).order_by(AsRun.id))]
    db.dispose()
    assert states[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    assert ann.retry_count == 1
    assert rows[0] == ("interrupted", "service stopped while airing")
    assert rows[1][0] == "completed"
