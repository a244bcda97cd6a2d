"""A follow-up visit moves its case on: what the history then says in the staff's language, and what the
monthly report counts (the Flask test client, logged in as real staff, on SQLite)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from broadcaster.cases.report import monthly_report
from broadcaster.store.models.desk import Complaint
from tests.cases.conftest import complaint_form

SHANGHAI = ZoneInfo("Asia/Shanghai")


def answered_complaint(dora) -> str:
    number = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    assert dora.post(f"/cases/complaints/{number}/answer", {"result": "已补充纸巾"}).status_code == 303
    return number


def resolved(db) -> int:
    return monthly_report(db, 2026, 11, SHANGHAI)["kinds"]["complaint"]["resolved"]


def test_not_satisfied_at_the_visit_is_said_in_chinese_and_is_no_longer_answered(browser, staff):
    dora = browser("dora")
    dora.get("/lang/zh")
    number = answered_complaint(dora)
    assert resolved(staff) == 1
    resp = dora.post(f"/cases/visits/complaint/{number}", {"satisfaction": "1", "attitude": "2", "timeliness": "3",
                                                          "remarks": "纸巾又没了"})
    assert resp.status_code == 303
    page = dora.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert "回访时游客不满意: 纸巾又没了" in page and "not satisfied" not in page
    with staff.session() as s:  # back in handling: not answered, as when the desk reopens it by hand
        c = s.scalar(select(Complaint))
        assert c.state.value == "in_handling" and c.answered_at is None and c.result == "已补充纸巾"
    assert resolved(staff) == 0  # the report counted it as resolved while the visitor waited
    dora.get("/lang/en")
    page = dora.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert "Not satisfied at the follow-up visit: 纸巾又没了" in page
    assert dora.post(f"/cases/complaints/{number}/answer", {"result": "每小时检查"}).status_code == 303
    assert resolved(staff) == 1


def test_incident_visit_without_remarks_is_said_in_chinese(browser, staff):
    dora = browser("dora")
    dora.get("/lang/zh")
    resp = dora.post("/cases/incidents/", {"place": "滑梯", "injury": "擦伤膝盖"})
    number = resp.headers["Location"].rsplit("/", 1)[1]
    assert dora.post(f"/cases/incidents/{number}", {"step": "first_aid", "detail": "消毒包扎"}).status_code == 303
    resp = dora.post(f"/cases/visits/incident/{number}", {"satisfaction": "5", "attitude": "5", "timeliness": "5"})
    assert resp.status_code == 303
    page = dora.get(f"/cases/incidents/{number}").get_data(as_text=True)
    steps = page.split('class="pre">')[1:]
    assert any(x.startswith("回访</td>") for x in steps) and "follow-up visit" not in page


def test_person_case_visit_detail_in_chinese(app):
    from flask import g

    from web.deskform import timeline_detail

    with app.test_request_context("/"):
        g.pa_lang = "zh"
        assert timeline_detail("satisfaction 4/5 家长很满意") == "满意度 4/5 家长很满意"
        assert timeline_detail("satisfaction 5/5") == "满意度 5/5"


def test_handover_open_cases_say_their_state_in_words(browser, staff):
    dora = browser("dora")
    dora.get("/lang/zh")
    number = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    assert dora.post(f"/cases/complaints/{number}/handle", {"department": "保洁部"}).status_code == 303
    incident = dora.post("/cases/incidents/", {"place": "滑梯", "injury": "擦伤"}).headers["Location"].rsplit("/", 1)[1]
    assert dora.post(f"/cases/incidents/{incident}", {"step": "first_aid", "detail": "包扎"}).status_code == 303
    resp = dora.post("/cases/handover/", {"shift": "早班 → 中班"})
    page = dora.get(resp.headers["Location"]).get_data(as_text=True)
    cases = page.split('id="open-cases">')[1].split("</dd>")[0]
    assert f"{number} 处理中" in cases and f"{incident} 现场急救" in cases
    assert "in_handling" not in cases and "first_aid" not in cases
