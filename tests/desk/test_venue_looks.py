"""Height and hair are pick-lists too (issue 11): the desk picks a height band and a description of hair whose
every value is in every venue language, the page says them in each language's grammar ("一名约5岁、身高约
100-120厘米、长发扎马尾的女孩", "a girl of about 5, about 100-120 cm tall, with long hair in a ponytail",
"девочка, примерно 5 лет, рост около 100–120 см, с длинными волосами, собранными в хвост") with no word of
another script, venues add their own, a used one is retired never deleted, and what older cases typed by
hand stays stored and shown (never said in a language it is not written in). Real SQLite, real paging."""
from __future__ import annotations

import pytest

from broadcaster.errors import FieldErrors, InvalidTransition
from broadcaster.paging.lexicon import VocabularyService
from broadcaster.paging.looks import offered, say_look
from broadcaster.paging.vocabulary import options
from broadcaster.store.models.cases import PersonCase
from tests.desk.test_bilingual_pages import CJK, CYR, LATIN, child, venue
from tests.desk.test_venue_words import LANGS, stored

GINGER = {"name_zh-CN": "红头发", "name_en": "red hair", "name_ru": "рыжими волосами"}
TALL = {"name_zh-CN": "超过190厘米", "name_en": "over 190 cm", "name_ru": "больше 190 см"}


@pytest.fixture
def words(staff, clock):
    return VocabularyService(staff, clock)


def only_its_script(lang: str, text: str) -> bool:
    return {"zh-CN": not LATIN.search(text) and not CYR.search(text),
            "en": not CJK.search(text) and not CYR.search(text),
            "ru": not CJK.search(text) and not LATIN.search(text) and bool(CYR.search(text))}[lang]


def test_the_page_says_the_picked_height_and_hair_in_each_language(paging, cases):
    venue("zh-CN", "en")
    girl = cases.open_case("dora", "missing", child(sex="girl", height="100-120cm", hair="ponytail"))
    page = paging.page_case(girl.number, "dora")
    zh, en = page.texts["zh-CN"], page.texts["en"]
    assert "一名约5岁、身高约100-120厘米、长发扎马尾的女孩，身穿红色外套" in zh, zh
    assert "a girl of about 5, about 100-120 cm tall, with long hair in a ponytail, wearing a red jacket" in en, en
    assert only_its_script("zh-CN", zh) and only_its_script("en", en)
    venue("zh-CN", "ru")
    boy = cases.open_case("dora", "missing", child(height="120-140cm", hair="short-black"))
    ru = paging.page_case(boy.number, "dora").texts["ru"]
    assert "мальчик, примерно 5 лет, рост около 120–140 см, с короткими чёрными волосами, в красной куртке" in ru, ru
    assert only_its_script("ru", ru)
    found = cases.open_case("dora", "found", child(person_name=None, age=4, sex="girl", hair="ponytail",
                                                   clothing="pink dress", shoes=None, last_seen_place=None))
    ru = paging.page_case(found.number, "dora").texts["ru"]
    assert "(девочка, примерно 4 года, с длинными волосами, собранными в хвост, в розовом платье)" in ru, ru
    plain = cases.open_case("dora", "missing", child())  # nothing picked: the page says neither
    assert "мальчик, примерно 5 лет, в красной куртке" in paging.page_case(plain.number, "dora").texts["ru"]


def test_older_cases_typed_height_and_hair_stay_stored_and_are_never_said_in_another_script(paging, cases, staff):
    venue("zh-CN", "en")
    old = cases.open_case("dora", "missing", child(height="about 110 cm", hair="短发"))
    page = paging.page_case(old.number, "dora")  # typed in one language: not said, the page still airs
    assert "一名约5岁的男孩" in page.texts["zh-CN"] and "a boy of about 5, wearing" in page.texts["en"]
    assert all(only_its_script(lang, text) for lang, text in page.texts.items())
    with staff.session() as s:
        kept = s.query(PersonCase).filter_by(number=old.number).one()
        assert (kept.height, kept.hair) == ("about 110 cm", "短发")
    assert say_look("height", "about 110 cm", "zh-CN") is None  # the case page shows it as typed


