"""The script editor offers the venue's languages by name (a zh-CN + ru venue gets Chinese and Russian,
not English; no language codes to type), and a text whose language is not chosen is refused beside it,
kept as typed, with nothing stored. Real SQLite."""
from __future__ import annotations

import re

from tests.web.conftest import Browser


def count(app) -> int:
    from sqlalchemy import func, select

    from broadcaster.store.models.workflow import Announcement

    with app.extensions["pa"].db.session() as s:
        return s.scalar(select(func.count()).select_from(Announcement))


def chosen(page: str) -> list[str]:
    return [re.search(r'<option value="([^"]*)" selected>', sel).group(1) if "selected" in sel else ""
            for sel in re.findall(r'<select name="lang_\d".*?</select>', page, re.S)]


def test_a_chinese_and_russian_venue_gets_its_languages_by_name(app):
    app.extensions["pa"].settings.languages = ["zh-CN", "ru"]
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    page = bob.get("/scripts/new").get_data(as_text=True)
    assert chosen(page)[:2] == ["zh-CN", "ru"]
    first = re.search(r'<select name="lang_1".*?</select>', page, re.S).group(0)
    assert "俄语" in first and "普通话" in first and ">zh-CN<" not in first and ">ru<" not in first
    assert 'placeholder="语言"' not in page


def test_a_text_without_its_language_is_refused_beside_it_and_kept(app):
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    before = count(app)
    resp = bob.post("/scripts/new", {"title": "", "lang_1": "zh-CN", "text_1": "欢迎光临。", "lang_2": "",
                                     "text_2": "Welcome.", "priority": "announcement"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and count(app) == before
    assert "请选择这段文本的语言" in re.search(r'id="err-text_2">(.*?)</span>', page, re.S).group(1)
    assert 'id="err-title"' in page  # every error at once
    assert "Welcome.</textarea>" in page and "欢迎光临。</textarea>" in page
