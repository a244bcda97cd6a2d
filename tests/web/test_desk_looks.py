"""The urgent form's height band and hair are pick-lists (issue 11): the desk picks them, the case stores the
word, the page says it in each venue language with no word of another script and the case page in the
staff's language; a value not on the lists is refused beside its field and nothing is stored; a supervisor
adds height bands and hair in the vocabulary page, and offers a retired place again there. Real SQLite,
real panel (Flask test client)."""
from __future__ import annotations

import pytest

from broadcaster.paging.lexicon import VocabularyService
from broadcaster.settings import load_settings, save_settings
from broadcaster.store.models.cases import Page, PersonCase
from broadcaster.store.models.keeping import VenueWord
from tests.desk.test_bilingual_pages import child, venue
from tests.desk.test_venue_looks import GINGER, only_its_script
from tests.web.conftest import Browser
from tests.web.test_desk_defects import open_case, text_of
from tests.web.test_desk_keeping import rows, zh

URGENT = {"kind": "missing", "age": "5", "sex": "girl", "top_colour": "red", "top": "jacket", "shoes_colour": "white",
          "shoes_type": "sneakers", "last_seen_place": "旋转木马", "meeting_point": "游客中心",
          "reporter_name": "王芳", "reporter_contact": "13800000000"}


@pytest.fixture
def desk_app(make_app, approved_templates):
    venue("zh-CN", "en")  # set up in the panel: places named in each language, pages strict about scripts
    return make_app()


def test_the_desk_picks_height_and_hair_and_every_page_language_says_them(desk_app):
    dora = Browser(desk_app, "dora")
    form = dora.get("/desk/").get_data(as_text=True)
    assert '<option value="100-120cm">about 100-120 cm</option>' in form and 'value="ponytail"' in form
    assert '<option value="100-120cm">约100-120厘米</option>' in zh(desk_app, "dora").get("/desk/").get_data(as_text=True)
    number = open_case(dora, {**URGENT, "height_band": "100-120cm", "hair_look": "ponytail"})
    [case] = rows(desk_app, PersonCase)
    assert (case.number, case.height, case.hair) == (number, "100-120cm", "ponytail")
    [page] = rows(desk_app, Page)
    assert "一名约5岁、身高约100-120厘米、长发扎马尾的女孩" in page.texts["zh-CN"], page.texts
    assert "a girl of about 5, about 100-120 cm tall, with long hair in a ponytail," in page.texts["en"], page.texts
    assert all(only_its_script(lang, text) for lang, text in page.texts.items())
    shown = text_of(dora.get(f"/desk/cases/{number}").get_data(as_text=True))
    assert "Height about 100-120 cm Hair long hair in a ponytail Clothing" in shown  # the words, not their keys
    assert "长发扎马尾" in text_of(zh(desk_app, "dora").get(f"/desk/cases/{number}").get_data(as_text=True))


def test_a_height_or_hair_not_on_the_lists_is_refused_beside_its_field_and_stores_nothing(desk_app):
    words = VocabularyService(desk_app.extensions["pa"].db)
    words.add("sam", "hair", ["zh-CN", "en"], GINGER)
    words.retire("sam", "red-hair")  # retired: still said by older cases, no longer offered
    dora = Browser(desk_app, "dora")
    for picks in ({"height_band": "200-300cm", "hair_look": "purple mohawk"}, {"hair_look": "red-hair"}):
        resp = dora.post("/desk/", {**URGENT, **picks})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, picks
        assert all(f'id="err-{field}"' in html for field in picks)
        assert '<details class="optional" id="optional-fields" open' in html  # unfolded to show the error
        assert rows(desk_app, PersonCase) == [] and rows(desk_app, Page) == []


