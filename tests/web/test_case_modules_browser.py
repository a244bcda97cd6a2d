"""Chromium, as desk staff use the case modules (zh and en, 1280 and 390 px), against the panel served as
`broadcaster serve` serves it, on a manual clock in the venue's time zone (Asia/Shanghai): what is stored
(rows, numbers, the monthly report) and what the screen says."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from broadcaster.cases.report import monthly_report
from broadcaster.store.models.cases import LostItem
from tests.clock import ManualClock
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, chromium, shot  # noqa: F401 (fixture)
from tests.web.test_setup_browser import context, no_side_scroll

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: 09:00 on 1 December in the venue: the desk registers what was handed in overnight
MORNING = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def server(make_app, approved_templates):
    from broadcaster.commands.serve import Panel

    clock = ManualClock(MORNING)
    app = make_app(CLOCK=clock, VENUE_TZ=SHANGHAI)
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), app
    panel.stop()


def staff_page(chromium, base, width, lang, user="dora"):
    pg = context(chromium, width, lang)
    pg.goto(f"{base}/login")
    pg.fill("input[name=username]", user)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("#login-form button[type=submit]")
    pg.wait_for_url(f"{base}/")
    pg.goto(f"{base}/lang/{lang}")
    return pg


def items(app) -> list[LostItem]:
    with app.extensions["pa"].db.session() as s:
        return list(s.scalars(select(LostItem)))


@pytest.mark.parametrize("width,lang", [(390, "zh"), (1280, "en")])
def test_item_found_last_night_is_numbered_and_counted_on_that_day(server, chromium, width, lang):
    """A cleaner hands in at 09:00 on 1 December a wallet found at 22:00 on 30 November: the desk gives
    the day and time it was found, so it is numbered on the 30th and counted in November's report. A
    refused form keeps what was typed (the valuable tick too) and stores nothing."""
    base, app = server
    pg = staff_page(chromium, base, width, lang)
    pg.goto(f"{base}/desk/lost")
    pg.fill("#f-category", "钱包")
    pg.fill("#f-where_found", "旋转木马")
    pg.fill("#f-storage_place", "A柜")
    pg.fill("#f-found_at", "2026-11-30T22:00")  # a time-only field cannot take a day: playwright refuses it
    pg.check("input[name=valuable]")
    pg.click("#lost-form button[type=submit]")  # the finder is missing
    assert pg.locator("#err-finder").count() == 1 and items(app) == []
    assert pg.input_value("#f-found_at") == "2026-11-30T22:00" and pg.is_checked("input[name=valuable]")
    assert no_side_scroll(pg)
    shot(pg, f"lost-refused-{lang}-{width}")
    pg.fill("#f-finder", "保洁员张三")
    pg.click("#lost-form button[type=submit]")
    pg.wait_for_selector("#lost tbody tr")
    [item] = items(app)
    assert item.number == "L20261130-001" and item.valuable
    assert item.found_at.astimezone(SHANGHAI) == datetime(2026, 11, 30, 22, 0, tzinfo=SHANGHAI)
    assert "L20261130-001" in pg.locator("#lost").inner_text() and no_side_scroll(pg)
    db = app.extensions["pa"].db
    assert monthly_report(db, 2026, 11, SHANGHAI)["kinds"]["lost_item"]["count"] == 1
    assert monthly_report(db, 2026, 12, SHANGHAI)["kinds"]["lost_item"]["count"] == 0
    pg.goto(f"{base}/cases/report/?month=2026-11")
    assert no_side_scroll(pg)
    shot(pg, f"report-lost-{lang}-{width}")
    pg.context.close()


def test_hand_over_without_signature_is_refused_beside_the_box_and_stays_claimed(server, chromium):
    """The owner is at the desk, the witness box left empty: the list says so beside that item's box (not
    an error page), the item stays claimed; signed, it is handed over."""
    base, app = server
    lost = app.extensions["pa"].lost
    item = lost.register("dora", category="雨伞", where_found="大门", finder="李", storage_place="三号架")
    lost.claim(item.number, "dora", owner_name="王五", owner_identity="身份证 1234", verification_note="说出颜色")
    pg = staff_page(chromium, base, 390, "zh")
    pg.goto(f"{base}/desk/lost")
    form = pg.locator(".handover-form")
    assert "签名/见证人" in form.inner_text() and form.locator(".req").count() == 1  # labelled, marked required
    form.locator("button").click()
    err = pg.locator(f"#err-{item.number}-signature")
    assert err.inner_text() == "必填" and pg.locator("#lost").count() == 1 and no_side_scroll(pg)
    assert lost.get(item.number).state.value == "claimed"
    assert pg.locator(".handover-form button").bounding_box()["height"] >= 44
    shot(pg, "lost-handover-refused-zh-390")
    pg.fill(f"#f-{item.number}-signature", "王五")
    pg.locator(".handover-form button").click()
    pg.wait_for_selector("#lost")
    stored = lost.get(item.number)
    assert stored.state.value == "handed_over" and stored.claim.signature == "王五"
    assert "已交还" in pg.locator("#lost").inner_text()
    pg.context.close()
