"""The schedule's forms in the staff's words: a priority chosen by its name (never a number or a stored
value to type, nor those values in an error), every refusal beside its field in the staff's language
(a bad except-date, an unknown zone, a programme's name taken), nothing stored. Real SQLite."""
from __future__ import annotations

import re
from datetime import time

from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec
from tests.web.conftest import Browser


def errors(resp) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" id="err-([\w-]+)">(.*?)</span>', resp.get_data(as_text=True), re.S))


def test_priority_is_chosen_by_name_and_the_rules_table_says_it(app):
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Evening", [ItemSpec("chime", chime="programme")])
    programmes.add_rule(p.id, RuleSpec(kind="daily", at=time(17, 30)), priority=50)
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    page = sam.get("/schedule/rules").get_data(as_text=True)
    table = re.sub(r"<[^>]+>", " ", page[page.index('<table'):page.index('</table>')])
    assert "通知广播" in table and " 50 " not in table
    form = page[page.index('id="f-priority"'):]
    assert form.startswith('id="f-priority" name="priority"') and "<select" in page[page.index('for="f-priority"'):
                                                                                         page.index('id="f-priority"')]
    new = sam.get("/schedule/programmes/new").get_data(as_text=True)
    assert re.search(r'<select id="f-priority" name="priority"[^>]*><option value="announcement">通知广播</option>',
                     new)


def test_rule_refusals_are_beside_their_fields_in_chinese_and_nothing_is_stored(app):
    programmes = app.extensions["pa"].programmes
    programmes.create_programme("Evening", [ItemSpec("chime", chime="programme")])
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    resp = sam.post("/schedule/rules", {"programme": "Evening", "kind": "daily", "at": "18:00", "except_dates": "junk"})
    assert resp.status_code == 400 and "2026-11-26" in errors(resp)["except_dates"] and programmes.rules() == []
    resp = sam.post("/schedule/rules", {"programme": "Evening", "kind": "daily", "at": "18:00", "zones": "nowhere"})
    assert resp.status_code == 400 and programmes.rules() == []
    assert errors(resp)["zones"] == "没有分区 nowhere；本场馆的分区是 全场"
    resp = sam.post("/schedule/programmes/new", {"name": "Evening", "piece_0": "chime:programme", "zones": "main",
                                                 "priority": "programme"})
    assert resp.status_code == 400 and "已有名为 &#39;Evening&#39; 的节目" in resp.get_data(as_text=True)
    assert [p.name for p in programmes.list_programmes()] == ["Evening"]
