"""The dashboard's lists are kept between requests only while the database says nothing changed:
writes from another process (its own connection, as a panel worker or the CLI) show at once."""
from __future__ import annotations

from sqlalchemy import update

from broadcaster import logs
from broadcaster.board import Board
from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.store.db import Database
from broadcaster.store.models.workflow import Fault


def test_lists_are_kept_until_another_process_writes(staff, tmp_path):
    other = Database(str(staff.engine.url), migrate=False)  # another process: its own engine and connections
    cases = CaseService(staff)
    board = Board(staff, cases)
    try:
        faults, open_cases = board.lists()
        assert faults == [] and open_cases == []
        assert board.lists()[0] is faults  # nothing changed: the same list, not read again

        with other.session() as s:
            logs.raise_fault(s, "device_lost", "zone main: gone", zone="main")
        faults = board.open_faults()
        assert [f.kind for f in faults] == ["device_lost"]
        assert board.open_faults() is faults

        with other.session() as s:  # an acknowledgement is an update: seen too
            s.execute(update(Fault).values(note="checked the amplifier"))
        assert board.open_faults()[0].note == "checked the amplifier"

        case = CaseService(other).open_case("dora", "found", CaseDetails(age=4, clothing="red coat",
                                                                          meeting_point="Gate 2"))
        assert [c.number for c in board.open_cases()] == [case.number]
        with other.session() as s:
            s.execute(Fault.__table__.delete())
        assert board.open_faults() == []
    finally:
        other.dispose()


def test_postgres_triggers_count_changes_too(pg_db):
    from tests.web.conftest import FAST_HASH, STAFF
    from broadcaster.store.models.core import User

    with pg_db.session() as s:
        for name, role in STAFF:
            s.add(User(name=name, role=role, password_hash=FAST_HASH))
    board = Board(pg_db, CaseService(pg_db))
    before = board._versions()
    assert board.open_faults() == []
    with pg_db.session() as s:
        logs.raise_fault(s, "tts_down", "TTS engine gtts: unreachable")
    assert board._versions()["faults"] > before["faults"]
    assert [f.kind for f in board.open_faults()] == ["tts_down"]


def test_dashboard_lists_the_newest_30_open_cases_and_counts_the_rest(app, staff):
    from tests.web.conftest import Browser

    cases = CaseService(staff)
    numbers = [cases.open_case("dora", "found", CaseDetails(age=4, clothing="red coat", meeting_point="Gate 2")).number
               for _ in range(33)]
    html = Browser(app, "dora").get("/").get_data(as_text=True)
    listed = html[html.index('id="open-cases"'):html.index("</ul>", html.index('id="open-cases"'))]
    assert listed.count("<li>") == 30 and numbers[-1] in listed and numbers[0] not in listed
    assert 'id="more-cases">+3' in html and 'href="/desk/cases' in html
