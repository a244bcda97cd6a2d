"""A panel process adopts the venue settings another process saved (another machine's panel, on the
same database) at its next request: what it shows and how it pages. The stores: tests/test_venue_settings.py."""
from __future__ import annotations

from datetime import timedelta

from broadcaster.settings import save_settings
from broadcaster.store.db import Database
from tests.web.conftest import Browser


def test_another_panel_process_shows_a_change_saved_elsewhere_at_its_next_request(staff, make_app):
    panel_b = Database(staff.url, migrate=False)  # machine B's panel process
    try:
        app = make_app(DATABASE=panel_b)
        ada = Browser(app, "ada")
        assert "Harbour Park" not in ada.get("/setup/venue").get_data(as_text=True)
        save_settings({"venue_name": "Harbour Park", "page_interval_min": 2.0}, staff)  # machine A's panel
        assert 'value="Harbour Park"' in ada.get("/setup/venue").get_data(as_text=True)
        svc = app.extensions["pa"]
        assert svc.settings.page_interval_min == 2.0 and svc.paging.interval == timedelta(minutes=2)
    finally:
        panel_b.dispose()


def test_a_panel_process_pages_the_venues_zones_as_saved_elsewhere(staff, make_app, approved_templates):
    """The zones changed on another machine's panel: this panel's next page goes to the zones the venue has
    now, and a page or announcement for a zone removed is refused when written (nothing stored)."""
    import pytest
    from sqlalchemy import func, select

    from broadcaster.errors import ValidationError
    from broadcaster.store.models.onair import Airing
    from tests.desk.conftest import lost_child

    panel_b = Database(staff.url, migrate=False)
    try:
        app = make_app(DATABASE=panel_b)
        ada = Browser(app, "ada")
        svc = app.extensions["pa"]
        assert svc.venue_zones == ("main",)
        save_settings({"zones": {"gate": "remote", "lobby": "remote"}}, staff)  # machine A's panel
        ada.get("/setup/venue")
        assert svc.venue_zones == svc.station.venue_zones == svc.paging.venue_zones == ("gate", "lobby")
        _, page, err = svc.paging.open_and_page("dora", "missing", lost_child())
        assert err is None and sorted(page.zones.split(",")) == ["gate", "lobby"]
        with staff.session() as s:
            stored = s.scalar(select(func.count()).select_from(Airing))
        with pytest.raises(ValidationError, match="unknown zone"):
            svc.paging.open_and_page("dora", "missing", lost_child(), zones=["main"])
        with staff.session() as s:
            assert s.scalar(select(func.count()).select_from(Airing)) == stored
    finally:
        panel_b.dispose()


def test_a_zone_waiting_for_a_restart_is_said_in_staff_words(make_app):
    from types import SimpleNamespace

    from broadcaster.service import ZONE_RESTART
    from web.faultwords import fault_words

    app = make_app()
    fault = SimpleNamespace(kind="other", message=f"zone hall: {ZONE_RESTART}", ref="zone-restart:hall", zone="hall",
                            raised_at=None)
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        words = fault_words(fault)
    assert "重新启动" in words.headline and "hall" not in words.headline
