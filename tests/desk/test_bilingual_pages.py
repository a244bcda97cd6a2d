"""Pages never mix languages (issue 11): for a venue set up with its places named in each language, the
desk's pick-list words are said in each page language: Chinese text with no Latin or Cyrillic, English
with no Chinese, Russian with no Chinese or Latin and its adjectives agreeing with each garment."""
from __future__ import annotations

import re

import pytest

from broadcaster.errors import ValidationError
from broadcaster.settings import save_settings
from tests.desk.conftest import lost_child

LATIN, CJK, CYR = re.compile(r"[A-Za-z]"), re.compile(r"[\u3400-\u9fff]"), re.compile(r"[\u0400-\u04ff]")


def venue(*languages: str) -> None:
    names = {"zh-CN": ("旋转木马", "游客中心"), "en": ("Carousel", "Visitor Centre"), "ru": ("Карусель", "Центр для гостей")}
    save_settings({"languages": list(languages), "places": [
        {"names": {lang: names[lang][0] for lang in languages}, "meeting_point": False},
        {"names": {lang: names[lang][1] for lang in languages}, "meeting_point": True}]})


def child(**kw):
    base = dict(clothing="red jacket, blue jeans", shoes="white sneakers", last_seen_place="旋转木马",
                meeting_point="游客中心")
    return lost_child(**{**base, **kw})


def test_zh_and_en_page_has_no_word_of_the_other_script(paging, cases):
    venue("zh-CN", "en")
    page = paging.page_case(cases.open_case("dora", "missing", child()).number, "dora")
    assert list(page.texts) == ["zh-CN", "en"]
    zh, en = page.texts["zh-CN"], page.texts["en"]
    assert not LATIN.search(zh) and not CYR.search(zh) and not CJK.search(en) and not CYR.search(en)
    assert "身穿红色外套和蓝色牛仔裤，脚穿白色运动鞋，最后在旋转木马附近走失" in zh and "带到游客中心" in zh
    assert "wearing a red jacket and blue jeans and white sneakers, last seen near Carousel" in en


def test_zh_and_ru_page_agrees_in_gender_and_case(paging, cases):
    venue("zh-CN", "ru")
    boy = paging.page_case(cases.open_case("dora", "missing", child()).number, "dora")
    assert list(boy.texts) == ["zh-CN", "ru"]
    ru = boy.texts["ru"]
    assert not CJK.search(ru) and not LATIN.search(ru) and not LATIN.search(boy.texts["zh-CN"])
    assert "мальчик, примерно 5 лет, в красной куртке и синих джинсах и белых кроссовках" in ru
    assert "Карусель" in ru and "Центр для гостей" in ru
    girl = cases.open_case("dora", "found", child(person_name=None, age=4, sex="girl", clothing="pink dress",
                                                  shoes=None, last_seen_place=None))
    page = paging.page_case(girl.number, "dora")
    assert "девочка, примерно 4 года, в розовом платье" in page.texts["ru"]
    one = cases.open_case("dora", "found", child(person_name=None, age=1, sex="boy", clothing="grey coat"))
    assert "мальчик, примерно 1 год, в сером пальто" in paging.page_case(one.number, "dora").texts["ru"]


def test_a_description_typed_in_one_language_is_refused_and_the_case_kept(paging, cases):
    venue("zh-CN", "en")
    case = cases.open_case("dora", "missing", child(clothing="黄色雨衣"))  # "雨衣" is in no list
    with pytest.raises(ValidationError, match="mix languages"):
        paging.page_case(case.number, "dora")
    assert paging.pages(case_number=case.number) == []
    with pytest.raises(ValidationError, match="every language"):
        paging.page_case(cases.open_case("dora", "missing", child()).number, "dora", extra_text={"zh-CN": "手拿气球"})


def _lost(templates, clock, **kw):
    from broadcaster.cases.lost_property import LostPropertyService

    lost = LostPropertyService(templates.db, clock)
    args = dict(category="钱包", colour="黑色", where_found="旋转木马", finder="Li", storage_place="Safe", valuable=True)
    return lost, lost.register("dora", **{**args, **kw})


def test_a_lost_property_page_says_each_value_in_each_language(templates, clock, paging):
    venue("zh-CN", "en", "ru")
    lost, item = _lost(templates, clock)
    assert lost.preview(item.number) == lost.announce(item.number, "dora", paging).texts
    texts = lost.preview(item.number)
    assert "在旋转木马拾到黑色钱包" in texts["zh-CN"] and "游客中心" in texts["zh-CN"]
    assert texts["en"].startswith("Lost property: a black wallet was found near Carousel.") and "Visitor Centre" in texts["en"]
    assert "кошелёк, цвет: чёрный" in texts["ru"] and "Карусель" in texts["ru"]
    for lang, text in texts.items():
        assert (CJK.search(text) is None) == (lang != "zh-CN") and not (LATIN.search(text) and lang != "en")


def test_a_lost_item_typed_in_one_language_is_refused_beside_its_fields_and_nothing_queued(templates, clock, paging, staff):
    from broadcaster.errors import FieldErrors
    from tests.desk.conftest import airings

    venue("zh-CN", "en")
    lost, item = _lost(templates, clock, category="蓝牙耳机盒", colour="暗金色", where_found="北门外面")
    with pytest.raises(FieldErrors) as refused:
        lost.announce(item.number, "dora", paging)
    assert set(refused.value.fields) == {"category", "colour", "where_found"}
    assert airings(staff) == [] and paging.pages() == []
    picked = {"category": "headphones", "colour": "navy", "where_found": "Carousel"}  # from the lists
    assert lost.announce(item.number, "dora", paging, picks=picked).texts["en"].startswith(
        "Lost property: a navy pair of headphones was found near Carousel.")


def test_a_lost_property_page_without_a_meeting_point_in_every_language_is_refused(templates, clock, paging):
    from broadcaster.errors import FieldErrors

    save_settings({"languages": ["zh-CN", "en"], "places": [{"names": {"zh-CN": "旋转木马", "en": "Carousel"},
                                                            "meeting_point": False}]})
    lost, item = _lost(templates, clock)
    with pytest.raises(FieldErrors) as refused:
        lost.preview(item.number)
    assert set(refused.value.fields) == {"claim_place"} and paging.pages() == []
    assert "meeting point" in refused.value.fields["claim_place"]  # what the desk cannot pick: who fixes it


def test_a_venue_that_changes_a_language_loses_no_place_name():
    """zh-CN + en becomes zh-CN + ru: the places are named in Russian, and their English names are kept
    (switching back finds them) instead of being wiped by the save."""
    from broadcaster.settings import load_settings
    from broadcaster.venue import save_places

    venue("zh-CN", "en")
    settings = save_settings({"languages": ["zh-CN", "ru"]})
    rows = [{"names": {"zh-CN": "旋转木马", "ru": "Карусель"}, "meeting_point": False},
            {"names": {"zh-CN": "游客中心", "ru": "Центр для гостей"}, "meeting_point": True},
            {"names": {"zh-CN": "北门", "ru": "Северные ворота"}, "meeting_point": False}]
    save_places(rows, settings)
    places = load_settings().places
    assert places[0]["names"] == {"en": "Carousel", "zh-CN": "旋转木马", "ru": "Карусель"}
    assert places[1]["names"] == {"en": "Visitor Centre", "zh-CN": "游客中心", "ru": "Центр для гостей"}
    assert places[2]["names"] == {"zh-CN": "北门", "ru": "Северные ворота"}  # new: nothing to keep
