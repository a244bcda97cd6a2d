"""Venues extend the desk's pick-lists (issue 11): a supervisor adds a colour or a garment with its word
in every venue language (Russian: a colour's forms for each gender and the plural, a garment's gender),
the pick-lists offer it, every page language says it grammatically, and a word a stored case uses is
retired, never deleted."""
from __future__ import annotations

import pytest

from broadcaster.errors import FieldErrors, InvalidTransition, PermissionDenied
from broadcaster.paging.lexicon import VocabularyService
from broadcaster.paging.vocabulary import options
from broadcaster.store.models.keeping import VenueWord
from tests.desk.test_bilingual_pages import CJK, CYR, LATIN, child, venue

TEAL = {"name_zh-CN": "青绿色", "name_en": "teal", "ru_m": "бирюзовом", "ru_f": "бирюзовой", "ru_pl": "бирюзовых"}
LANGS = ["zh-CN", "en", "ru"]


@pytest.fixture
def words(staff, clock):
    return VocabularyService(staff, clock)


def stored(db) -> list[VenueWord]:
    with db.session() as s:
        return list(s.query(VenueWord))


def test_a_venue_colour_needs_every_language_and_each_russian_form(words, staff):
    with pytest.raises(FieldErrors) as exc:
        words.add("sam", "colour", LANGS, {"name_zh-CN": "青绿色", "name_en": "", "ru_m": "бирюзовом", "ru_f": "teal"})
    assert set(exc.value.fields) == {"name_en", "ru_f", "ru_pl"}
    with pytest.raises(FieldErrors) as exc:  # a Russian garment needs its gender
        words.add("sam", "top", LANGS, {"name_zh-CN": "马甲", "name_en": "vest", "name_ru": "жилете"})
    assert set(exc.value.fields) == {"ru_gender"}
    with pytest.raises(FieldErrors) as exc:  # already in the built-in list
        words.add("sam", "colour", ["zh-CN", "en"], {"name_zh-CN": "红色", "name_en": "Red"})
    assert set(exc.value.fields) == {"name_zh-CN", "name_en"}
    with pytest.raises(PermissionDenied):
        words.add("dora", "colour", LANGS, TEAL)
    assert stored(staff) == []


def test_a_venue_colour_is_offered_and_said_in_zh_en_and_ru_with_agreement(words, paging, cases):
    teal = words.add("sam", "colour", LANGS, TEAL)
    vest = words.add("sam", "top", LANGS, {"name_zh-CN": "马甲", "name_en": "vest", "name_ru": "жилете",
                                            "ru_gender": "m", "en_article": "1"})
    assert (teal.key, vest.key) == ("teal", "vest")
    picks = options("zh", words.words())
    assert ("teal", "青绿色") in picks["colours"] and ("vest", "马甲") in picks["top"]
    assert ("teal", "teal") in options("en", words.words())["colours"]
    venue("zh-CN", "en")
    boy = cases.open_case("dora", "missing", child(clothing="teal jacket, teal jeans", shoes="black sneakers"))
    page = paging.page_case(boy.number, "dora")
    assert "身穿青绿色外套和青绿色牛仔裤" in page.texts["zh-CN"] and not LATIN.search(page.texts["zh-CN"])
    assert "wearing a teal jacket and teal jeans" in page.texts["en"] and not CJK.search(page.texts["en"])
    venue("zh-CN", "ru")
    for clothing, said in (("teal jacket", "в бирюзовой куртке"), ("teal jeans", "в бирюзовых джинсах"),
                           ("teal coat", "в бирюзовом пальто"), ("red vest", "в красном жилете"),
                           ("teal vest, blue jeans", "в бирюзовом жилете и синих джинсах")):
        case = cases.open_case("dora", "missing", child(clothing=clothing))
        ru = paging.page_case(case.number, "dora").texts["ru"]
        assert said in ru and not LATIN.search(ru) and not CJK.search(ru), (clothing, ru)
        assert CYR.search(ru)


def test_a_word_a_case_uses_is_retired_never_deleted(words, cases, staff, paging):
    words.add("sam", "colour", LANGS, TEAL)
    words.add("sam", "colour", LANGS, {"name_zh-CN": "金色", "name_en": "gold", "ru_m": "золотом", "ru_f": "золотой",
                                       "ru_pl": "золотых"})
    case = cases.open_case("dora", "missing", child(clothing="teal jacket"))
    with pytest.raises(InvalidTransition, match=case.number):
        words.remove("sam", "teal")
    words.remove("sam", "gold")  # no case uses it
    assert [w.key for w in stored(staff)] == ["teal"]
    words.retire("sam", "teal")
    assert "teal" not in dict(options("en", words.words())["colours"])  # no longer offered
    venue("zh-CN", "en")
    assert "a teal jacket" in paging.page_case(case.number, "dora").texts["en"]  # still said