def test_an_older_case_typed_height_and_hair_still_show_and_an_edit_picks_from_the_lists(desk_app):
    old = desk_app.extensions["pa"].cases.open_case("dora", "missing", child(height="about 110 cm", hair="短发"))
    dora = Browser(desk_app, "dora")
    shown = text_of(dora.get(f"/desk/cases/{old.number}").get_data(as_text=True))
    assert "Height about 110 cm Hair 短发" in shown
    assert dora.post(f"/desk/cases/{old.number}/edit", {"hair_look": "", "height_band": ""}).status_code == 302
    [kept] = rows(desk_app, PersonCase)
    assert (kept.height, kept.hair) == ("about 110 cm", "短发")  # a list left blank changes nothing
    dora.post(f"/desk/cases/{old.number}/edit", {"height_band": "100-120cm", "hair_look": ""})
    [edited] = rows(desk_app, PersonCase)
    assert (edited.height, edited.hair) == ("100-120cm", "短发")
    shown = text_of(dora.get(f"/desk/cases/{old.number}").get_data(as_text=True))
    assert "Height: about 110 cm → about 100-120 cm" in shown  # the timeline in the staff's words
    assert "约100-120厘米" in text_of(zh(desk_app, "dora").get(f"/desk/cases/{old.number}").get_data(as_text=True))


def test_a_supervisor_adds_a_height_band_and_hair_in_the_vocabulary_page(desk_app):
    missing: set[str] = set()
    desk_app.config["I18N_MISSING"] = missing  # every string the pages show comes from the catalogue
    sam = Browser(desk_app, "sam")
    html = sam.get("/vocabulary/").get_data(as_text=True)
    assert 'id="height-form"' in html and 'id="hair-form"' in html
    bad = sam.post("/vocabulary/", {"form": "hair", "hair_zh-CN": "红头发", "hair_en": ""})
    assert bad.status_code == 400 and 'id="err-hair_en"' in bad.get_data(as_text=True)
    bad = sam.post("/vocabulary/", {"form": "height", "height_zh-CN": "超过190厘米", "height_en": "свыше 190"})
    assert bad.status_code == 400 and 'id="err-height_en"' in bad.get_data(as_text=True)
    assert rows(desk_app, VenueWord) == []
    ok = sam.post("/vocabulary/", {"form": "height", "height_zh-CN": "超过190厘米", "height_en": "over 190 cm"})
    assert ok.status_code == 302
    [word] = rows(desk_app, VenueWord)
    assert (word.kind.value, word.key) == ("height", "over-190-cm")
    assert word.names == {"zh-CN": "超过190厘米", "en": "over 190 cm"}
    assert "身高范围" in text_of(zh(desk_app, "sam").get("/vocabulary/").get_data(as_text=True))
    offered = Browser(desk_app, "dora").get("/desk/").get_data(as_text=True)
    assert '<option value="over-190-cm">over 190 cm</option>' in offered
    zh(desk_app, "sam").post("/vocabulary/places/offer", {"place": "nowhere"}, follow_redirects=True)
    assert "超过190厘米" in zh(desk_app, "dora").get("/desk/").get_data(as_text=True)
    assert missing == set()


def test_a_retired_place_is_offered_again_from_the_vocabulary_page(desk_app):
    places = load_settings().places + [{"names": {"zh-CN": "摩天轮", "en": "Ferris Wheel"}, "meeting_point": True,
                                        "retired": True}]
    save_settings({"places": places})
    desk_app.extensions["pa"].settings.places = places
    dora, sam = Browser(desk_app, "dora"), Browser(desk_app, "sam")
    assert "摩天轮" not in dora.get("/desk/").get_data(as_text=True)
    assert "Ferris Wheel" in text_of(sam.get("/vocabulary/").get_data(as_text=True))
    assert dora.post("/vocabulary/places/offer", {"place": "Ferris Wheel"}).status_code == 403  # desk staff may not
    refused = sam.post("/vocabulary/places/offer", {"place": "Carousel"}, follow_redirects=True)  # not retired
    assert "Nothing was changed. no retired place has this name" in text_of(refused.get_data(as_text=True))
    assert [p.get("retired") for p in load_settings().places] == [None, None, True]
    ok = sam.post("/vocabulary/places/offer", {"place": "Ferris Wheel"}, follow_redirects=True)
    assert "Offered again: the desk&#39;s lists offer it now." in text_of(ok.get_data(as_text=True))
    assert [p.get("retired") for p in load_settings().places] == [None, None, None]
    assert 'value="摩天轮">Ferris Wheel</option>' in dora.get("/desk/").get_data(as_text=True)
    assert 'id="retired-places"' not in sam.get("/vocabulary/").get_data(as_text=True)
