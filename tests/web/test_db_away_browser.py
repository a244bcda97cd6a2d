"""In headless Chromium on a phone (390 px), in Chinese, the shared database away (real PostgreSQL
refusing connections): the open dashboard says it at the top through its live stream, a click on the
desk page gets the outage page (styled, no sideways scroll); when the database is back the dashboard's
notice goes by itself and the desk page opens. Screenshots: /tmp/pa-screenshots (docs/ on request)."""
from __future__ import annotations

import pytest

from tests.web.test_browser import CHROMIUM, chromium, login, server, shot  # noqa: F401 (fixtures)
from tests.web.test_db_away import INTERNAL, ZH, away, back
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def db(pg_db):
    return pg_db


def test_a_desk_worker_on_a_phone_is_told_the_database_is_away_and_what_to_do(server, phone, postgres_server):
    base, app = server
    server_url, _ = postgres_server
    db = app.extensions["pa"].db
    login(phone, base, "dora")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/")
    phone.locator("#live.ok").wait_for()
    away(db, server_url)
    try:
        notice = phone.locator("#db-away")
        notice.wait_for(state="visible", timeout=15_000)
        said = notice.inner_text()
        assert all(w in said for w in ZH) and not any(w in said for w in INTERNAL), said
        no_sideways_scroll(phone)
        shot(phone, "db-away-dashboard-zh-390")
        phone.goto(f"{base}/desk/")
        assert phone.inner_text("#error-title") == ZH[0]
        text = phone.inner_text("main")
        assert all(w in text for w in ZH) and not any(w in text for w in INTERNAL), text
        assert phone.evaluate("getComputedStyle(document.querySelector('.card')).borderRadius") == "8px"  # styled
        no_sideways_scroll(phone)
        shot(phone, "db-away-page-zh-390")
        phone.go_back()
    finally:
        back(db, server_url)
    phone.goto(f"{base}/")
    phone.locator("#live.ok").wait_for(timeout=15_000)
    assert phone.locator("#db-away").count() == 0
    phone.goto(f"{base}/desk/")
    assert phone.locator("#error-title").count() == 0 and phone.locator("form").count() > 0
