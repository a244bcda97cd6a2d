"""One table names the languages on the panel (web.i18n.LANGUAGE_NAMES): a page text's label on the case
page, the approvals, the handover's speech checks and the refusals say the same name."""
from __future__ import annotations

from flask import g

from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case, text_of
from tests.web.test_desk_keeping import zh


def test_one_name_per_language_everywhere(app):
    import web.airwords
    from web.approvals import language
    from web.i18n import language_name
    from web.refusals import refusal

    assert not hasattr(web.airwords, "LANGUAGE_WORDS")
    with app.test_request_context("/"):
        g.pa_lang = "zh"
        assert [language_name(c) for c in ("zh-CN", "zh-cn", "en-GB", "yue", "ru", "zh", "xx")] == \
            ["普通话", "普通话", "英语", "粤语", "俄语", "中文", "xx"]
        assert language("zh-CN") == language_name("zh-CN")
        assert "普通话" in refusal("the zh-CN text of this page would mix languages: pick the places and the clothing "
                                "from the lists, or give a remark in every language")
    dora = zh(app, "dora")
    number = open_case(dora, LOST_CHILD)
    said = text_of(dora.get(f"/desk/cases/{number}").get_data(as_text=True).split('id="pages"')[1])
    assert "普通话" in said and "英语" in said and "zh-CN" not in said
