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
