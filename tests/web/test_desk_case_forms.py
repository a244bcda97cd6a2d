"""The case page's forms and the lost-property claim refused: the same page again, each error beside its
field in the staff's language, all at once, what was typed kept, and nothing stored (never the bare
error page). Real SQLite, real panel (Flask test client)."""
from __future__ import annotations

import html as htmllib
import re

import pytest

from broadcaster.store.models.cases import CaseEvent, LostItem, Page, PersonCase
from tests.desk.test_bilingual_pages import venue
from tests.web.test_desk_defects import open_case
from tests.web.test_desk_keeping import rows, zh
from tests.web.test_desk_looks import URGENT


@pytest.fixture
def desk_app(make_app, approved_templates):
    venue("zh-CN", "en")
    return make_app()


def refused_here(resp, *fields: str) -> str:
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "操作未执行" not in page and 'id="form-error"' in page
    for field in fields:
        assert f'class="field-error" id="err-{field}"' in page, field
    return htmllib.unescape(page)


def test_case_forms_refused_show_the_case_page_with_errors_beside_fields_and_keep_the_input(desk_app):
    desk_app.config["I18N_MISSING"] = missing = set()
    dora = zh(desk_app, "dora")
    number = open_case(dora, URGENT)
    events = len(rows(desk_app, CaseEvent))
    page = refused_here(dora.post(f"/desk/cases/{number}/resolve", {"state": "closed", "result": ""}), "result")
    assert "结案需要填写结果" in page and 'value="closed" selected' in page
    long = "很" * 501
    page = refused_here(dora.post(f"/desk/cases/{number}/resolve", {"state": "closed", "result": long}), "result")
    assert f'value="{long}"' in page
    [case] = rows(desk_app, PersonCase)
    assert case.state.value == "paged" and not case.result
    refused_here(dora.post(f"/desk/cases/{number}/note", {"note": "  "}), "note")
    page = refused_here(dora.post(f"/desk/cases/{number}/note", {"note": "记" * 2001}), "note")
    assert f'value="{"记" * 2001}"' in page
    pages = len(rows(desk_app, Page))
    page = refused_here(dora.post(f"/desk/cases/{number}/page", {"template": "", "remark_zh-CN": "手拿气球",
                                                                 "remark_en": ""}), "remark_en")
    assert 'value="手拿气球"' in page and 'id="err-remark_zh-CN"' not in page
    assert len(rows(desk_app, Page)) == pages and len(rows(desk_app, CaseEvent)) == events and missing == set()


def test_an_empty_claim_is_refused_beside_its_labelled_fields(desk_app):
    desk_app.config["I18N_MISSING"] = missing = set()
    dora = zh(desk_app, "dora")
    dora.post("/desk/lost", {"category": "钱包", "where_found": "旋转木马", "finder": "Li", "storage_place": "Safe"})
    [item] = rows(desk_app, LostItem)
    form = dora.get("/desk/lost").get_data(as_text=True)
    assert f'for="f-{item.number}-owner_name">失主姓名 <span class="req"' in form
    p = f"{item.number}-"
    page = refused_here(dora.post(f"/desk/lost/{item.number}/claim", {"owner_name": "张三", "owner_identity": "",
                                                                       "verification_note": ""}),
                        p + "owner_identity", p + "verification_note")
    assert 'value="张三"' in page and "<details open>" in page and f'id="err-{p}owner_name"' not in page
    [item] = rows(desk_app, LostItem)
    assert item.state.value == "stored" and missing == set()


def test_page_again_shows_the_text_in_every_language_before_it_airs(desk_app):
    desk_app.config["I18N_MISSING"] = missing = set()
    from broadcaster.store.models.onair import Airing

    dora = zh(desk_app, "dora")
    number = open_case(dora, URGENT)
    pages, airs = len(rows(desk_app, Page)), len(rows(desk_app, Airing))
    form = dora.get(f"/desk/cases/{number}").get_data(as_text=True)
    assert 'id="show-page"' in form and 'id="page-now"' not in form  # only after reading it
    for pressed in ({"template": ""}, {"template": "", "show": "1"}):  # pressed at once: shown first
        resp = dora.post(f"/desk/cases/{number}/page", pressed)
        shown = htmllib.unescape(resp.get_data(as_text=True))
        assert resp.status_code == 200 and 'id="page-preview"' in shown and 'id="page-now"' in shown
        said = shown[shown.index('id="page-preview"'):shown.index("</div>", shown.index('id="page-preview"'))]
        assert "旋转木马" in said and "Carousel" in said and 'lang="en"' in said
        assert len(rows(desk_app, Page)) == pages and len(rows(desk_app, Airing)) == airs
    seen = re.search(r'name="seen" value="(\w+)"', shown)[1]
    assert dora.post(f"/desk/cases/{number}/page", {"template": "", "seen": seen}).status_code == 302
    assert len(rows(desk_app, Page)) == pages + 1 and missing == set()