def test_a_venue_height_band_and_hair_need_every_language_and_are_said_everywhere(words, paging, cases, staff):
    with pytest.raises(FieldErrors) as exc:
        words.add("sam", "hair", LANGS, {"name_zh-CN": "红头发", "name_en": "", "name_ru": "red hair"})
    assert set(exc.value.fields) == {"name_en", "name_ru"}  # no gender, no article: a whole phrase
    with pytest.raises(FieldErrors) as exc:  # already a built-in height band
        words.add("sam", "height", LANGS, {**TALL, "name_en": "About 100-120 cm"})
    assert set(exc.value.fields) == {"name_en"}
    assert stored(staff) == []
    ginger, tall = words.add("sam", "hair", LANGS, GINGER), words.add("sam", "height", LANGS, TALL)
    assert (ginger.key, tall.key) == ("red-hair", "over-190-cm")
    known = words.words()
    assert ("red-hair", "红头发") in options("zh", known)["hair"]
    assert ("over-190-cm", "over 190 cm") in options("en", known)["height"]
    assert "red-hair" not in dict(options("en", known)["height"])  # hair is not a height band
    assert offered("hair", "red-hair", known) and not offered("height", "red-hair", known)
    for languages in (("zh-CN", "en"), ("zh-CN", "ru")):
        venue(*languages)
        case = cases.open_case("dora", "missing", child(height="over-190-cm", hair="red-hair"))
        texts = paging.page_case(case.number, "dora").texts
        assert all(only_its_script(lang, text) for lang, text in texts.items()), texts
        said = {"zh-CN": "身高超过190厘米、红头发的男孩", "en": "over 190 cm tall, with red hair,",
                "ru": "рост больше 190 см, с рыжими волосами, в"}
        assert all(said[lang] in text for lang, text in texts.items()), texts


def test_a_used_height_or_hair_word_is_retired_never_deleted_and_still_said(words, cases, staff, paging):
    words.add("sam", "hair", LANGS, GINGER)
    words.add("sam", "height", LANGS, TALL)
    case = cases.open_case("dora", "missing", child(hair="red-hair"))
    with pytest.raises(InvalidTransition, match=case.number):
        words.remove("sam", "red-hair")
    words.remove("sam", "over-190-cm")  # no case uses it
    words.retire("sam", "red-hair")
    known = words.words()
    assert "red-hair" not in dict(options("en", known)["hair"]) and not offered("hair", "red-hair", known)
    assert [w.key for w in stored(staff)] == ["red-hair"]
    venue("zh-CN", "en")
    assert "with red hair" in paging.page_case(case.number, "dora").texts["en"]  # still said


def test_postgresql_migrated_to_the_head_keeps_height_and_hair_words_and_refuses_an_unknown_kind(pg_db):
    import sqlalchemy as sa

    from broadcaster.store.models.core import Role, User

    with pg_db.session() as s:
        s.add(User(name="sam", role=Role.SUPERVISOR))
    words = VocabularyService(pg_db)
    words.add("sam", "height", ["zh-CN", "en"], TALL)
    words.add("sam", "hair", ["zh-CN", "en"], GINGER)
    assert {k: w["kind"] for k, w in words.words().items()} == {"over-190-cm": "height", "red-hair": "hair"}
    with pytest.raises(sa.exc.IntegrityError), pg_db.engine.begin() as conn:  # the CHECK still guards the kind
        conn.execute(sa.text("INSERT INTO venue_words (kind, key, names, forms, created_by_id, created_at) "
                             "VALUES ('eyes', 'blue-eyes', '{}', '{}', 1, now())"))


def test_russian_says_so_before_s_z_sh_zh_and_a_consonant(paging, cases):
    """"с светлыми волосами" is wrong Russian: before с/з/ш/ж and a consonant (and щ, "мн") it is "со"."""
    from broadcaster.paging.looks import ru_with
    venue("zh-CN", "ru")
    fair = cases.open_case("dora", "missing", child(hair="fair"))
    ru = paging.page_case(fair.number, "dora").texts["ru"]
    assert "со светлыми волосами" in ru and "с светлыми" not in ru, ru
    assert ru_with("С шляпой, с жёлтым зонтом, с рюкзаком, со мной, с щенком") == \
        "Со шляпой, с жёлтым зонтом, с рюкзаком, со мной, со щенком"


def test_a_found_child_is_0_to_17_a_boy_or_girl_and_said_once_in_russian(paging, cases):
    """A found child: an adult's age or sex is refused beside its field (all at once, nothing stored);
    with the sex unknown Russian says "Ребёнок (примерно 4 года", not "Ребёнок (ребёнок, …"."""
    venue("zh-CN", "ru")
    found = dict(person_name=None, clothing="pink dress", shoes=None, last_seen_place=None)
    with pytest.raises(FieldErrors) as refused:
        cases.open_case("dora", "found", child(**found, age=35, sex="woman"))
    assert set(refused.value.fields) == {"age", "sex"}, refused.value.fields
    assert "0 to 17" in refused.value.fields["age"]
    assert cases.list_cases() == []
    teen = cases.open_case("dora", "found", child(**found, age=17, sex="girl"))
    assert teen.is_child
    zh = paging.page_case(teen.number, "dora").texts["zh-CN"]
    assert "女孩" in zh and "女性" not in zh, zh
    unsure = cases.open_case("dora", "found", child(**found, age=4, sex=None))
    ru = paging.page_case(unsure.number, "dora").texts["ru"]
    assert "Ребёнок (примерно 4 года, в розовом платье)" in ru and "ребёнок," not in ru, ru
