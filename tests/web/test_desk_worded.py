"""The urgent form, the API and the CLI in a venue that has named no places in the panel: each place is
typed in every page language (one box per language, in staff words), a page whose text would mix
languages is refused beside the box of the language that lacks it, and nothing is stored."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from broadcaster.store.models.cases import Page, PersonCase
from tests.web.conftest import Browser
from tests.web.test_api import basic
from tests.web.test_desk import API_CHILD, LOST_CHILD

LATIN, CJK = re.compile(r"[A-Za-z]"), re.compile(r"[\u3400-\u9fff]")
#: The form as the desk fills it: no venue places, so the places are typed in each language.
FORM = {k: v for k, v in LOST_CHILD.items() if k not in ("last_seen_place", "meeting_point", "clothing", "shoes")} | {
    "top_colour": "yellow", "top": "jacket", "shoes_colour": "white", "shoes_type": "sneakers",
    "last_seen_place_zh-CN": "摩天轮", "last_seen_place_en": "Ferris wheel",
    "meeting_point_zh-CN": "游客中心", "meeting_point_en": "Visitor Centre"}


@pytest.fixture
def app(make_app, approved_templates, player):
    return make_app()


def counts(app) -> tuple[int, int]:
    with app.extensions["pa"].db.session() as s:
        return s.scalar(select(func.count()).select_from(PersonCase)), s.scalar(select(func.count()).select_from(Page))


def test_the_form_asks_each_place_in_each_language_in_staff_words(app):
    dora = Browser(app, "dora")
    html = dora.get("/desk/").get_data(as_text=True)
    assert 'name="last_seen_place_zh-CN"' in html and 'name="meeting_point_en"' in html
    assert "Last seen at (Chinese)" in html and "Meeting point (English)" in html
    assert 'name="last_seen_place"' not in html  # one box per language, none for "any language"
    dora.get("/lang/zh")
    html = dora.get("/desk/").get_data(as_text=True)
    assert "最后出现地点（中文）" in html and "会合地点（英语）" in html


def test_a_place_in_one_language_only_is_refused_beside_the_other_and_nothing_is_stored(app):
    dora = Browser(app, "dora")
    resp = dora.post("/desk/", dict(FORM, **{"last_seen_place_zh-CN": ""}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and counts(app) == (0, 0)
    assert 'id="err-last_seen_place_zh-CN"' in html and 'id="err-last_seen_place_en"' not in html
    assert "also give it in this language" in html and "Ferris wheel" in html  # what was typed is kept
    resp = dora.post("/desk/", dict(FORM, **{"meeting_point_en": "游客中心"}))  # Chinese in the English box
    assert resp.status_code == 400 and counts(app) == (0, 0)
    assert 'id="err-meeting_point_en"' in resp.get_data(as_text=True)
    preview = dora.post("/desk/preview", dict(FORM, **{"last_seen_place_zh-CN": ""}))
    assert preview.status_code == 400 and set(preview.get_json()["errors"]) == {"last_seen_place_zh-CN"}


def test_each_language_says_its_own_words(app):
    dora = Browser(app, "dora")
    resp = dora.post("/desk/", FORM)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    with app.extensions["pa"].db.session() as s:
        texts = s.scalars(select(Page)).one().texts
    assert "摩天轮" in texts["zh-CN"] and "黄色外套" in texts["zh-CN"] and not LATIN.search(texts["zh-CN"])
    assert "Ferris wheel" in texts["en"] and "a yellow jacket" in texts["en"] and not CJK.search(texts["en"])


def test_the_api_refuses_a_detail_in_one_language_and_takes_it_in_each(app):
    api = app.test_client()
    body = dict(API_CHILD, age=5, clothing="yellow raincoat")
    resp = api.post("/api/pages", json=body, headers=basic("dora"))
    assert resp.status_code == 409 and counts(app) == (0, 0)  # a conflict with the template, not bad input
    assert resp.get_json()["fields"] == {"clothing.zh-CN": "also give it in this language: the page says it in "
                                                           "every language and cannot translate it"}
    wording = {**API_CHILD["wording"], "clothing": {"zh-CN": "黄色雨衣", "en": "yellow raincoat"}}
    resp = api.post("/api/pages", json=dict(body, wording=wording), headers=basic("dora"))
    assert resp.status_code == 201, resp.get_json()
    texts = resp.get_json()["page"]["texts"]
    assert "黄色雨衣" in texts["zh-CN"] and not LATIN.search(texts["zh-CN"])
    assert "yellow raincoat" in texts["en"] and not CJK.search(texts["en"])


def test_an_edit_gives_the_place_in_each_language_and_the_page_says_the_new_words(app):
    dora = Browser(app, "dora")
    number = dora.post("/desk/", FORM).headers["Location"].rsplit("/", 1)[1]
    html = dora.get(f"/desk/cases/{number}").get_data(as_text=True)
    assert 'name="last_seen_place_zh-CN"' in html and 'value="摩天轮"' in html  # the edit form, one box per language
    resp = dora.post(f"/desk/cases/{number}/edit", {"last_seen_place_zh-CN": "旋转木马", "last_seen_place_en": "Carousel"})
    assert resp.status_code == 302
    with app.extensions["pa"].db.session() as s:
        case, texts = s.scalars(select(PersonCase)).one(), s.scalars(select(Page)).one().texts
    assert case.wording["last_seen_place"] == {"zh-CN": "旋转木马", "en": "Carousel"}
    assert "旋转木马" in texts["zh-CN"] and "摩天轮" not in texts["zh-CN"] and not LATIN.search(texts["zh-CN"])
    assert "Carousel" in texts["en"] and "Ferris wheel" not in texts["en"]
    resp = dora.post(f"/desk/cases/{number}/edit", {"last_seen_place_zh-CN": "旋转木马", "last_seen_place_en": "旋转木马"})
    assert resp.status_code == 400 and 'id="err-last_seen_place_en"' in resp.get_data(as_text=True)
