"""A case's timeline and its pages table name each page by its number in the case (1, 2, ...), in the
staff's language, never by the database's id ("page #4"); the Flask test client as desk staff, SQLite."""
from __future__ import annotations

import re

from tests.web.conftest import Browser
from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_timeline_and_pages_say_the_page_number_in_the_case(app):
    pa = app.extensions["pa"]
    b = Browser(app, "dora")
    open_case(b, LOST_CHILD)  # another case's page takes the first ids
    number = open_case(b, dict(LOST_CHILD, age="7", person_name="李雷"))
    pa.paging.page_case(number, "dora")  # paged again
    pa.paging.resolve(number, "dora", "reunited", result="与母亲团聚", all_clear=False)
    ids = sorted(p.id for p in pa.paging.pages(case_number=number))
    assert ids[0] > 1 and len(ids) == 2
    b.get("/lang/zh")
    html = b.get(f"/desk/cases/{number}").get_data(as_text=True)
    timeline = text_of(html.split('id="timeline"')[1])
    assert "第 1 条广播" in timeline and "第 2 条广播" in timeline
    assert not re.search(r"#\s*\d", timeline), timeline  # no id anywhere on the timeline
    pages = html.split('id="pages"')[1].split("</table>")[0]
    assert re.findall(r'<td data-label="序号">(\d+)</td>', pages) == ["1", "2"]  # headed in staff words, not "#"
    assert "<th>#</th>" not in pages
    b.get("/lang/en")
    timeline = text_of(b.get(f"/desk/cases/{number}").get_data(as_text=True).split('id="timeline"')[1])
    assert "page 1" in timeline and "page 2" in timeline and not re.search(r"#\s*\d", timeline)
