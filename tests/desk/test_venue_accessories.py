"""Venues add accessories to the desk's pick-lists (issue 11): a supervisor gives the word in every venue
language with what each language needs (Russian: the instrumental, said after "с"; Chinese: how it is
carried, 背着/戴着/拿着/带着; English: with "a" or not); the desk offers it, the page says it after the
clothes in zh, en and ru ("в красной куртке и кроссовках, с самокатом"), and a used one is retired,
never deleted. Real SQLite database, real paging service."""
from __future__ import annotations

import pytest

from broadcaster.errors import FieldErrors, InvalidTransition, ValidationError
from broadcaster.paging.vocabulary import compose, options, say
from tests.desk.test_bilingual_pages import CJK, CYR, LATIN, child, venue
from tests.desk.test_venue_words import LANGS, stored, words  # noqa: F401 (words: a fixture)

SCOOTER = {"name_zh-CN": "滑板车", "name_en": "scooter", "name_ru": "самокатом", "zh_verb": "拿着", "en_article": "1"}


def test_a_venue_accessory_needs_every_language_and_the_chinese_verb(words, staff):
    with pytest.raises(FieldErrors) as exc:
        words.add("sam", "accessory", LANGS, {"name_zh-CN": "滑板车", "name_en": "", "name_ru": "scooter"})
    assert set(exc.value.fields) == {"name_en", "name_ru", "zh_verb"}
    with pytest.raises(FieldErrors) as exc:  # already a built-in accessory
        words.add("sam", "accessory", LANGS, {**SCOOTER, "name_zh-CN": "双肩包", "name_en": "Backpack",
                                              "name_ru": "рюкзаком"})
    assert set(exc.value.fields) == {"name_zh-CN", "name_en", "name_ru"}
    assert stored(staff) == []


def test_a_venue_accessory_is_offered_and_said_after_the_clothes_in_zh_en_and_ru(words, paging, cases):
    scooter = words.add("sam", "accessory", LANGS, SCOOTER)
    assert scooter.key == "scooter"
    known = words.words()
    assert ("scooter", "滑板车") in options("zh", known)["accessory"]
    assert "scooter" not in dict(options("en", known)["top"])  # an accessory, not a garment
    assert compose([("red", "jacket"), (None, "scooter")], known) == "red jacket, scooter"
    with pytest.raises(ValidationError, match="without a colour"):
        compose([("red", "jacket"), ("red", "scooter")], known)  # no colour on an accessory
    with pytest.raises(ValidationError, match="choose the top too"):
        compose([(None, "scooter")], known)  # "в …" needs the clothes
    venue("zh-CN", "en")
    boy = cases.open_case("dora", "missing", child(clothing="red jacket, blue jeans, scooter", shoes="black sneakers"))
    page = paging.page_case(boy.number, "dora")
    zh, en = page.texts["zh-CN"], page.texts["en"]
    assert "身穿红色外套和蓝色牛仔裤，脚穿黑色运动鞋，拿着滑板车，" in zh and not LATIN.search(zh), zh
    assert "wearing a red jacket and blue jeans and black sneakers, with a scooter," in en and not CJK.search(en), en
    venue("zh-CN", "ru")
    for clothing, shoes, said in (
            ("red jacket, scooter", "black sneakers", "в красной куртке и чёрных кроссовках, с самокатом."),
            ("blue jeans, scooter, backpack", "boots", "в синих джинсах и сапогах, с самокатом и рюкзаком.")):
        case = cases.open_case("dora", "missing", child(clothing=clothing, shoes=shoes))
        ru = paging.page_case(case.number, "dora").texts["ru"]
        assert said in ru and not LATIN.search(ru) and not CJK.search(ru) and CYR.search(ru), (clothing, ru)
    found = cases.open_case("dora", "found", child(clothing="red jacket, scooter"))  # a page without the shoes
    ru = paging.page_case(found.number, "dora").texts["ru"]
    assert "в красной куртке, с самокатом" in ru, ru


def test_a_used_accessory_is_retired_never_deleted_and_still_said(words, cases, staff):
    words.add("sam", "accessory", LANGS, SCOOTER)
    case = cases.open_case("dora", "missing", child(clothing="red jacket, scooter"))
    with pytest.raises(InvalidTransition, match=case.number):
        words.remove("sam", "scooter")
    words.retire("sam", "scooter")
    known = words.words()
    assert "scooter" not in dict(options("en", known)["accessory"])
    assert [w.key for w in stored(staff)] == ["scooter"]
    assert say("red jacket, scooter", "en", known) == "a red jacket, with a scooter"
