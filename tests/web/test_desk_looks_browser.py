"""Chromium at 390 px, in Chinese (issue 11): the desk picks the height band and the hair from the urgent
form's lists (required fields first, the optional ones folded below them, no side scroll, touch-sized
lists), sees what will be said, pages, and the page airs saying them in Chinese and in Russian, each
language's text free of the other's script. Screenshots go to /tmp/pa-screenshots (docs/ with
PA_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from broadcaster.store.models.cases import PersonCase
from broadcaster.store.models.onair import Airing
from tests.desk.test_bilingual_pages import venue
from tests.desk.test_venue_looks import only_its_script
from tests.web.conftest import wait_js, wait_until
from tests.web.test_browser import CHROMIUM, chromium, login, shot  # noqa: F401 (fixture)
from tests.web.test_setup_browser import context, fill_required, no_side_scroll

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def server(make_app, approved_templates, player):
    from broadcaster.commands.serve import Panel

    venue("zh-CN", "ru")
    app = make_app(SSE_INTERVAL=0.2)
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), app
    panel.stop()


def test_the_desk_picks_height_and_hair_on_a_phone_and_the_page_airs_them_in_each_language(server, chromium):
    base, app = server
    desk = context(chromium, 390, "zh")
    desk.goto(f"{base}/lang/zh")
    login(desk, base, "dora")
    desk.goto(f"{base}/desk/")
    assert desk.locator("#required-fields #f-height_band").count() == 0  # optional: below the required ones
    fill_required(desk, "girl")
    desk.click("#optional-fields summary")
    desk.select_option("#f-height_band", label="约100-120厘米")  # the lists in the staff's language
    desk.select_option("#f-hair_look", label="长发扎马尾")
    for field in ("#f-height_band", "#f-hair_look"):
        assert desk.locator(field).bounding_box()["height"] >= 44
    assert no_side_scroll(desk)
    desk.click("#preview-page")  # what will be said, in each language, before it airs
    wait_js(desk, "document.querySelectorAll('#page-preview p.said').length === 2")
    preview = desk.inner_text("#page-preview")
    assert "身高约100-120厘米、长发扎马尾的女孩" in preview and "рост около 100–120 см" in preview, preview
    shot(desk, "desk-urgent-height-hair-zh-390")
    desk.click("#page-now")
    desk.wait_for_selector("#case-number")
    details = desk.inner_text("#case-details")
    assert "约100-120厘米" in details and "长发扎马尾" in details and "ponytail" not in details
    assert no_side_scroll(desk)
    with app.extensions["pa"].db.session() as s:
        assert [(c.height, c.hair) for c in s.query(PersonCase)] == [("100-120cm", "ponytail")]

    def aired():  # to its end: the chime and the speech of both languages
        with app.extensions["pa"].db.session() as s:
            row = s.query(Airing).filter(Airing.kind == "page").first()
            return row if row is not None and row.state.value == "done" else None

    row = wait_until(aired, timeout=120)
    parts = dict((lang, text) for lang, text in row.pieces[1]["parts"])
    assert list(parts) == ["zh-CN", "ru"]
    assert "一名约5岁、身高约100-120厘米、长发扎马尾的女孩" in parts["zh-CN"], parts
    assert "девочка, примерно 5 лет, рост около 100–120 см, с длинными волосами, собранными в хвост, в красной" \
           in parts["ru"], parts
    assert all(only_its_script(lang, text) for lang, text in parts.items()), parts
    desk.context.close()


def test_the_preview_shows_a_remarks_error_beside_its_language_and_stores_nothing(server, chromium):
    base, app = server
    desk = context(chromium, 390, "zh")
    desk.goto(f"{base}/lang/zh")
    login(desk, base, "dora")
    desk.goto(f"{base}/desk/")
    fill_required(desk, "girl")
    desk.click("#optional-fields summary")
    desk.fill("#f-remark_zh-CN", "手拿红色气球")  # the Russian remark left out
    desk.click("#optional-fields summary")  # folded again: the error opens it
    desk.click("#preview-page")
    wait_js(desk, "document.querySelector('label[for=\"f-remark_ru\"] .preview-error') !== null")
    assert desk.locator("#optional-fields").get_attribute("open") is not None
    assert desk.locator("label[for='f-remark_zh-CN'] .preview-error").count() == 0
    assert "每种语言" in desk.inner_text("label[for='f-remark_ru'] .preview-error")
    assert desk.locator("#page-preview p.said").count() == 0
    with app.extensions["pa"].db.session() as s:
        assert s.query(PersonCase).count() == 0
    desk.context.close()


def test_a_refused_edit_shows_its_errors_beside_the_fields_on_a_phone(server, chromium):
    base, app = server
    desk = context(chromium, 390, "zh")
    desk.goto(f"{base}/lang/zh")
    login(desk, base, "dora")
    desk.goto(f"{base}/desk/")
    fill_required(desk, "boy")
    desk.click("#page-now")
    desk.wait_for_selector("#case-number")
    desk.click("#edit-details summary")
    desk.fill("#edit-form #f-age", "abc")
    desk.fill("#edit-form #f-reporter_name", "李娜")
    desk.click("#edit-form button[type=submit]")
    desk.wait_for_selector("#edit-form #err-age")
    assert desk.locator("#edit-details").get_attribute("open") is not None
    assert desk.input_value("#edit-form #f-reporter_name") == "李娜"  # what was typed stays
    assert "reporter_name" not in desk.inner_text("main")
    assert no_side_scroll(desk)
    shot(desk, "desk-case-edit-refused-zh-390")
    with app.extensions["pa"].db.session() as s:
        assert [(c.age, c.reporter_name) for c in s.query(PersonCase)] == [(5, "王芳")]
    desk.context.close()
