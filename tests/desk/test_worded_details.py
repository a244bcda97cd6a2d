"""A page never says English words inside its Chinese text, nor Chinese inside its English, in a venue
that has not set up its pick-lists of places (the default: zh-CN and en, no places): what the lists know
is said in each language's own words, what they do not know is given by the desk in each page language,
and a page that would mix them is refused beside the language that lacks it, storing no case and no page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from broadcaster.errors import FieldErrors
from broadcaster.paging.rules import MixedWords
from broadcaster.store.models.cases import Page, PersonCase
from broadcaster.store.models.onair import Airing
from tests.desk.conftest import lost_child

LATIN, CJK = re.compile(r"[A-Za-z]"), re.compile(r"[\u3400-\u9fff]")
PLACES = {"last_seen_place": {"zh-CN": "摩天轮", "en": "Ferris wheel"}, "meeting_point": {"zh-CN": "游客中心", "en": "Visitor Centre"}}


def child(**kw):
    """A lost child at the Ferris wheel, its places given in each language."""
    return lost_child(**{"last_seen_place": "Ferris wheel", "meeting_point": "Visitor Centre", "wording": PLACES, **kw})


def rows(db) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (PersonCase, Page, Airing))


@pytest.mark.parametrize("typed, lacks", [("yellow raincoat", "clothing.zh-CN"), ("黄色雨衣", "clothing.en")])
def test_a_detail_in_one_language_only_is_refused_beside_the_other_and_nothing_is_stored(paging, staff, typed, lacks):
    with pytest.raises(MixedWords) as refused:
        paging.open_and_page("dora", "missing", child(clothing=typed))
    assert refused.value.fields == {lacks: "also give it in this language: the page says it in every language and "
                                           "cannot translate it"}
    assert rows(staff) == (0, 0, 0)
    with pytest.raises(MixedWords) as refused:  # a place typed in English only: the Chinese lacks it
        paging.open_and_page("dora", "missing", child(wording=None, meeting_point="Gate 3"))
    assert set(refused.value.fields) == {"last_seen_place.zh-CN", "meeting_point.zh-CN"}
    assert rows(staff) == (0, 0, 0)


def test_each_language_says_the_words_the_desk_gave_in_it(paging, staff):
    wording = {**PLACES, "clothing": {"zh-CN": "黄色雨衣", "en": "yellow raincoat"}}
    case, page, err = paging.open_and_page("dora", "missing", child(clothing="yellow raincoat", wording=wording))
    assert err is None and rows(staff) == (1, 1, 1)
    zh, en = page.texts["zh-CN"], page.texts["en"]
    assert "黄色雨衣" in zh and "摩天轮" in zh and "游客中心" in zh and not LATIN.search(zh)
    assert "yellow raincoat" in en and "Ferris wheel" in en and not CJK.search(en)
    assert case.wording["clothing"] == {"zh-CN": "黄色雨衣", "en": "yellow raincoat"}
    assert paging.preview_case(case.number) == page.texts  # paged again: the same words


def test_words_of_the_lists_typed_in_either_language_are_said_in_each(paging, staff):
    _case, page, err = paging.open_and_page("dora", "missing", child(clothing="红色外套和蓝色牛仔裤",
                                                                    shoes="White Sneakers"))
    assert err is None
    assert "身穿红色外套和蓝色牛仔裤，脚穿白色运动鞋" in page.texts["zh-CN"] and not LATIN.search(page.texts["zh-CN"])
    assert "wearing a red jacket and blue jeans and white sneakers" in page.texts["en"]
    assert not CJK.search(page.texts["en"])


def test_a_detail_given_in_the_wrong_script_is_refused_beside_it(paging, staff):
    wording = {**PLACES, "clothing": {"zh-CN": "黄色雨衣", "en": "黄色雨衣"}}
    with pytest.raises(FieldErrors) as refused:  # the case's own check, before any page
        paging.open_and_page("dora", "missing", child(clothing="黄色雨衣", wording=wording))
    assert refused.value.fields == {"clothing.en": "write it in English only"}
    assert rows(staff) == (0, 0, 0)


def test_a_venue_with_its_lists_still_says_its_places_in_every_language(paging, staff):
    from broadcaster.settings import save_settings

    save_settings({"languages": ["zh-CN", "en"], "places": [
        {"names": {"zh-CN": "摩天轮", "en": "Ferris wheel"}, "meeting_point": False},
        {"names": {"zh-CN": "游客中心", "en": "Visitor Centre"}, "meeting_point": True}]})
    _case, page, err = paging.open_and_page("dora", "missing", child(wording=None))  # picked: no wording needed
    assert err is None and "摩天轮" in page.texts["zh-CN"] and "Ferris wheel" in page.texts["en"]
    with pytest.raises(MixedWords):
        paging.open_and_page("dora", "missing", child(wording=None, clothing="yellow raincoat"))
    assert rows(staff) == (1, 1, 1)
