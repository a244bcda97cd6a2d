"""Work stored by another process (a panel worker, the desk CLI) reaches the engine: an announcement
queued or taken off elsewhere, and the doorbell and snapshot that join the processes."""
from __future__ import annotations

import json
import os
import queue
import socket
import threading
import time

from audio.sinks import NullSink
from broadcaster.control import ALL, PAGING, STATION, Doorbell, RemoteEngine, SnapshotPublisher, ring, run_dir
from broadcaster.store.models.workflow import AnnouncementState as S
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.announcements.station import Station

from tests.workflow.test_station import wait_state


def test_announcement_queued_in_another_process_airs_after_the_ring(world, tmp_path):
    sink = NullSink(realtime=True)
    engine = PlayoutEngine({"main": sink})
    service = Station(world.db, engine, world.approval).start()
    engine.start()
    rung = threading.Event()
    worker = Station(world.db, None, world.approval, notify=rung.set)  # no engine: a panel worker
    try:
        ann_id = world.approved()
        assert worker.queue(ann_id, "amy") is None  # stored as queued; the worker cannot air it
        assert rung.is_set()
        assert engine.snapshot()["main"]["now"] is None  # not on the engine until the service syncs
        assert service.sync() == 1
        wait_state(world, ann_id, S.AIRING)
        wait_state(world, ann_id, S.AIRED)
    finally:
        engine.stop()
        service.stop()


def test_announcement_taken_off_elsewhere_leaves_the_engine_on_the_next_sync(world):
    sink = NullSink(realtime=True)
    engine = PlayoutEngine({"main": sink})
    service = Station(world.db, engine, world.approval).start()
    rung = threading.Event()
    worker = Station(world.db, None, world.approval, notify=rung.set)
    try:
        ann_id = world.approved()
        item = service.queue(ann_id, "amy")  # queued on the engine, which is not started: it waits
        assert [q["id"] for q in engine.snapshot()["main"]["queue"]] == [item]
        worker.unqueue(ann_id, "amy")
        assert rung.is_set()
        wait_state(world, ann_id, S.APPROVED)
        service.sync()
        assert engine.snapshot()["main"]["queue"] == []
        service.drain()
        assert service.on_air() == {}  # the cancel event came back through the station
        wait_state(world, ann_id, S.APPROVED)  # still approved: it can be queued again
    finally:
        engine.stop()
        service.stop()


def test_ring_reaches_the_doorbell_and_is_harmless_without_one(tmp_path):
    run = run_dir(tmp_path)
    assert ring(run) is False  # no service listening: nothing breaks, the service ticks anyway
    got: queue.SimpleQueue = queue.SimpleQueue()
    bell = Doorbell(run, got.put).start()
    try:
        assert ring(run, PAGING) is True and ring(run, STATION) is True and ring(run) is True
        assert [got.get(timeout=2) for _ in range(3)] == [PAGING, STATION, ALL]
    finally:
        bell.stop()
    assert not (run / "doorbell").exists()
    assert ring(run) is False


def test_a_ring_never_waits_for_a_busy_service(tmp_path):
    """A service too busy to read its doorbell must not hold up a desk's request: once the socket's
    queue is full, ring() gives up at once (the service's next tick does the work anyway)."""
    run = run_dir(tmp_path)
    bell = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # bound, never read: a stuck service
    bell.bind(str(run / "doorbell"))
    try:
        t0 = time.monotonic()
        answers = [ring(run, PAGING) for _ in range(5000)]
        assert time.monotonic() - t0 < 10  # a blocking send would hang here forever
        assert answers[0] is True and answers[-1] is False  # the queue filled up: rings were dropped
    finally:
        bell.close()


def test_remote_engine_sees_the_published_snapshot_and_a_stopped_or_stale_service(tmp_path):
    run = run_dir(tmp_path)
    remote = RemoteEngine(run)
    assert remote.snapshot() is None and remote.running is False  # no service yet
    engine = PlayoutEngine({"main": NullSink(realtime=True), "lobby": NullSink(realtime=True)}).start()
    publisher = SnapshotPublisher(run, engine.snapshot, interval=0.05).start()
    try:
        time.sleep(0.2)
        assert set(remote.snapshot()) == {"main", "lobby"}
        assert remote.snapshot() == json.loads(json.dumps(engine.snapshot()))
        assert remote.running is True
    finally:
        publisher.stop()
        engine.stop()
    assert remote.running is False  # the last snapshot says the service stopped
    data = json.loads((run / "now.json").read_text())
    data["running"] = True
    (run / "now.json").write_text(json.dumps(data))
    assert remote.running is True
    old = time.time() - 10
    os.utime(run / "now.json", (old, old))  # a service that died without a word
    assert remote.running is False


def test_queue_and_sync_at_the_same_moment_submit_once(world):
    """In one process the panel's queue() and the service tick's sync() can meet on the same item."""
    sink = NullSink(realtime=True)
    engine = PlayoutEngine({"main": sink})  # not started: items wait in the queue
    station = Station(world.db, engine, world.approval)
    ann_id = world.approved()
    verify = world.approval.verify_for_air

    def slow_verify(*a, **kw):
        time.sleep(0.05)
        return verify(*a, **kw)

    world.approval.verify_for_air = slow_verify
    start = threading.Barrier(2)
    queued = threading.Thread(target=lambda: (start.wait(), station.queue(ann_id, "amy")))
    queued.start()
    start.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not station.sync():  # sync as soon as the row says queued
        if engine.snapshot()["main"]["queue"]:
            break
    queued.join()
    assert len(engine.snapshot()["main"]["queue"]) == 1


def test_a_doorbell_that_cannot_bind_is_a_warning_not_a_failed_start(tmp_path, caplog):
    run = run_dir(tmp_path / ("v" * 120))  # AF_UNIX paths stop at 107 bytes
    bell = Doorbell(run, lambda: None).start()
    try:
        assert "no doorbell" in caplog.text
        assert ring(run) is False
    finally:
        bell.stop()
