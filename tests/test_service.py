"""The whole service in one process (as `broadcaster serve` runs it): its zone player on a paced sink that
keeps its samples, real TTS, real SQLite, the leader's duties. A desk page goes on air; a page written by
another process airs too; a lost device is a fault that clears itself when it is back; the background
music is always there and ducks under an announcement."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from sqlalchemy import select

from audio.sinks import DeviceLost
from broadcaster.onair import airings
from broadcaster.service import BroadcastService, build_sink
from broadcaster.store.db import Database
from broadcaster.store.models.onair import Airing, AiringState
from broadcaster.store.models.workflow import AsRun, Fault, FaultState

#: The venue has named no places in the panel: the desk gives the meeting point in Chinese too.
FOUND_AT = {"meeting_point": {"zh-CN": "游客中心"}}


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


def staff_and_templates(db) -> None:
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService
    from broadcaster.users import add_user

    with db.session() as s:
        add_user(s, "dora", "desk")
        add_user(s, "sam", "supervisor")
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")


def completed_page(db):
    with db.session() as s:
        row = s.scalar(select(AsRun).where(AsRun.ref.like("page:%")))
        return row if row is not None and row.outcome == "completed" else None


def test_first_run_creates_an_admin_once(service):
    created = service.first_run()
    assert created and created.startswith("admin / ")
    assert service.first_run() is None
    from broadcaster.paging.templates import TemplateService

    assert len(TemplateService(service.db).list()) >= 5  # default page templates, awaiting approval


def test_lost_child_page_airs_without_the_name(service):
    from broadcaster.cases.missing import CaseService
    from tests.desk.conftest import lost_child

    staff_and_templates(service.db)
    case = CaseService(service.db).open_case("dora", "missing", lost_child())
    service.start()
    page = service.paging.page_case(case.number, "dora")
    assert all("小明" not in t and "王小明" not in t for t in page.texts.values())

    row = wait(lambda: completed_page(service.db), 60, "the page to air")
    assert row.kind == "page" and row.priority >= 80
    assert row.approved_by == "sam"  # who approved the wording that aired: the template's approver
    out = service.engine.zones["main"].sink.samples()
    assert out.size > 48_000 * 3 and np.abs(out).max() > 3000  # chime and speech, not silence


def test_a_page_written_by_another_process_airs(service, tmp_path):
    """The desk CLI or a panel process writes the page and its airing with its own connections and no
    player: the service's player finds it (on SQLite by its short poll) and airs it."""
    from broadcaster.cases.missing import CaseDetails
    from broadcaster.paging.paging import PagingService
    from broadcaster.store.db import Database

    staff_and_templates(service.db)
    service.start()
    other = Database(str(service.db.engine.url), migrate=False)
    try:
        desk = PagingService.for_venue(other, None, service.settings, service.venue_zones)
        case, page, err = desk.open_and_page("dora", "found", CaseDetails(
            age=4, sex="girl", clothing="yellow dress", meeting_point="Visitor Centre", wording=FOUND_AT))
        assert err is None and page is not None
        main = service.engine.zones["main"]
        # found by the player's poll (how soon is measured in bench/onair.py, not asserted under a test's load)
        wait(lambda: main.current is not None and case.number in main.current.item.title, 10, "the page on air")

        def as_run():  # its as-run row, written by the service's player
            with service.db.session() as s:
                return s.scalar(select(AsRun).where(AsRun.ref == f"page:{page.id}"))
        row = wait(as_run, 5, "the as-run row")
        assert case.number in row.title and row.airing_id is not None
    finally:
        other.dispose()


def test_a_desk_page_wakes_the_player_once_it_is_committed(service):
    """The page and its airing are written in a savepoint of the trigger's transaction: the players are
    woken when the whole transaction commits, not when the savepoint is released (they would look, find
    nothing yet, and sleep). Here the player never polls (and no leader watches its heartbeat): only
    the wake-up can air the page."""
    from broadcaster.cases.missing import CaseDetails

    staff_and_templates(service.db)
    service.player.poll_s = 3600
    service.player.start()
    time.sleep(0.3)  # the player's first steps are over: it sleeps until woken
    case, page, err = service.paging.open_and_page("dora", "found", CaseDetails(
        age=4, sex="girl", clothing="yellow dress", meeting_point="Visitor Centre", wording=FOUND_AT))
    assert err is None
    main = service.engine.zones["main"]
    wait(lambda: main.current is not None and case.number in main.current.item.title, 5, "the page on air")


