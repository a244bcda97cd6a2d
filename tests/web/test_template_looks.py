"""A venue installed before the height and hair lists has approved page templates that never say them
(issue 11). The panel tells the supervisor and the admin, the admin adds them in one press, and the
approved wording goes on airing until a supervisor other than the admin approves the new one: the desk
is never left without its lost-child page while the change waits. Real SQLite, real panel."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from broadcaster.paging.defaults import DEFAULTS
from broadcaster.store.models.cases import Page, PageTemplate
from tests.desk.test_bilingual_pages import venue
from tests.web.conftest import Browser
from tests.web.test_desk_defects import open_case, text_of
from tests.web.test_desk_looks import URGENT
from tests.web.test_desk_keeping import rows

HEIGHT_EN, HEIGHT_ZH = "about 100-120 cm tall", "身高约100-120厘米"


@pytest.fixture
def older_venue(make_app, approved_templates, staff):
    """The default templates approved as an install before the lists had them: no {looks}."""
    with staff.session() as s:
        for tpl in s.scalars(select(PageTemplate)):
            tpl.texts = {lang: text.replace("{looks}", "") for lang, text in tpl.texts.items()}
    venue("zh-CN", "en")
    return make_app()


def page_texts(app) -> dict:
    return rows(app, Page)[-1].texts


def test_an_older_template_is_flagged_given_height_and_hair_and_airs_meanwhile(older_venue):
    app, pa = older_venue, older_venue.extensions["pa"]
    lost_child = next(x for x in pa.templates.list() if x.key == "lost_child")
    on_air = dict(lost_child.texts)
    sam, ada, dora = Browser(app, "sam"), Browser(app, "ada"), Browser(app, "dora")
    listed = text_of(sam.get("/approvals/templates").get_data(as_text=True))
    assert "templates do not say the height and hair the desk picks" in listed
    assert "An admin adds them" in listed and "{looks}" not in listed

    shown = ada.get("/setup/templates").get_data(as_text=True)
    assert shown.count('class="looks"') == sum("{looks}" in texts["en"] for *_, texts in DEFAULTS.values()) == 3
    assert ada.post(f"/setup/templates/{lost_child.id}/looks").status_code == 302
    waiting = pa.templates.get(lost_child.id)
    assert waiting.texts == on_air and waiting.status.value == "approved"  # still what airs
    assert "{age}岁{looks}的" in waiting.draft_texts["zh-CN"] and "{age}{looks}," in waiting.draft_texts["en"]

    open_case(dora, {**URGENT, "height_band": "100-120cm"})  # the desk pages meanwhile: the approved wording
    assert "5岁的女孩" in page_texts(app)["zh-CN"] and HEIGHT_EN not in page_texts(app)["en"]

    inbox = text_of(sam.get("/approvals/").get_data(as_text=True))
    assert "version 2, replaces version 1 on air" in inbox and "[Height and hair, if picked]" in inbox
    assert ada.post(f"/approvals/templates/{lost_child.id}/approve").status_code == 403  # four-eyes
    assert pa.templates.get(lost_child.id).texts == on_air
    assert sam.post(f"/approvals/templates/{lost_child.id}/approve").status_code == 302
    assert pa.templates.get(lost_child.id).version == 2

    open_case(dora, {**URGENT, "height_band": "100-120cm", "reporter_name": "李雷"})
    texts = page_texts(app)
    assert HEIGHT_ZH in texts["zh-CN"] and HEIGHT_EN in texts["en"], texts
    assert "does not say the height" not in ada.get("/setup/templates").get_data(as_text=True).split(
        f'id="template-{lost_child.id}"')[1].split('class="tpl"')[0]


def test_a_supervisor_turns_the_new_wording_down_and_the_approved_one_stays(older_venue):
    app, pa = older_venue, older_venue.extensions["pa"]
    tpl = next(x for x in pa.templates.list() if x.key == "found_child")
    Browser(app, "ada").post(f"/setup/templates/{tpl.id}/looks")
    assert pa.templates.get(tpl.id).draft_texts is not None
    sam = Browser(app, "sam")
    assert sam.post(f"/approvals/templates/{tpl.id}/set-aside").status_code == 302
    kept = pa.templates.get(tpl.id)
    assert (kept.texts, kept.draft_texts, kept.version) == (tpl.texts, None, tpl.version)
    assert sam.post(f"/approvals/templates/{tpl.id}/set-aside").status_code == 409  # nothing waits now
    assert f'id="template-{tpl.id}"' not in sam.get("/approvals/").get_data(as_text=True)

