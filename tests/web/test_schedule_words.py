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
