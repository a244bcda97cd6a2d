"""Pages go to the venue's zones only: those in its settings and those a zone player has announced. A
page naming any other zone (or a paging service set up with one) is refused before anything is stored:
no case, no page, no airing nobody could hear."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from broadcaster.errors import ValidationError
from broadcaster.paging.paging import PagingService
from broadcaster.settings import VenueSettings
from broadcaster.store.models.cases import CaseEvent, Page, PersonCase
from broadcaster.store.models.onair import Airing
from tests.desk.conftest import airings, as_run, fast_player, lost_child, states


def _counts(db):
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (PersonCase, Page, CaseEvent, Airing))


def test_a_paging_service_with_an_unknown_zone_stores_nothing(templates, cases, clock, staff):
    paging = PagingService(templates.db, clock, zones=("main", "carpark"))  # the venue has only "main"
    before = _counts(staff)
    with pytest.raises(ValidationError, match="unknown zone.*carpark"):
        paging.open_and_page("dora", "missing", lost_child())
    assert _counts(staff) == before  # not even the case: the desk is told at once, nothing half-done
    case = cases.open_case("dora", "missing", lost_child())
    before = _counts(staff)
    with pytest.raises(ValidationError, match="carpark"):
        paging.page_case(case.number, "dora")
    assert _counts(staff) == before and cases.get(case.number).state.value == "open"


def test_a_page_naming_an_unknown_zone_stores_nothing(paging, cases, staff):
    before = _counts(staff)
    with pytest.raises(ValidationError, match="carpark"):
        paging.open_and_page("dora", "missing", lost_child(), zones=["carpark"])
    case = cases.open_case("dora", "missing", lost_child())
    with pytest.raises(ValidationError, match="carpark"):
        paging.page_case(case.number, "dora", zones=["main", "carpark"])
    assert _counts(staff) == (before[0] + 1, before[1], before[2] + 1, before[3])  # only the case opened here
    page = paging.page_case(case.number, "dora", zones=["main"])
    assert [a.zone for a in airings(staff)] == ["main"] and page.zones == "main"


def test_a_zone_announced_by_a_player_is_paged_and_airs(templates, cases, clock, staff, tmp_path):
    paging = PagingService(templates.db, clock, zones=("lobby",))
    with pytest.raises(ValidationError, match="lobby"):
        paging.open_and_page("dora", "missing", lost_child())
    air = fast_player(staff, tmp_path, clock, name="lobby-player", zones=("lobby",)).start()
    try:  # the lobby's player has announced its zone: now the venue has a lobby
        case, page, err = paging.open_and_page("dora", "missing", lost_child())
        air.wait(lambda: states(staff, f"page:{page.id}") == ["done"], 60, "the page to air in the lobby")
    finally:
        air.stop()
    assert [(r.zone, r.outcome) for r in as_run(staff)] == [("lobby", "completed")]
    assert len(air.samples("lobby")) > 0


def test_for_venue_pages_every_zone_of_the_venue(templates, clock, staff):
    settings = VenueSettings(zones={"main": "device", "lobby": "device:2"}, page_interval_min=2)
    paging = PagingService.for_venue(templates.db, clock, settings)
    case, page, err = paging.open_and_page("dora", "missing", lost_child())
    assert (page.zones, page.interval_s) == ("main,lobby", 120)
    assert sorted(a.zone for a in airings(staff)) == ["lobby", "main"]
    assert paging.open_and_page("dora", "missing", lost_child(), zones=["lobby"])[1].zones == "lobby"
    with pytest.raises(ValidationError, match="gate"):
        paging.open_and_page("dora", "missing", lost_child(), zones=["gate"])


def test_a_repeat_for_a_zone_the_venue_removed_airs_in_its_zones_now(templates, clock, staff):
    """The lobby removed while its page is on: the repeat queued there (no player plays the lobby any more)
    is taken off the queue instead of waiting for ever, which held back every later repeat of the page, and
    the next repeat goes to the venue's zones now."""
    settings = VenueSettings(zones={"main": "device", "lobby": "device:2"}, page_interval_min=2)
    paging = PagingService.for_venue(templates.db, clock, settings)
    case, page, err = paging.open_and_page("dora", "missing", lost_child(), zones=["lobby"])
    assert err is None and [(a.zone, a.state.value) for a in airings(staff)] == [("lobby", "queued")]
    paging.adopt(VenueSettings(zones={"main": "device"}, page_interval_min=2), venue_zones=["main"])
    clock.advance(121)
    assert paging.tick().queued == [page.id]
    assert [(a.zone, a.state.value) for a in airings(staff)] == [("lobby", "cancelled"), ("main", "queued")]
    with staff.session() as s:  # the timeline's "page started" names the zone it airs in
        assert s.get(Page, page.id).zones == "main"
