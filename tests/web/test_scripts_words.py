"""The Scripts pages in the staff's words (zh): the list's filters and kinds, a priority chosen by name
(never a placeholder "announcement" or a number), and a preview's error naming no texts[...] field."""
from __future__ import annotations

import re

from tests.web.test_desk_defects import text_of
from tests.web.test_desk_keeping import zh


def test_the_scripts_pages_say_staff_words(app):
    bob = zh(app, "bob")
    listed = text_of(bob.get("/scripts/").get_data(as_text=True))
    assert "我的稿件" in listed and "全部稿件" in listed and not re.search(r"\bmine\b|· all\b", listed)
    new = bob.get("/scripts/new").get_data(as_text=True)
    assert 'placeholder="announcement"' not in new
    assert re.search(r'<select name="priority"[^>]*><option value="announcement"( selected)?>通知广播</option>', new)
    ok = bob.post("/scripts/new", {"title": "闭园", "priority": "programme", "lang_1": "zh-CN", "text_1": "园区即将关闭。"})
    assert ok.status_code == 302
    shown = bob.get(ok.headers["Location"]).get_data(as_text=True)
    assert '<option value="programme" selected>节目</option>' in shown


def test_preview_error_names_no_internal_field(app):
    resp = zh(app, "bob").post("/scripts/preview", {"lang_1": "klingon", "text_1": "Qapla'"})
    assert resp.status_code == 400 and "texts[" not in text_of(resp.get_data(as_text=True))


def test_the_scripts_list_names_each_script_by_its_title_not_its_number(app):
    bob = zh(app, "bob")
    for title in ("闭园", "开园"):
        assert bob.post("/scripts/new", {"title": title, "priority": "programme", "lang_1": "zh-CN",
                                         "text_1": "园区即将关闭。"}).status_code == 302
    html = bob.get("/scripts/").get_data(as_text=True)
    table = html[html.index('id="scripts"'):html.index("</table>")]
    assert "<th>#</th>" not in table and not re.search(r"<td>\s*\d+\s*</td>", table)
    assert re.search(r'<a href="/scripts/\d+">闭园</a>', table)  # the title links to the script (its id in the URL)
