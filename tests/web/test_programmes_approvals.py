"""The approvals inbox in the supervisors' words (Flask client): each item says which version it is and
which version on air it replaces; no ids ("#1"), priority numbers ("P50"), language codes ("[zh-CN]")
or internal states on the page, in English and in Chinese."""
from __future__ import annotations

import re

from tests.web.conftest import Browser
from tests.web.test_programmes_script_versions import approve
from tests.web.test_scripts import new_script


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def internal(text: str) -> list[str]:
    return re.findall(r"#\d+|\bP\d{2,3}\b|\[[a-z]{2}(?:-[A-Z]{2})?\]|\bzh-CN\b|pending_approval|_tpl\b", text)


def test_the_inbox_says_which_version_each_item_is_in_words(app, approved_templates):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    edited = new_script(bob, title="Closing time")
    bob.post(f"/scripts/{edited}/submit")
    approve(app, sam, edited)
    bob.post(f"/scripts/{edited}", {"title": "Closing time", "lang_1": "zh-CN", "text_1": "园区六点闭园。",
                                    "lang_2": "en", "text_2": "We close at six.", "priority": "50"})
    bob.post(f"/scripts/{edited}/submit")
    fresh = new_script(bob, title="Parade at three")
    bob.post(f"/scripts/{fresh}/submit")
    tpl = approved_templates.list()[0]
    approved_templates.edit(tpl.id, "dora", texts={"en": "A {sex} child is waiting at {meeting_point}."})

    page = text_of(sam.get("/approvals/").get_data(as_text=True))
    assert "Closing time version 2, replaces version 1 on air" in page
    assert "Parade at three version 1, new" in page
    assert "version 2, replaces version 1" in page.split("Templates", 1)[1]
    assert "English:" in page and internal(page) == []

    one = text_of(sam.get(f"/approvals/announcements/{edited}").get_data(as_text=True))
    assert "version 2, replaces version 1 on air" in one and "Priority: normal" in one
    assert "Mandarin:" in one and "English:" in one and "submitted" in one
    assert internal(one) == [] and "P50" not in one

    sam.get("/lang/zh")
    zh = text_of(sam.get("/approvals/").get_data(as_text=True))
    assert "第 2 版，替换正在播出的第 1 版" in zh and "第 1 版（新稿）" in zh and internal(zh) == []
    one = text_of(sam.get(f"/approvals/announcements/{edited}").get_data(as_text=True))
    assert "优先级: 普通" in one and "普通话:" in one and "已提交" in one and internal(one) == []
    assert not re.search(r"→ (submitted|approved|draft)\b", one)
