"""A valuable item's announcement in the panel (issue: bilingual pages by construction): the desk reads
the text in every venue language before it airs; a value typed in one language only is refused beside
its field (nothing queued) and the desk picks it from the lists instead. Real SQLite, real panel."""
from __future__ import annotations

import re

import pytest

from broadcaster.store.models.cases import Page
from broadcaster.store.models.onair import Airing
from tests.desk.test_bilingual_pages import venue
from tests.web.conftest import Browser
from tests.web.test_desk_defects import text_of
from tests.web.test_desk_keeping import rows, zh

WALLET = {"category": "钱包", "colour": "黑色", "where_found": "旋转木马", "finder": "Li", "storage_place": "Safe",
          "valuable": "1"}


@pytest.fixture
def desk_app(make_app, approved_templates):
    venue("zh-CN", "en")
    return make_app()


def register(b: Browser, app, item: dict) -> str:
    assert b.post("/desk/lost", item).status_code == 302
    return app.extensions["pa"].lost.list()[0].number


def seen(html: str) -> str:
    return re.search(r'name="seen" value="([0-9a-f]+)"', html)[1]


def test_the_desk_reads_the_announcement_in_every_language_before_it_airs(desk_app):
    desk_app.config["I18N_MISSING"] = missing = set()
    dora = zh(desk_app, "dora")
    number = register(dora, desk_app, WALLET)
    assert 'href="/desk/lost/%s/announce"' % number in dora.get("/desk/lost").get_data(as_text=True)
    shown = dora.get(f"/desk/lost/{number}/announce").get_data(as_text=True)
    said = text_of(shown)
    assert "在旋转木马拾到黑色钱包" in said and "Lost property: a black wallet was found near Carousel." in said
    assert rows(desk_app, Page) == [] and rows(desk_app, Airing) == []  # shown, nothing queued
    picks = {"category": "wallet", "colour": "black", "where_found": "旋转木马"}
    assert dora.post(f"/desk/lost/{number}/announce", picks).status_code == 200  # not read: shown again
    assert rows(desk_app, Page) == []
    assert dora.post(f"/desk/lost/{number}/announce", picks | {"seen": seen(shown)}).status_code == 302
    [page] = rows(desk_app, Page)
    assert page.texts["en"].startswith("Lost property: a black wallet was found near Carousel.")
    assert missing == set()  # every word of these pages in the staff's language


def test_words_typed_in_one_language_are_refused_beside_their_fields_then_picked(desk_app):
    desk_app.config["I18N_MISSING"] = missing = set()
    dora = zh(desk_app, "dora")
    number = register(dora, desk_app, WALLET | {"category": "蓝牙耳机盒", "colour": "暗金色"})
    shown = dora.post(f"/desk/lost/{number}/announce", {"where_found": "旋转木马", "show": "1"})
    html = shown.get_data(as_text=True)
    assert html.count('class="field-error"') == 2 and 'id="err-category"' in html and 'id="err-colour"' in html
    assert "只说一种语言" in html and 'name="seen"' not in html
    assert rows(desk_app, Page) == [] and rows(desk_app, Airing) == []
    picks = {"category": "headphones", "colour": "navy", "where_found": "旋转木马"}
    html = dora.post(f"/desk/lost/{number}/announce", picks | {"show": "1"}).get_data(as_text=True)
    assert 'value="headphones" selected' in html
    assert dora.post(f"/desk/lost/{number}/announce", picks | {"seen": seen(html)}).status_code == 302
    [page] = rows(desk_app, Page)
    assert page.texts["zh-CN"].startswith("失物招领：有游客在旋转木马拾到深蓝色耳机") and missing == set()


def test_english_says_an_before_a_vowel_sound(desk_app):
    """"a {colour} {category}" with orange: "an orange umbrella", never "a orange umbrella"."""
    dora = Browser(desk_app, "dora")
    number = register(dora, desk_app, dict(WALLET, category="雨伞", colour="橙色"))
    picks = {"category": "umbrella", "colour": "orange", "where_found": "旋转木马", "show": "1"}
    said = text_of(dora.post(f"/desk/lost/{number}/announce", picks).get_data(as_text=True))
    assert "an orange umbrella" in said and "a orange" not in said
