"""The schedule's rule form in staff words (issue 11): every error at once beside its field, none of
the internal field names or Python values, and rules described in the UI language."""
from __future__ import annotations

import re

from tests.web.conftest import Browser


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main>"):]))


def test_rule_errors_all_at_once_in_staff_words_and_chinese_descriptions(app):
    bob = Browser(app, "bob")
    assert bob.post("/schedule/programmes", {"name": "Parade call", "items": "chime programme\nsilence 2",
                                             "priority": "programme", "zones": "main"}).status_code == 302
    bad = bob.post("/schedule/rules", {"programme": "Parade call", "kind": "interval", "every_minutes": "",
                                       "window_start": "", "window_end": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="err-every_minutes"' in html and 'id="err-window_start"' in html
    text = visible(html)
    assert "every_minutes" not in text and "None" not in text and "1..1440" not in text
    assert app.extensions["pa"].programmes.rules() == []
    assert bob.post("/schedule/rules", {"programme": "Parade call", "kind": "weekly", "days": ["mon", "wed"],
                                        "at": "14:30"}).status_code == 302
    bob.get("/lang/zh", headers={"Referer": "http://localhost/"})
    text = visible(bob.get("/schedule/rules").get_data(as_text=True))
    assert "每周一、周三 14:30" in text and "weekly" not in text


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_rules_are_named_by_their_programme_and_time_never_by_number(app):
    bob = Browser(app, "bob")
    assert bob.post("/schedule/programmes", {"name": "Parade call", "items": "chime programme\nsilence 2",
                                             "priority": "programme", "zones": "main"}).status_code == 302
    for at in ("09:15", "14:30"):  # a few rules, so that their numbers would show
        assert bob.post("/schedule/rules", {"programme": "Parade call", "kind": "daily", "at": at}).status_code == 302
    rule_id = app.extensions["pa"].programmes.rules()[-1].rule_id
    html = bob.get("/schedule/rules").get_data(as_text=True)
    assert f"/schedule/rules/{rule_id}/edit" in html  # the links keep the rule's id
    table = html[html.index('id="rules"'):html.index("</table>")]
    assert "<th>#</th>" not in table and not re.search(rf"<td>\s*{rule_id}\s*</td>", table)
    edit = bob.get(f"/schedule/rules/{rule_id}/edit")
    assert edit.status_code == 200
    heading = words(re.search(r"<h2>.*?</h2>", edit.get_data(as_text=True), re.S)[0])
    assert "Parade call" in heading and "14:30" in heading and "#" not in heading and str(rule_id) not in heading
    bob.get("/lang/zh", headers={"Referer": "http://localhost/"})
    html = bob.get(f"/schedule/rules/{rule_id}/edit").get_data(as_text=True)
    heading = words(re.search(r"<h2>.*?</h2>", html, re.S)[0])
    assert "编辑“Parade call”的规则" in heading and "14:30" in heading and "#" not in heading