def test_signals_wait_for_the_outer_commit(service):
    fired = []
    service.db.signals.listen("test", lambda: fired.append(True))
    with service.db.session() as s:
        with s.begin_nested():
            service.db.signals.send(s, "test")
        assert fired == []  # a savepoint released is not a commit
    assert fired == [True]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_signal_for_some_zones_wakes_only_their_listeners(engine, tmp_path, request):
    """200 zone players on one database: an airing for the lobby wakes the lobby's player, not all of
    them; a signal without topics still wakes everyone."""
    if engine == "postgresql":
        db = request.getfixturevalue("pg_db")
        other = Database(db.url, migrate=False)  # another process's connection: NOTIFY, not memory
    else:
        db = other = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    woke = {"lobby": threading.Event(), "gate": threading.Event(), "any": threading.Event()}
    other.signals.listen("airings", woke["lobby"].set, ["lobby"])
    other.signals.listen("airings", woke["gate"].set, ["gate"])
    other.signals.listen("airings", woke["any"].set)
    time.sleep(1.0 if engine == "postgresql" else 0)  # LISTEN is up (its first round wakes everyone)
    for e in woke.values():
        e.clear()
    try:
        with db.session() as s:
            db.signals.send(s, "airings", ["lobby"])
        assert woke["lobby"].wait(5) and woke["any"].wait(5)
        time.sleep(0.3)
        assert not woke["gate"].is_set()
        with db.session() as s:
            db.signals.send(s, "airings")
        assert woke["gate"].wait(5)
    finally:
        if other is not db:
            other.dispose()


def test_device_loss_is_a_fault_that_resolves_when_the_device_is_back(service):
    service.start()
    sink = service.engine.zones["main"].sink
    with service.db.session() as s:  # something long on air, the way everything reaches it
        airings.request(s, airings.Request(key="test:long", ref="test:long", kind="announcement", title="long",
                                           zones=["main"], priority=50,
                                           pieces=[{"type": "silence", "seconds": 1.0},
                                                   {"type": "chime", "name": "announcement"}]),
                        service.db.signals)
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
        with svc.db.session() as s:
            airings.request(s, airings.Request(key="test:notice", ref="test:notice", kind="announcement",
                                               title="notice", zones=["main"], priority=50,
                                               pieces=[{"type": "silence", "seconds": 0.5},
                                                       {"type": "chime", "name": "announcement"}]),
                            svc.db.signals)
        wait(lambda: svc.engine.snapshot()["main"]["now"], 5, "the announcement")
        assert wait(lambda: svc.engine.snapshot()["main"]["music_gain"] == 0.25, 5, "ducking")
        with svc.db.session() as s:  # the music is stopped: the leader puts the programme back at once
            first = s.scalar(select(Airing.id).where(Airing.kind == "music", Airing.state == AiringState.AIRING))
            airings.cancel(s, snap["ref"], "stopped by staff", svc.db.signals)

        def again():
            with svc.db.session() as s:
                return s.scalar(select(Airing.id).where(Airing.kind == "music", Airing.id != first,
                                                        Airing.state == AiringState.AIRING))
        assert wait(again, 10, "the background programme again")
    finally:
        svc.stop()


def test_a_player_refuses_zones_it_cannot_air_and_stores_nothing(tmp_path, capsys):
    """`broadcaster player` with a zone it cannot air (no output named, 'remote', an unknown sink):
    one clear line, and no player announced in the database."""
    from sqlalchemy import func, select

    from broadcaster.cli import main
    from broadcaster.store.db import Database
    from broadcaster.store.models.onair import PlayerStatus

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for zone, says in (("lobby=remote", "'remote' means a player on another machine airs it"),
                       ("lobby=bogus", "unknown sink 'bogus'"), ("lobby", "should look like NAME=SINK")):
        assert main(["--db", url, "player", "--zone", zone]) == 1
        assert says in capsys.readouterr().err
    db = Database(url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PlayerStatus)) == 0
    db.dispose()
