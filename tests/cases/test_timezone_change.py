"""The venue's time zone changed in the panel (Setup -> Venue) numbers the case work by the new zone's
day at once, not after a restart (the Flask test client, real staff, SQLite, a manual clock)."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.cases.conftest import complaint_form
from tests.clock import ManualClock
from tests.web.conftest import Browser


def test_new_time_zone_numbers_complaints_and_incidents_by_its_day(make_app, staff):
    # 20:00 on 22 November in London is already 04:00 on the 23rd in Shanghai
    app = make_app(CLOCK=ManualClock(datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)))
    dora, ada = Browser(app, "dora"), Browser(app, "ada")
    first = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    assert first == "TS20261123-001"  # the venue's default zone: Asia/Shanghai
    resp = ada.post("/setup/venue", {"venue_name": "Riverside Museum", "timezone": "Europe/London",
                                     "lang_1": "en", "lang_2": "zh-CN", "session_idle_min": "30"})
    assert resp.status_code == 302
    number = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    assert number == "TS20261122-001"
    incident = dora.post("/cases/incidents/", {"place": "Gallery 3", "injury": "tripped on a step"})
    assert incident.headers["Location"].rsplit("/", 1)[1] == "YW20261122-001"
    page = dora.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert "22/11/2026, 20:00" in page or "22 Nov 2026" in page
