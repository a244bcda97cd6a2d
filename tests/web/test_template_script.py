"""The page-template editor refuses wording the pages could never air, beside that language's box and in
the staff's words: a Chinese text in Latin letters, unknown placeholders, {name} in a child's template."""
from __future__ import annotations

import re

from tests.web.conftest import Browser


def zh(app, name: str) -> Browser:
    b = Browser(app, name)
    b.get("/lang/zh", headers={"Referer": "http://localhost/"})
    return b


def _error(html: str, field: str) -> str:
    m = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    return m[1] if m else ""


def _tpl(app, key):
    return next(x for x in app.extensions["pa"].templates.list() if x.key == key)


def test_a_chinese_wording_in_latin_letters_is_refused_beside_its_box_and_nothing_is_stored(app):
    tpl = _tpl(app, "lost_child")
    ada = zh(app, "ada")
    resp = ada.post(f"/setup/templates/{tpl.id}", {"text_zh-CN": "Attention {age} {sex} 请到{meeting_point}",
                                                  "text_en": tpl.texts["en"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "只用中文" in _error(html, "text_zh-CN") and not _error(html, "text_en")
    again = app.extensions["pa"].templates.get(tpl.id)
    assert again.texts == tpl.texts and again.draft_texts is None  # nothing stored


def test_the_editors_refusals_are_in_chinese_and_name_placeholders_in_staff_words(app):
    tpl = _tpl(app, "lost_child")
    ada = zh(app, "ada")
    resp = ada.post(f"/setup/templates/{tpl.id}", {"text_zh-CN": "请{person_name}的家人到{meeting_point}",
                                                  "text_en": "The family of {name}, please come."})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    unknown, named = _error(html, "text_zh-CN"), _error(html, "text_en")
    assert "{person_name}" in unknown and "{age}（年龄）" in unknown and "寻人" in unknown
    assert "case_number," not in unknown and "unknown placeholder" not in unknown
    assert "{name}" in named and "不报姓名" in named and "template usable" not in named


def test_brace_mistakes_are_said_in_chinese(app):
    tpl = _tpl(app, "lost_child")
    ada = zh(app, "ada")
    resp = ada.post(f"/setup/templates/{tpl.id}", {"text_zh-CN": "请到{meeting_point", "text_en": "Come to {age!r}."})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "花括号没有成对" in _error(html, "text_zh-CN") and "占位符 {age}" in _error(html, "text_en")
    assert "plain field name" not in html and "Single" not in html


def test_four_eyes_names_the_template_by_its_title(app):
    tpl = _tpl(app, "lost_child")
    ada = zh(app, "ada")
    texts = {f"text_{lang}": text for lang, text in tpl.texts.items()}
    texts["text_en"] = texts["text_en"] + " Thank you."
    assert ada.post(f"/setup/templates/{tpl.id}", texts).status_code == 302
    resp = ada.post(f"/approvals/templates/{tpl.id}/approve")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "走失儿童（描述）" in html and "lost_child" not in html


def test_refusals_name_languages_by_name(app):
    from web.refusals import refusal

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        said = refusal("the zh-CN text of this page would mix languages: pick the places and the clothing from the "
                       "lists, or give a remark in every language")
        assert "zh-CN" not in said and "普通话" in said
        said = refusal("template Lost child (description) has no ru text yet: an admin adds it and a supervisor "
                       "approves it")
        assert "走失儿童（描述）" in said and "俄语" in said and " ru " not in said
