"""The whole service in one process (as `broadcaster serve` runs it): real engine on a paced sink, real
TTS, real SQLite. A desk page goes on air; a lost device is a fault that clears itself when it is back."""
from __future__ import annotations

import time

import numpy as np
import pytest
from sqlalchemy import select

from audio.pcm import Pcm
from audio.sinks import DeviceLost
from broadcaster.store.models.workflow import AsRun, Fault, FaultState
from broadcaster.onair.engine import PlayoutItem
from broadcaster.service import BroadcastService, build_sink


def wait(pred, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def service(tmp_path, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    svc = BroadcastService(db_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}", zones={"main": "null"},
                           scheduler=False, tick_s=0.1)
    svc.engine.zones["main"].sink.keep = True
    svc.engine.retry_backoff = (0.05, 0.2)
    yield svc
    svc.stop()


def test_first_run_creates_an_admin_once(service):
    created = service.first_run()
    assert created and created.startswith("admin / ")
    assert service.first_run() is None
    from broadcaster.paging.templates import TemplateService

    assert len(TemplateService(service.db).list()) >= 5  # default page templates, awaiting approval


def test_lost_child_page_airs_without_the_name(service):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.cases.missing import CaseDetails, CaseService
    from broadcaster.paging.templates import TemplateService
    from broadcaster.users import add_user

    with service.db.session() as s:
        add_user(s, "dora", "desk")
        add_user(s, "sam", "supervisor")
    templates = TemplateService(service.db)
    for tpl in seed_defaults(service.db):
        templates.approve(tpl.id, "sam")
    case = CaseService(service.db).open_case("dora", "missing", CaseDetails(
        person_name="王小明", age=5, sex="boy", clothing="red jacket", shoes="white sneakers",
        last_seen_place="Carousel", meeting_point="Visitor Centre", reporter_name="王芳",
        reporter_contact="13800000000"))
    service.start()
    page = service.paging.page_case(case.number, "dora")
    assert all("小明" not in t and "王小明" not in t for t in page.texts.values())

    def aired():
        with service.db.session() as s:
            row = s.scalar(select(AsRun).where(AsRun.ref.like("page:%")))
            return row if row is not None and row.outcome == "completed" else None

    row = wait(aired, 60, "the page to air")
    assert row.kind == "page" and row.priority >= 80
    out = service.engine.zones["main"].sink.samples()
    assert out.size > 48_000 * 3 and np.abs(out).max() > 3000  # chime and speech, not silence


def test_device_loss_is_a_fault_that_resolves_when_the_device_is_back(service):
    service.start()
    sink = service.engine.zones["main"].sink
    service.engine.submit(PlayoutItem(50, "long", [Pcm(np.full(48_000, 0.1, np.float32))]))
    wait(lambda: sink.blocks, 10, "audio")
    sink.fail_next = DeviceLost("PA amplifier unplugged")

    def fault():
        with service.db.session() as s:
            f = s.scalar(select(Fault).where(Fault.kind == "device_lost"))
            return f if f is not None and f.state is FaultState.RESOLVED else None

    f = wait(fault, 20, "the fault to be raised and resolved")
    assert "unplugged" in f.message and f.zone == "main" and "device back" in f.note
    assert f.acknowledged_at is None  # staff still acknowledge it on the dashboard


def test_sinks_for_zones(tmp_path):
    assert build_sink("main", "null", tmp_path).name == "null"
    assert build_sink("main", f"wav:{tmp_path}/x.wav", tmp_path).name.startswith("wav:")
    assert build_sink("lobby", "device:7", tmp_path).name == "device:7"
    from broadcaster.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown sink"):
        build_sink("main", "speaker", tmp_path)


def test_background_music_fills_silence_and_ducks_under_an_announcement(tmp_path, monkeypatch):
    import soundfile as sf

    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService

    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    t = np.arange(48_000 * 2) / 48_000
    for i, f in enumerate((330, 440)):
        sf.write(tmp_path / f"track{i}.wav", (0.3 * np.sin(2 * np.pi * f * t)).astype(np.float32), 48_000)
    svc = BroadcastService(db_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}", zones={"main": "null"}, tick_s=0.1)
    svc.engine.zones["main"].sink.keep = True
    programmes = ProgrammeService(svc.db)
    (tmp_path / "lobby.m3u").write_text("track0.wav\ntrack1.wav\n")
    programmes.import_playlist(tmp_path / "lobby.m3u", "Lobby")
    programmes.create_programme("Background", [ItemSpec("playlist", playlist="Lobby")], background=True)
    svc.start()
    try:
        snap = wait(lambda: svc.engine.snapshot()["main"]["music"], 10, "background music")
        assert snap["title"] == "Background" and snap["kind"] == "music"
        svc.engine.submit(PlayoutItem(50, "notice", [Pcm(np.full(24_000, 0.2, np.float32))]))
        wait(lambda: svc.engine.snapshot()["main"]["now"], 5, "the announcement")
        assert wait(lambda: svc.engine.snapshot()["main"]["music_gain"] == 0.25, 5, "ducking")
        first = svc.engine.snapshot()["main"]["music"]["id"]
        svc.engine.cancel(first)  # the music ends (or is stopped): the service puts it back at once
        again = wait(lambda: (svc.engine.snapshot()["main"]["music"] or {}).get("id", first) != first, 5,
                     "the background programme again")
        assert again
    finally:
        svc.stop()


def test_rings_do_only_the_work_they_ask_for_and_the_whole_tick_still_runs(tmp_path, monkeypatch):
    """A page stored by another process (a panel worker: no engine, rings PAGING) is on the engine at
    once, without the escalation check, station sync, TTS check and music bed of a whole tick; a ring
    for everything runs the whole tick."""
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.cases.missing import CaseDetails
    from broadcaster.paging.paging import PagingService
    from broadcaster.paging.templates import TemplateService
    from broadcaster.control import ALL, PAGING, ring
    from broadcaster.users import add_user

    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    svc = BroadcastService(db_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}", zones={"main": "null"},
                           scheduler=False, tick_s=3600)  # one whole tick at start, then only rings
    calls: list[str] = []
    for name, obj in (("tick", svc.paging), ("air", svc.paging), ("sync", svc.station), ("_keep_music", svc)):
        real = getattr(obj, name)
        monkeypatch.setattr(obj, name, lambda real=real, name=name: (calls.append(name), real())[1])
    with svc.db.session() as s:
        add_user(s, "dora", "desk")
        add_user(s, "sam", "supervisor")
    for tpl in seed_defaults(svc.db):
        TemplateService(svc.db).approve(tpl.id, "sam")
    svc.start()
    try:
        wait(lambda: "_keep_music" in calls, 10, "the first whole tick")
        calls.clear()
        worker = PagingService(svc.db, notify=lambda: ring(svc.run, PAGING))
        found = CaseDetails(age=4, sex="girl", clothing="yellow dress", meeting_point="Visitor Centre")
        case, page, err = worker.open_and_page("dora", "found", found)
        assert err is None and page.playout_item_id is None  # stored only: the worker has no engine
        main = svc.engine.zones["main"]
        wait(lambda: main.current is not None or main.fg_queue, 10, "the page on the engine")
        assert calls == ["air"]
        ring(svc.run, ALL)
        wait(lambda: "_keep_music" in calls, 10, "the whole tick a ring for everything asks for")
        assert calls[1:] == ["tick", "sync", "_keep_music"]
    finally:
        svc.stop()


