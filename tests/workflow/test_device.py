"""A zone's output fails while announcements air: the player records one device_lost fault however often
the device fails, nothing starts while it is out (one started and one interrupted as-run row for what
was cut, not one per retry), the announcement airs in full once the device is back and the fault is
resolved. The devices: a sink that stops taking audio, and a WAV recording whose folder is deleted."""
from __future__ import annotations

import shutil
import threading
import time

import soundfile as sf
from sqlalchemy import select

from audio.sinks import DeviceLost, NullSink, WavFileSink
from broadcaster.onair.pieces import MediaSource
from broadcaster.onair.player import ZonePlayer
from broadcaster.service import register_areas
from broadcaster.store.models.onair import AiringState as A
from broadcaster.store.models.workflow import AnnouncementState as S, Fault, FaultState

from tests.conftest import BLOCK
from tests.workflow.conftest import aired_at


class Flaky(NullSink):
    """Opens, but fails every write while ``out`` is set (an amplifier that stopped answering)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.out = threading.Event()
        self.failures = 0

    def _write(self, block):
        if self.out.is_set():
            self.failures += 1
            raise DeviceLost("amplifier not answering")
        super()._write(block)


def player(db, tmp_path, sink):
    """A zone player over ``sink``, with short retries and a device counted healthy after 0.3 s."""
    register_areas()
    p = ZonePlayer(db, {"main": sink}, MediaSource(db, tmp_path / "media", tmp_path / "player-cache"),
                   name="test-player", poll_s=0.05)
    p.engine.retry_backoff, p.engine.healthy_s = (0.02, 0.32), 0.3
    return p


def faults(db):
    with db.session() as s:
        return list(s.scalars(select(Fault).where(Fault.kind == "device_lost")))


def wait(pred, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_outage_while_an_announcement_airs_is_one_fault_and_one_cut_attempt(world, db, tmp_path):
    sink = Flaky(keep=True, realtime=True)
    air = player(db, tmp_path, sink).start()
    try:
        ann_id = world.approved()
        world.station().queue(ann_id, "amy")
        world.wait_state(ann_id, S.AIRING)
        wait(lambda: len(sink.blocks) > 20, "some of it on air")
        sink.out.set()
        wait(lambda: faults(db), "the fault")
        time.sleep(1.5)  # the outage goes on; the engine keeps trying
        assert sink.failures >= 5
        [cut] = world.as_run(ann_id)  # during the outage: the cut attempt, and nothing started again
        assert cut.outcome == "interrupted" and "amplifier not answering" in cut.detail
        assert world.ann(ann_id).state is S.QUEUED and world.airings(ann_id)[0].state is A.QUEUED
        sink.out.clear()
        world.wait_state(ann_id, S.AIRED)
        wait(lambda: faults(db)[0].state is FaultState.RESOLVED, "the fault to clear")
    finally:
        air.stop()
    [fault] = faults(db)
    assert (fault.zone, fault.occurrences) == ("main", 1) and "amplifier not answering" in fault.message
    assert "device back" in fault.note
    assert [r.outcome for r in world.as_run(ann_id)] == ["interrupted", "completed"]
    [row] = world.airings(ann_id)
    assert (row.state, row.retries) == (A.DONE, 0) and world.ann(ann_id).retry_count == 0  # no retry spent
    assert world.history(ann_id)[-6:] == ["queued", "airing", "interrupted", "queued", "airing", "aired"]
    assert len(aired_at(sink.samples(), world.audio(ann_id))) == 1  # in full, once, after the outage


def test_a_wav_recording_whose_folder_is_deleted_is_a_lost_device(world, db, tmp_path):
    folder = tmp_path / "recordings"
    air = player(db, tmp_path, WavFileSink(folder / "main.wav")).start()
    try:
        first = world.approved()
        world.station().queue(first, "amy")
        world.wait_state(first, S.AIRED)
        shutil.rmtree(folder)  # on Linux the open file would take the audio without a word
        second = world.approved(title="Safety", texts={"en": "Please hold the handrail."})
        world.station().queue(second, "amy")
        [fault] = wait(lambda: faults(db), "the fault")
        assert fault.zone == "main" and "its folder was deleted" in fault.message
        wait(lambda: world.as_run(second) and world.as_run(second)[0].outcome == "interrupted", "the cut")
        time.sleep(0.5)  # the folder stays missing: not made again behind the staff's back, nothing starts
        assert not folder.exists() and len(world.as_run(second)) == 1
        folder.mkdir()
        world.wait_state(second, S.AIRED)
        wait(lambda: faults(db)[0].state is FaultState.RESOLVED, "the fault to clear")
    finally:
        air.stop()
    assert faults(db)[0].occurrences == 1
    assert [r.outcome for r in world.as_run(second)] == ["interrupted", "completed"]
    recorded, _ = sf.read(folder / "main.wav", dtype="int16")
    assert aired_at(recorded, world.audio(second)) == [BLOCK]  # after one block of silence proving the file
