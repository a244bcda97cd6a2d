"""A venue that takes on a language names its own words in it: the vocabulary page changes a word on the same
form as adding one, pre-filled, refusing a missing or wrong-script name beside its field (nothing stored);
the desk then pages with the word in the new language."""
from __future__ import annotations

import re

from broadcaster.settings import save_settings
from broadcaster.store.models.keeping import VenueWord
from tests.web.conftest import Browser
from tests.web.test_desk_keeping import rows, zh


def test_a_word_gets_its_name_in_a_language_the_venue_took_on(app):
    app.config["I18N_MISSING"] = missing = set()
    sam = zh(app, "sam")
    ok = sam.post("/vocabulary/", {"form": "garment", "kind": "top", "garment_zh-CN": "马甲", "garment_en": "vest",
                                   "en_article": "1"})
    assert ok.status_code == 302
    [word] = rows(app, VenueWord)
    save_settings({"languages": ["zh-CN", "ru"]})  # zh + en -> zh + ru
    app.extensions["pa"].settings.languages = ["zh-CN", "ru"]
    listed = sam.get("/vocabulary/").get_data(as_text=True)
    assert f'href="/vocabulary/{word.key}/edit"' in listed and "尚未命名" in listed  # the Russian name lacks
    form = sam.get(f"/vocabulary/{word.key}/edit").get_data(as_text=True)
    assert re.search(r'name="name_zh-CN"[^>]*value="马甲"', form) and 'name="name_ru"' in form
    bad = sam.post(f"/vocabulary/{word.key}/edit", {"name_zh-CN": "马甲", "name_ru": "vest", "ru_gender": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="err-name_ru"' in html and 'id="err-ru_gender"' in html
    assert "只用俄文" in html or "俄" in re.search(r'id="err-name_ru">([^<]*)<', html)[1]
    [same] = rows(app, VenueWord)
    assert same.names == {"zh-CN": "马甲", "en": "vest"}  # nothing stored
    ok = sam.post(f"/vocabulary/{word.key}/edit", {"name_zh-CN": "马甲", "name_ru": "жилете", "ru_gender": "m"})
    assert ok.status_code == 302
    [done] = rows(app, VenueWord)
    assert done.names == {"zh-CN": "马甲", "en": "vest", "ru": "жилете"} and done.forms["ru_gender"] == "m"
    assert done.forms["en_article"] is True  # what English needs is kept for when the venue speaks it again
    assert Browser(app, "dora").get("/desk/").status_code == 200
    assert missing == set()  # every word of these pages in the staff's language


def test_the_desk_pages_with_the_word_named_in_the_new_language(app):
    from tests.web.test_desk import LOST_CHILD
    from tests.web.test_desk_defects import open_case, text_of

    sam = zh(app, "sam")
    sam.post("/vocabulary/", {"form": "garment", "kind": "top", "garment_zh-CN": "马甲", "garment_en": "vest",
                              "en_article": "1"})
    [word] = rows(app, VenueWord)
    save_settings({"languages": ["zh-CN", "en", "ru"]})
    app.extensions["pa"].settings.languages = ["zh-CN", "en", "ru"]
    assert sam.post(f"/vocabulary/{word.key}/edit", {"name_zh-CN": "马甲", "name_en": "vest", "name_ru": "жилете",
                                                    "ru_gender": "m", "en_article": "1"}).status_code == 302
    dora = Browser(app, "dora")
    case = open_case(dora, {**LOST_CHILD, "clothing": "", "top_colour": "red", "top": word.key})
    assert "красном жилете" in text_of(dora.get(f"/desk/cases/{case}").get_data(as_text=True))
