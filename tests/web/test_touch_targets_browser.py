"""Chromium at 390 px (a phone), in Chinese: every link and button a finger taps is at least 44 px tall,
the header's and the nav's links, the language switch, the setup steps, the case numbers in the lists,
the templates' "阅读并批准", and no page scrolls sideways."""
from __future__ import annotations

import pytest

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.missing import CaseDetails
from broadcaster.paging.defaults import seed_defaults
from tests.web.test_browser import CHROMIUM, chromium, login  # noqa: F401 (fixture)
from tests.web.test_setup_browser import context, no_side_scroll

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")

#: page -> the selectors of what is tapped there
TAPPED = {
    "/": ["header.top a", "header.top button"],
    "/setup/venue": ["#setup-steps a"],
    "/desk/cases": ["#cases td a"],
    "/cases/": ["#visits-due td a", ".case-tabs a"],
    "/cases/complaints/": ["main td a"],
    "/approvals/templates": ["#templates td a", "#templates td button"],
}


@pytest.fixture
def server(make_app, staff):
    from broadcaster.commands.serve import Panel

    seed_defaults(staff)  # pending: each has its "Read and approve"
    app = make_app()
    app.extensions["pa"].cases.open_case("dora", "missing", CaseDetails(
        age=5, sex="boy", clothing="red jacket", reporter_name="王芳", reporter_contact="13800000000"))
    pa = app.extensions["pa"]
    complaints = ComplaintService(pa.db, pa.clock, pa.tz)
    for _ in range(2):  # one open, one answered: its follow-up visit due on the board
        number = complaints.receive("dora", {"channel": "phone", "category": "facility",
                                             "matter": "No paper in the toilets"}).number
    complaints.answer(number, "dora", {"result": "Refilled"})
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/")
    panel.stop()


def test_every_tap_target_is_44_px_tall_at_390_px(server, chromium):
    base = server
    admin = context(chromium, 390, "zh")
    admin.goto(f"{base}/lang/zh")
    login(admin, base, "ada")
    small = []
    for path, selectors in TAPPED.items():
        admin.goto(f"{base}{path}")
        assert no_side_scroll(admin), path
        for selector in selectors:
            found = admin.locator(selector)
            assert found.count(), (path, selector)
            for i in range(found.count()):
                box = found.nth(i).bounding_box()
                if box and box["height"] < 44:
                    small.append((path, found.nth(i).inner_text(), round(box["height"])))
    assert small == [], small
