"""Chromium at 390 px, in Chinese (issue 11): a supervisor records a lost item's disposal and adds a
colour to the desk's lists; every error at once beside its field, no side scroll, touch-sized buttons.
Screenshots go to docs/screenshots/."""
from __future__ import annotations

from datetime import timedelta

import pytest

from broadcaster.settings import save_settings
from broadcaster.store.models.keeping import LostItemDisposal, VenueWord
from tests.web.test_browser import CHROMIUM, chromium, shot  # noqa: F401 (fixture)

from tests.web.test_setup_browser import context, no_side_scroll
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def server(make_app, approved_templates):
    from broadcaster.commands.serve import Panel

    save_settings({"languages": ["zh-CN", "ru"]})
    app = make_app()
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), app
    panel.stop()


def rows(app, model):
    with app.extensions["pa"].db.session() as s:
        return list(s.query(model))


def test_disposal_and_word_lists_on_a_phone_in_chinese(server, chromium):
    base, app = server
    lost = app.extensions["pa"].lost
    item = lost.register("dora", category="雨伞", where_found="大门", finder="李", storage_place="三号架",
                         found_at=app.extensions["pa"].clock.now() - timedelta(days=45))
    pg = context(chromium, 390, "zh")
    pg.goto(f"{base}/lang/zh")
    pg.goto(f"{base}/login")
    pg.fill("input[name=username]", "sam")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("#login-form button[type=submit]")
    pg.wait_for_url(f"{base}/")
    pg.goto(f"{base}/desk/lost/disposal")
    assert pg.locator("#due").inner_text().count(item.number) == 1 and no_side_scroll(pg)
    shot(pg, "lost-due-zh-390")
    pg.click(f"#due a:has-text('{item.number}')")
    pg.click("#dispose-form button[type=submit]")  # nothing chosen: every error at once, beside its field
    assert pg.locator("#err-method").count() == 1 and pg.locator("#err-handled_by").count() == 1
    assert no_side_scroll(pg) and rows(app, LostItemDisposal) == []
    assert pg.locator("#dispose-form button[type=submit]").bounding_box()["height"] >= 44
    shot(pg, "lost-disposal-errors-zh-390")
    pg.select_option("#f-method", "police")
    pg.fill("#f-handled_by", "王警官 警号 1234")
    pg.click("#dispose-form button[type=submit]")
    pg.wait_for_selector("#disposal-method")
    assert pg.locator("#disposal-method").inner_text() == "交公安机关" and no_side_scroll(pg)
    shot(pg, "lost-disposed-zh-390")
    assert [r.handled_by for r in rows(app, LostItemDisposal)] == ["王警官 警号 1234"]

    pg.goto(f"{base}/vocabulary/")
    pg.fill("input[name='name_zh-CN']", "青绿色")
    pg.fill("#f-ru_m", "бирюзовом")
    pg.click("#colour-form button[type=submit]")
    assert pg.locator("#err-ru_f").count() == 1 and pg.locator("#err-ru_pl").count() == 1
    assert no_side_scroll(pg) and rows(app, VenueWord) == []
    shot(pg, "vocabulary-errors-zh-390")
    pg.fill("#f-ru_f", "бирюзовой")
    pg.fill("#f-ru_pl", "бирюзовых")
    pg.click("#colour-form button[type=submit]")
    pg.wait_for_selector("#words")
    assert "青绿色" in pg.locator("#words").inner_text() and no_side_scroll(pg)
    shot(pg, "vocabulary-zh-390")
    assert [w.names for w in rows(app, VenueWord)] == [{"zh-CN": "青绿色", "ru": "бирюзовом"}]
