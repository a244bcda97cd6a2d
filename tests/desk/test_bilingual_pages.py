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
    case = cases.open_case("dora", "missing", child(clothing="粉色连衣裙"))
    with pytest.raises(ValidationError, match="mix languages"):
        paging.page_case(case.number, "dora")
    assert paging.pages(case_number=case.number) == []
    with pytest.raises(ValidationError, match="every language"):
        paging.page_case(cases.open_case("dora", "missing", child()).number, "dora", extra_text={"zh-CN": "手拿气球"})