def test_a_burst_of_rings_shares_ticks_and_a_lone_ring_is_answered_at_once(tmp_path, monkeypatch):
    """Rings that come in while the paging part of a tick runs (a crowd of desks) are answered
    together, a few ticks for many rings; a ring after a quiet spell does not wait for company."""
    from broadcaster import service as service_module
    from broadcaster.control import PAGING, ring

    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    svc = BroadcastService(db_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}", zones={"main": "null"},
                           scheduler=False, tick_s=3600)
    airs: list[float] = []
    real_air = svc.paging.air

    def slow_air():
        airs.append(time.monotonic())
        time.sleep(0.003)  # queueing a few pages
        return real_air()

    monkeypatch.setattr(svc.paging, "air", slow_air)
    svc.start()
    try:
        time.sleep(0.3)  # the first whole tick is over
        rung_at = time.monotonic()
        assert ring(svc.run, PAGING)
        wait(lambda: airs, 5, "the lone ring's tick")
        assert airs[0] - rung_at < service_module.RING_GAP_S  # at once, not after a gap
        time.sleep(0.2)
        airs.clear()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:  # a crowd of desks: a ring every millisecond for 0.3 s
            ring(svc.run, PAGING)
            time.sleep(0.001)
        time.sleep(0.1)
        # back to back, 3 ms ticks would be about a hundred; sharing, about one per RING_GAP_S
        assert 3 <= len(airs) <= 0.3 / service_module.RING_GAP_S + 4
    finally:
        svc.stop()
