"""The case page in the staff's words (zh): the timeline names a page's template by its title, never its
key, and says a page waiting for a supervisor in Chinese; each page text is labelled with its language's
name, never its code."""
from __future__ import annotations

from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case, text_of
from tests.web.test_desk_keeping import zh


def test_the_timeline_and_the_page_texts_say_no_keys_or_codes(app):
    dora = zh(app, "dora")
    number = open_case(dora, dict(LOST_CHILD, extra_text="Holding a blue balloon."))
    html = dora.get(f"/desk/cases/{number}").get_data(as_text=True)
    said = text_of(html)
    assert "走失儿童（描述）" in said and "等待主管批准" in said
    for internal in ("lost_child", "free text added", "[zh-CN]", "[en]"):
        assert internal not in said, internal
    assert "普通话" in said and "英语" in said  # one table of language names (web.i18n.LANGUAGE_NAMES)
