"""Chromium at 390 px, in Chinese: the admin words a page template with emoji only and a control
character (it would air as chimes and silence); the editor stays open with each error beside its
language's text, what was typed kept, and the template unchanged."""
from __future__ import annotations

import re

import pytest

from tests.web import test_browser
from tests.web.test_browser import CHROMIUM, login, shot
from tests.web.test_setup_browser import no_side_scroll

server, chromium = test_browser.server, test_browser.chromium  # the fixtures

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def test_template_wording_with_nothing_to_say_is_refused_beside_its_field(server, chromium):
    base, app = server
    templates = app.extensions["pa"].templates
    tpl = templates.list()[0]
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    login(pg, base, "ada")
    pg.goto(f"{base}/setup/templates")
    form = pg.locator(f"#tpl-{tpl.id}")
    pg.locator(f"#template-{tpl.id} details summary").click()
    form.locator("textarea[name=text_en]").fill("🎉🎈")
    form.locator("textarea[name='text_zh-CN']").fill("请到\u0007服务台")
    form.locator("button[type=submit]").click()
    pg.wait_for_selector("#err-text_en")
    assert pg.locator("#err-text_en").is_visible() and pg.locator("#err-text_zh-CN").is_visible()
    assert all(re.search(r"[\u4e00-\u9fff]", pg.locator(f"#err-{n}").inner_text()) for n in ("text_en", "text_zh-CN"))
    assert pg.locator(f"#tpl-{tpl.id} textarea[name=text_en]").input_value() == "🎉🎈"  # what was typed is kept
    assert no_side_scroll(pg)
    shot(pg, "template-wording-refused-zh-390")
    assert templates.get(tpl.id).texts == tpl.texts and templates.get(tpl.id).version == tpl.version
    ctx.close()
