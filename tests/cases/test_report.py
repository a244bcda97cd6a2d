"""The monthly report of a seeded month: counts, medians, reunited within 10/30 minutes, complaint
categories, follow-up satisfaction; as CSV and as a PDF with the Chinese font embedded."""
from __future__ import annotations

import csv
import io

import pytest

from broadcaster.cases.report import monthly_report, parse_month, rows
from broadcaster.cases.report_pdf import cjk_font, render_pdf
from broadcaster.errors import ValidationError
from tests.cases.conftest import SHANGHAI
from tests.cases.seed import seed_month


def test_the_seeded_month(staff, clock):
    seed_month(staff, clock)
    r = monthly_report(staff, 2026, 11, SHANGHAI)
    person, complaint = r["kinds"]["person"], r["kinds"]["complaint"]
    assert (person["count"], person["reunited"], person["within_10"], person["within_30"]) == (3, 3, 1, 2)
    assert person["median_minutes"] == 25.0
    assert r["kinds"]["lost_item"] == {"count": 1, "resolved": 1, "median_minutes": 120.0}
    assert complaint["count"] == 4 and complaint["median_minutes"] == 150.0  # answered after 1, 2, 3, 30 h
    assert complaint["by_category"] == {"service_attitude": 1, "cleanliness": 2, "safety_hazard": 0,
                                        "facility": 1, "other": 0}
    assert r["kinds"]["incident"]["count"] == 1 and r["kinds"]["incident"]["hospital"] == 1
    # the call that did not reach the visitor is counted apart and has no part in the averages
    assert r["satisfaction"]["complaint"] == {"visits": 2, "unreachable": 1, "satisfaction": 4.0, "attitude": 4.5,
                                              "timeliness": 3.0}
    assert r["satisfaction"]["person"]["visits"] == 0
    assert monthly_report(staff, 2026, 10, SHANGHAI)["kinds"]["complaint"]["count"] == 0
    flat = rows(r)
    assert ("person", "reunited within 10 min", "1") in flat and ("complaint", "median time to resolve", "2.5 h") in flat


def test_month_must_be_a_month(clock):
    assert parse_month("2026-11", clock.now(), SHANGHAI) == (2026, 11)
    assert parse_month(None, clock.now(), SHANGHAI) == (2026, 11)
    for bad in ("2026-13", "Nov", "2026/11"):
        with pytest.raises(ValidationError):
            parse_month(bad, clock.now(), SHANGHAI)


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font installed (fonts-wqy-microhei)")
def test_pdf_embeds_the_chinese_font(staff, clock):
    seed_month(staff, clock)
    r = monthly_report(staff, 2026, 11, SHANGHAI)
    data, localised = render_pdf(r, [("投诉", "类别: 清洁卫生", "2")], "客服工作月度统计 2026-11",
                                 charts={"各类案件数量": [("投诉", 4), ("寻人", 3)]})
    assert data.startswith(b"%PDF") and localised
    assert b"FontFile2" in data  # the (subset) font is inside the file: it prints anywhere


def test_panel_report_csv_and_pdf(browser, staff, clock):
    seed_month(staff, clock)
    dora = browser("dora")
    dora.get("/lang/zh")
    html = dora.get("/cases/report/?month=2026-11").get_data(as_text=True)
    assert html.count("<svg") == 4 and "清洁卫生" in html and "10 分钟内团聚" in html
    resp = dora.get("/cases/report/?month=2026-99")
    assert resp.status_code == 400 and 'id="err-month"' in resp.get_data(as_text=True)
    text = dora.get("/cases/report/2026-11.csv").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["月份", "案件类型", "统计项", "数值"]
    assert ["2026-11", "投诉", "类别: 清洁卫生", "2"] in table
    assert ["2026-11", "寻人", "30 分钟内团聚", "2"] in table
    assert ["2026-11", "投诉", "未联系上的回访", "1"] in table and ["2026-11", "投诉", "已回访", "2"] in table
    pdf = dora.get("/cases/report/2026-11.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert browser("bob").get("/cases/report/").status_code == 403


def test_pdf_in_english_without_a_chinese_font(browser, staff, clock, monkeypatch):
    import broadcaster.cases.report_pdf as report_pdf

    monkeypatch.setattr(report_pdf, "CJK_FONTS", ())
    monkeypatch.delenv("PA_CJK_FONT", raising=False)
    seed_month(staff, clock)
    dora = browser("dora")
    dora.get("/lang/zh")
    pdf = dora.get("/cases/report/2026-11.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and b"FontFile2" not in pdf.data
