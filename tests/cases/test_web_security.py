"""Through the Flask test client: the handover with security (due on the desk board, recorded, missed
ones marked), the case-work settings page (supervisors only; every error beside its field, nothing
stored), a follow-up visit that could not reach the visitor, and every new string in Chinese."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import select

from broadcaster.cases.security_handover import SecurityHandoverService
from broadcaster.settings import stored_settings
from broadcaster.store.models.desk import FollowUpVisit, SecurityHandover
from tests.cases.conftest import SHANGHAI, complaint_form
from tests.web.conftest import Browser


def due_now(staff, clock):
    return next(sl for sl in SecurityHandoverService(staff, clock, SHANGHAI).slots() if sl.state == "due")


def test_security_handover_due_recorded_and_missed(browser, staff, clock):
    clock._now = clock.now().replace(hour=10, minute=0, second=0, microsecond=0, tzinfo=timezone.utc)  # 18:00
    dora = browser("dora")
    board = dora.get("/").get_data(as_text=True).split('id="board-security"')[1].split("</section>")[0]
    assert board.count("<li>") == 5 and board.count("s-escalated") == 4  # four missed, today's 18:00 due
    slot = due_now(staff, clock)
    page = dora.get("/cases/security").get_data(as_text=True)
    assert f'value="{slot.key}" selected' in page and page.count("slot-missed") == 14
    resp = dora.post("/cases/security", {"slot": slot.key, "officer": ""})
    assert resp.status_code == 400 and 'id="err-officer"' in resp.get_data(as_text=True)
    resp = dora.post("/cases/security", {"slot": slot.key, "officer": "王保安", "items": "失物 SW-001 交保安保管"})
    assert resp.status_code == 303
    with staff.session() as s:
        row = s.scalars(select(SecurityHandover)).one()
        assert row.due_at == slot.due_at and row.officer == "王保安" and row.desk_user.name == "dora"
    assert dora.post("/cases/security", {"slot": slot.key, "officer": "李保安"}).status_code == 400
    page = dora.get("/cases/security").get_data(as_text=True)
    assert "王保安" in page and "slot-done" in page
    assert dora.get("/").get_data(as_text=True).split('id="board-security"')[1].count("s-answered") == 0
    assert browser("bob").get("/cases/security").status_code == 403


def test_settings_page_supervisors_only(browser, staff, clock):
    dora, sam = browser("dora"), browser("sam")
    assert dora.get("/cases/settings").status_code == 403
    assert dora.post("/cases/settings", {"complaint_answer_hours": "1", "security_handover_times": "9:00"}
                     ).status_code == 403
    page = sam.get("/cases/settings").get_data(as_text=True)
    assert 'value="24"' in page and 'value="08:00, 18:00"' in page
    resp = sam.post("/cases/settings", {"complaint_answer_hours": "abc", "security_handover_times": "8點"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="err-complaint_answer_hours"' in html
    assert 'id="err-security_handover_times"' in html and 'value="abc"' in html
    assert stored_settings(staff) == {}  # nothing stored
    number = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    clock.advance(hours=3)
    dora, sam = browser("dora"), browser("sam")
    assert 'id="escalations"' not in sam.get("/cases/").get_data(as_text=True)
    assert sam.post("/cases/settings", {"complaint_answer_hours": "2", "security_handover_times": "08:00 20:00"}
                    ).status_code == 303
    assert stored_settings(staff)["security_handover_times"] == ["08:00", "20:00"]
    assert number in sam.get("/cases/").get_data(as_text=True).split('id="escalations"')[1]  # at once


def test_visit_not_reached_in_the_panel(browser, staff, complaints):
    c = complaints.receive("dora", complaint_form())
    complaints.answer(c.number, "dora", {"result": "已处理"})
    dora = browser("dora")
    resp = dora.post(f"/cases/visits/complaint/{c.number}", {"outcome": "unreachable", "remarks": "关机"})
    assert resp.status_code == 303
    with staff.session() as s:
        tried = s.scalars(select(FollowUpVisit).where(FollowUpVisit.unreachable)).one()
        assert tried.satisfaction is None and tried.remarks == "关机"
    board = dora.get("/cases/").get_data(as_text=True)
    assert c.number in board.split('id="visits-due"')[1] and "not-reached" in board
    assert 'id="visit-tries"' in dora.get(f"/cases/visits/complaint/{c.number}").get_data(as_text=True)
    assert "could not be reached" in dora.get(f"/cases/complaints/{c.number}").get_data(as_text=True)


def test_new_pages_in_chinese_ask_for_no_untranslated_string(app, staff, complaints):
    missing: set[str] = set()
    app.config["I18N_MISSING"] = missing
    c = complaints.receive("dora", complaint_form())
    complaints.answer(c.number, "dora", {"result": "已处理"})
    sam = Browser(app, "sam")
    sam.get("/lang/zh", headers={"Referer": "http://localhost/"})
    sam.post("/cases/security", {"slot": "x", "officer": ""})
    sam.post("/cases/settings", {"complaint_answer_hours": "0", "security_handover_times": "x"})
    sam.post(f"/cases/visits/complaint/{c.number}", {"outcome": "unreachable"})
    for path in ("/", "/cases/", "/cases/security", "/cases/settings", f"/cases/visits/complaint/{c.number}",
                 f"/cases/complaints/{c.number}", "/cases/report/"):
        assert sam.get(path).status_code == 200, path
    assert not missing, missing
