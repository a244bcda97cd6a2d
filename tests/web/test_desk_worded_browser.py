"""In headless Chromium on a phone (390 px), in Chinese: a venue that has named no places in the panel asks
each place once per page language, in staff words (最后出现地点（中文） / 最后出现地点（英语）); a place typed
in English only is refused beside the Chinese box and nothing is stored; typed in both, the page's Chinese
says only the Chinese words and its English only the English. Screenshot: docs/screenshots with
PA_SCREENSHOTS=1, else /tmp/pa-screenshots."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from broadcaster.store.models.cases import Page, PersonCase
from tests.web.test_browser import CHROMIUM, chromium, login, server, shot  # noqa: F401 (fixtures)
from tests.web.test_programmes_browser import no_sideways_scroll, phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
LATIN, CJK = re.compile(r"[A-Za-z]"), re.compile(r"[\u3400-\u9fff]")


def counts(app) -> tuple[int, int]:
    with app.extensions["pa"].db.session() as s:
        return s.scalar(select(func.count()).select_from(PersonCase)), s.scalar(select(func.count()).select_from(Page))


def test_a_place_is_typed_in_each_language_and_refused_beside_the_one_it_lacks_on_a_phone(server, phone):
    base, app = server
    login(phone, base, "dora")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/desk/")
    for box, label in (("last_seen_place_zh-CN", "最后出现地点（中文）"), ("last_seen_place_en", "最后出现地点（英语）"),
                       ("meeting_point_zh-CN", "会合地点（中文）"), ("meeting_point_en", "会合地点（英语）")):
        said = phone.locator(f"label[for='f-{box}']")
        assert said.is_visible() and said.inner_text().startswith(label) and "*" in said.inner_text()
    for box, value in {"age": "5", "last_seen_place_en": "Ferris wheel", "meeting_point_zh-CN": "游客中心",
                       "meeting_point_en": "Visitor Centre", "reporter_name": "王芳",
                       "reporter_contact": "13800000000"}.items():
        phone.fill(f"#f-{box}", value)
    for pick, value in {"sex": "boy", "top_colour": "yellow", "top": "jacket", "shoes_colour": "white",
                        "shoes_type": "sneakers"}.items():
        phone.select_option(f"#f-{pick}", value)
    phone.click("#page-now")
    phone.wait_for_selector("#form-error")
    beside = phone.locator("#err-last_seen_place_zh-CN")
    assert beside.is_visible() and beside.inner_text().startswith("请也用这种语言填写")
    assert phone.locator("#err-last_seen_place_en").count() == 0
    assert phone.input_value("#f-last_seen_place_en") == "Ferris wheel"  # what was typed is kept
    assert counts(app) == (0, 0)
    no_sideways_scroll(phone)
    beside.scroll_into_view_if_needed()
    shot(phone, "desk-urgent-place-in-each-language-zh-390")

    phone.fill("#f-last_seen_place_zh-CN", "摩天轮")
    phone.click("#page-now")
    phone.wait_for_selector("#case-number")
    assert counts(app) == (1, 1)
    with app.extensions["pa"].db.session() as s:
        texts = s.scalars(select(Page)).one().texts
    assert "摩天轮" in texts["zh-CN"] and "黄色外套" in texts["zh-CN"] and not LATIN.search(texts["zh-CN"])
    assert "Ferris wheel" in texts["en"] and "yellow jacket" in texts["en"] and not CJK.search(texts["en"])
