"""The panel's lost-property disposal, the venue's own pick-list words, refusals in Chinese and dates by
Babel (issue 11): rows stored or not, errors beside their fields, the page in the UI language, and the
JSON API's problem details still in English."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from broadcaster.settings import save_settings
from broadcaster.store.models.cases import LostItemState
from broadcaster.store.models.keeping import LostItemDisposal, VenueWord
from tests.web.conftest import Browser
from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case, text_of

TEAL = {"form": "colour", "name_zh-CN": "青绿色", "name_en": "teal", "ru_m": "бирюзовом", "ru_f": "бирюзовой",
        "ru_pl": "бирюзовых"}


def zh(app, name: str) -> Browser:
    b = Browser(app, name)
    b.get("/lang/zh", headers={"Referer": "http://localhost/"})
    return b


def rows(app, model) -> list:
    with app.extensions["pa"].db.session() as s:
        return list(s.query(model))


def old_item(app, days: int = 40):
    lost = app.extensions["pa"].lost
    return lost.register("dora", category="umbrella", where_found="Gate", finder="Li", storage_place="Shelf 3",
                         found_at=app.extensions["pa"].clock.now() - timedelta(days=days))


def test_due_items_are_listed_and_a_supervisor_records_the_disposal(app):
    item, fresh = old_item(app), old_item(app, days=2)
    sam, dora = Browser(app, "sam"), Browser(app, "dora")
    due = text_of(dora.get("/desk/lost/disposal").get_data(as_text=True))
    assert item.number in due and fresh.number not in due
    assert dora.post(f"/desk/lost/{item.number}/dispose", {"method": "police", "handled_by": "Officer Wang"}
                     ).status_code == 403
    bad = sam.post(f"/desk/lost/{item.number}/dispose", {"method": "", "handled_by": " ", "disposed_at": "99:99"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert all(f'id="err-{f}"' in html for f in ("method", "handled_by", "disposed_at"))  # every error at once
    assert "handled_by" not in text_of(html[html.index("<main>"):])
    assert rows(app, LostItemDisposal) == []
    early = zh(app, "sam").post(f"/desk/lost/{fresh.number}/dispose", {"method": "police", "handled_by": "王警官"})
    assert early.status_code == 409 and "尚不能处置" in text_of(early.get_data(as_text=True))
    ok = sam.post(f"/desk/lost/{item.number}/dispose", {"method": "donated", "handled_by": "Red Cross shop",
                                                         "note": "receipt 77"})
    assert ok.status_code == 302
    [row] = rows(app, LostItemDisposal)
    assert (row.method.value, row.handled_by, row.note) == ("donated", "Red Cross shop", "receipt 77")
    assert app.extensions["pa"].lost.get(item.number).state is LostItemState.DISPOSED
    page = text_of(zh(app, "dora").get(f"/desk/lost/{item.number}").get_data(as_text=True))
    assert "已处置" in page and "捐赠" in page and "Red Cross shop" in page
    assert item.number not in text_of(dora.get("/desk/lost/disposal").get_data(as_text=True))
    receipt = text_of(sam.get(f"/desk/lost/{item.number}?print=1").get_data(as_text=True))
    assert "Red Cross shop" in receipt
    # a disposed item prints its disposal record, never a claim receipt with the owner's signature line
    record = text_of(zh(app, "sam").get(f"/desk/lost/{item.number}?print=1").get_data(as_text=True))
    assert "失物处置记录" in record and "接收人签名" in record, record
    assert "失物领取收据" not in record and "失主签名" not in record
    assert "打印处置记录" in text_of(zh(app, "dora").get(f"/desk/lost/{item.number}").get_data(as_text=True))


def test_the_retention_period_is_set_by_a_supervisor(app):
    item = old_item(app, days=10)
    assert Browser(app, "dora").post("/desk/lost/retention", {"retention_days": "5"}).status_code == 403
    sam = Browser(app, "sam")
    bad = sam.post("/desk/lost/retention", {"retention_days": "0"})
    assert bad.status_code == 400 and 'id="err-retention_days"' in bad.get_data(as_text=True)
    assert app.extensions["pa"].lost.retention_days() == 30
    assert sam.post("/desk/lost/retention", {"retention_days": "7"}).status_code == 302
    assert item.number in text_of(sam.get("/desk/lost/disposal").get_data(as_text=True))


def test_a_venue_colour_is_added_in_every_language_offered_and_said(app):
    save_settings({"languages": ["zh-CN", "en", "ru"]})
    app.extensions["pa"].settings.languages = ["zh-CN", "en", "ru"]
    dora, sam = Browser(app, "dora"), zh(app, "sam")
    assert dora.get("/vocabulary/").status_code == 403
    assert dora.post("/vocabulary/", TEAL).status_code == 403
    bad = sam.post("/vocabulary/", {**TEAL, "name_en": "", "ru_pl": "teal"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="err-name_en"' in html and 'id="err-ru_pl"' in html
    assert "请也用这种语言填写" in html and "请只用俄文填写" in html
    bad = sam.post("/vocabulary/", {"form": "garment", "kind": "top", "garment_zh-CN": "马甲", "garment_en": "vest",
                                    "garment_ru": "жилете"})
    assert bad.status_code == 400 and 'id="err-ru_gender"' in bad.get_data(as_text=True)
    assert rows(app, VenueWord) == []
    assert sam.post("/vocabulary/", TEAL).status_code == 302
    [word] = rows(app, VenueWord)
    assert (word.key, word.names["zh-CN"], word.forms["ru"]) == ("teal", "青绿色", ["бирюзовом", "бирюзовой", "бирюзовых"])
    assert 'value="teal">青绿色</option>' in zh(app, "dora").get("/desk/").get_data(as_text=True)
    case = open_case(dora, {**LOST_CHILD, "clothing": "", "top_colour": "teal", "top": "jacket"})
    assert "a teal jacket" in text_of(dora.get(f"/desk/cases/{case}").get_data(as_text=True))
    assert "青绿色外套" in text_of(zh(app, "dora").get(f"/desk/cases/{case}").get_data(as_text=True))
    used = sam.post("/vocabulary/teal/remove", {})
    assert used.status_code == 409 and f"案件 {case} 用到了这个词" in text_of(used.get_data(as_text=True))
    assert len(rows(app, VenueWord)) == 1
    assert sam.post("/vocabulary/teal/retire", {}).status_code == 302
    assert 'value="teal"' not in dora.get("/desk/").get_data(as_text=True)
    assert "a teal jacket" in text_of(dora.get(f"/desk/cases/{case}").get_data(as_text=True))  # still said


def test_refusals_are_chinese_in_the_panel_and_english_in_the_api(app):
    from base64 import b64encode

    from tests.web.conftest import PASSWORD

    dora = zh(app, "dora")
    missing = dora.get("/desk/lost/L20000101-999")
    assert missing.status_code == 404 and "没有这件失物：L20000101-999" in text_of(missing.get_data(as_text=True))
    item = old_item(app)
    app.extensions["pa"].lost.claim(item.number, "dora", owner_name="Zhang", owner_identity="ID 1",
                                    verification_note="scratch")
    again = dora.post(f"/desk/lost/{item.number}/claim", {"owner_name": "Li", "owner_identity": "ID 2",
                                                          "verification_note": "card"})
    said = text_of(again.get_data(as_text=True))
    assert again.status_code == 409 and f"物品 {item.number}：不能从“已认领”改为“claimed”" not in said
    assert f"物品 {item.number}：不能从“已认领”改为“已认领”" in said and "cannot go from" not in said
    denied = dora.post(f"/desk/lost/{item.number}/dispose", {"method": "police", "handled_by": "x"})
    assert denied.status_code == 403
    case = open_case(dora, LOST_CHILD)
    Browser(app, "sam").post(f"/desk/cases/{case}/resolve", {"state": "closed", "result": "reunited"})
    closed = dora.post(f"/desk/cases/{case}/transition", {"state": "paged"})
    assert closed.status_code == 409 and f"案件 {case}：不能从“已结案”改为“已发起广播”" in text_of(closed.get_data(as_text=True))
    auth = {"Authorization": "Basic " + b64encode(f"dora:{PASSWORD}".encode()).decode()}
    api = app.test_client().get("/api/cases/20000101-999", headers={**auth, "Accept-Language": "zh"})
    assert api.status_code == 404 and api.get_json()["detail"] == "no such case: 20000101-999"  # the API: English


@pytest.mark.parametrize("lang, thursday, keep", [("zh", "11月26日周四", "2026年"), ("en", "Thu 26 Nov", "2026")])
def test_dates_and_weekdays_come_from_babel_in_the_ui_language(app, lang, thursday, keep):
    from web.views import day_label

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert day_label(date(2026, 11, 26)) == thursday
    item = old_item(app, days=1)
    b = Browser(app, "sam")
    b.get(f"/lang/{lang}", headers={"Referer": "http://localhost/"})
    page = b.get(f"/desk/lost/{item.number}").get_data(as_text=True)
    kept = text_of(page[page.index('id="keep-until"'):])[:40]
    assert keep in kept and ("年" in kept) == (lang == "zh")
    week = text_of(b.get("/schedule/?week=2026-11-23").get_data(as_text=True))
    assert thursday in week
    assert "Thursday" not in week and "星期四" not in week  # no hand-kept weekday names left


def test_the_new_pages_in_chinese_ask_for_no_untranslated_string(app):
    save_settings({"languages": ["zh-CN", "en", "ru"]})
    app.extensions["pa"].settings.languages = ["zh-CN", "en", "ru"]
    missing: set[str] = set()
    app.config["I18N_MISSING"] = missing
    sam = zh(app, "sam")
    item = old_item(app)
    sam.post("/vocabulary/", {"form": "garment", "kind": "", "garment_en": "вест"})
    sam.post("/vocabulary/", {**TEAL, "ru_f": ""})
    sam.post("/vocabulary/", TEAL)
    sam.post("/desk/lost/retention", {"retention_days": "x"})
    sam.post(f"/desk/lost/{item.number}/dispose", {"method": "", "handled_by": "", "disposed_at": "99:99"})
    for path in ("/vocabulary/", "/desk/lost/disposal", f"/desk/lost/{item.number}"):
        assert sam.get(path).status_code == 200, path
    sam.post(f"/desk/lost/{item.number}/dispose", {"method": "destroyed", "handled_by": "Li"})
    for path in (f"/desk/lost/{item.number}", f"/desk/lost/{item.number}?print=1", "/desk/lost/disposal"):
        assert sam.get(path).status_code == 200, path
    assert missing == set()


def test_a_place_a_case_names_is_retired_never_removed(app):
    from broadcaster.settings import load_settings

    places = [{"names": {"zh-CN": "旋转木马", "en": "Carousel"}, "meeting_point": False},
              {"names": {"zh-CN": "游客中心", "en": "Visitor Centre"}, "meeting_point": True}]
    save_settings({"places": places, "setup_pending": []})
    app.extensions["pa"].settings.places = places
    case = open_case(Browser(app, "dora"), {**LOST_CHILD, "last_seen_place": "旋转木马", "meeting_point": "游客中心"})
    ada = zh(app, "ada")
    form = {"rows": "1", "place-0-zh-CN": "游客中心", "place-0-en": "Visitor Centre", "place-0-meeting": "1"}
    gone = ada.post("/setup/places", form)
    assert gone.status_code == 400 and f"案件 {case} 用到了地点“旋转木马”" in text_of(gone.get_data(as_text=True))
    assert load_settings().places == places
    retired = {**form, "rows": "2", "place-1-zh-CN": "旋转木马", "place-1-en": "Carousel", "place-1-retired": "1"}
    assert ada.post("/setup/places", retired).status_code == 302
    assert load_settings().places[1] == {**places[0], "retired": True}
    desk = zh(app, "dora")
    assert 'value="旋转木马"' not in desk.get("/desk/").get_data(as_text=True)  # no longer offered
    assert "旋转木马" in text_of(desk.get(f"/desk/cases/{case}").get_data(as_text=True))  # still said
