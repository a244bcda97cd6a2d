"""The dashboard's lists are read from the database on every request: a write by another process (its
own connection: the desk CLI, a panel process on another machine) shows on the next request."""
from __future__ import annotations

from sqlalchemy import update

from broadcaster import logs
from broadcaster.board import page_airings
from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.onair import airings
from broadcaster.store.db import Database
from broadcaster.store.models.onair import Airing, AiringState
from broadcaster.store.models.workflow import Fault
from tests.web.conftest import Browser
from tests.web.test_fault_words import faults_said


def test_a_write_from_another_process_shows_on_the_next_dashboard_request(app, staff):
    other = Database(str(staff.engine.url), migrate=False)  # another process: its own engine and connections
    dora = Browser(app, "dora")
    try:
        html = dora.get("/").get_data(as_text=True)
        assert "No open faults" in html and "No open cases" in html

        with other.session() as s:
            logs.raise_fault(s, "device_lost", "zone main: amplifier unplugged", zone="main")
        [(head, detail, outside)] = faults_said(dora.get("/").get_data(as_text=True))
        assert head.startswith("The sound device cannot be used")  # the staff's sentence, the device's folded
        assert "amplifier unplugged" in detail and "amplifier unplugged" not in outside

        with other.session() as s:  # an update (a note on the fault) shows too
            s.execute(update(Fault).values(message="zone main: amplifier checked"))
        html = dora.get("/").get_data(as_text=True)
        assert "amplifier checked" in faults_said(html)[0][1] and "amplifier unplugged" not in html

        case = CaseService(other).open_case("dora", "found", CaseDetails(age=4, clothing="red coat",
                                                                          meeting_point="Gate 2"))
        listed = dora.get("/").get_data(as_text=True)
        assert case.number in listed[listed.index('id="open-cases"'):]

        with other.session() as s:
            s.execute(Fault.__table__.delete())
        assert "No open faults" in dora.get("/").get_data(as_text=True)
    finally:
        other.dispose()


def test_page_airings_say_what_the_airing_rows_say(staff):
    """Only a completed airing counts as aired; a queued one is queued (per zone, the latest wins)."""
    with staff.session() as s:
        for n in (1, 2):
            airings.request(s, airings.Request(key=f"page:7:{n}", ref="page:7", kind="page", title="Page 7",
                                               zones=["main", "lobby"], priority=80,
                                               pieces=[{"type": "chime", "name": "urgent_page"}]))
        s.flush()
        s.execute(update(Airing).where(Airing.key == "page:7:1@main").values(state=AiringState.DONE))
        s.execute(update(Airing).where(Airing.key == "page:7:1@lobby").values(state=AiringState.FAILED))
    got = page_airings(staff, [7, 8])
    assert got[7] == {"zones": {"main": "queued", "lobby": "queued"}, "aired": 1}
    assert got[8] == {"zones": {}, "aired": 0}
    with staff.session() as s:
        s.execute(update(Airing).where(Airing.key == "page:7:2@main").values(state=AiringState.AIRING))
    assert page_airings(staff, [7])[7]["zones"] == {"main": "airing", "lobby": "queued"}


def test_dashboard_lists_the_newest_30_open_cases_and_counts_the_rest(app, staff):
    cases = CaseService(staff)
    numbers = [cases.open_case("dora", "found", CaseDetails(age=4, clothing="red coat", meeting_point="Gate 2")).number
               for _ in range(33)]
    html = Browser(app, "dora").get("/").get_data(as_text=True)
    listed = html[html.index('id="open-cases"'):html.index("</ul>", html.index('id="open-cases"'))]
    assert listed.count("<li") == 30 and numbers[-1] in listed and numbers[0] not in listed
    assert 'id="more-cases">+3' in html and 'href="/desk/cases' in html
