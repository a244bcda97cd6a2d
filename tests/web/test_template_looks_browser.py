"""Chromium at 390 px in Chinese and at 1280 px in English (issue 11): a venue installed before the height
and hair lists. The admin sees which templates never say them and adds them in one press; the supervisor
reads the new wording beside the one on air and approves it. Screenshots go to /tmp/pa-screenshots
(docs/ with PA_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from tests.web.test_browser import CHROMIUM, chromium, login, shot  # noqa: F401 (fixture)
from tests.web.test_setup_browser import context, no_side_scroll
from tests.web.test_template_looks import older_venue  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def server(older_venue):  # noqa: F811
    from broadcaster.commands.serve import Panel

    panel = Panel(older_venue, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), older_venue
    panel.stop()


@pytest.mark.parametrize("width, lang", [(390, "zh"), (1280, "en")])
def test_the_admin_adds_height_and_hair_and_the_supervisor_approves_them(server, chromium, width, lang):
    base, app = server
    pa = app.extensions["pa"]
    tpl = next(x for x in pa.templates.list() if x.key == "lost_child")
    admin = context(chromium, width, lang)
    admin.goto(f"{base}/lang/{lang}")
    login(admin, base, "ada")
    admin.goto(f"{base}/approvals/templates")
    notice = admin.inner_text("#templates-looks")
    assert ("3 个模板不会播报" if lang == "zh" else "3 templates do not say the height and hair") in notice, notice
    admin.click("#templates-looks a")
    button = admin.locator(f"#template-{tpl.id} form.looks button")
    assert no_side_scroll(admin) and (width > 600 or button.bounding_box()["height"] >= 44)  # a touch target
    shot(admin, f"template-looks-{lang}-{width}")
    button.click()
    admin.wait_for_selector(f"#template-{tpl.id} .draft")
    said = admin.inner_text(f"#template-{tpl.id} .draft")
    assert ("[身高和头发（如已选择）]" if lang == "zh" else "[Height and hair, if picked]") in said, said
    assert "{looks}" not in said and admin.locator(f"#template-{tpl.id} form.looks").count() == 0
    assert pa.templates.get(tpl.id).status.value == "approved"  # the wording on air airs on meanwhile
    admin.context.close()

    sup = context(chromium, width, lang)
    sup.goto(f"{base}/lang/{lang}")
    login(sup, base, "sam")
    sup.goto(f"{base}/approvals/")
    card = sup.locator(f"#template-{tpl.id}")
    assert ("第 2 版，替换正在播出的第 1 版" if lang == "zh" else "version 2, replaces version 1 on air") in card.inner_text()
    assert no_side_scroll(sup)
    shot(sup, f"template-looks-approve-{lang}-{width}")
    card.locator("button.primary").click()
    sup.wait_for_load_state()
    approved = pa.templates.get(tpl.id)
    assert approved.draft_texts is None and "{looks}" in approved.texts["en"] and approved.version == 2
    sup.context.close()
