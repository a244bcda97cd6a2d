"""The complaint pages through the Flask test client, logged in as real staff: what is stored or not,
every error beside its field, the refusals in the staff's words, the supervisor-only escalation."""
from __future__ import annotations

from sqlalchemy import func, select

from broadcaster.store.models.desk import Complaint, ComplaintEvent, FollowUpVisit
from tests.cases.conftest import complaint_form


def stored(db, model=Complaint) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_record_handle_answer_visit_close(browser, staff, clock):
    dora = browser("dora")
    resp = dora.post("/cases/complaints/", complaint_form(department=""))
    assert resp.status_code == 303
    number = resp.headers["Location"].rsplit("/", 1)[1]
    page = dora.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert number.startswith("TS20261122-") and "no paper in the toilets" in page and "Dora" in page
    assert dora.post(f"/cases/complaints/{number}/handle", {"department": "保洁部 Cleaning"}).status_code == 303
    assert dora.post(f"/cases/complaints/{number}/step", {"step": "restocked"}).status_code == 303
    assert dora.post(f"/cases/complaints/{number}/answer", {"result": "restocked, apologised"}).status_code == 303
    board = dora.get("/cases/").get_data(as_text=True)
    assert number in board and "visits-due" in board
    dashboard = dora.get("/").get_data(as_text=True)  # the desk's board lists the visit due too
    assert number in dashboard.split('id="board-visits"')[1]
    resp = dora.post(f"/cases/visits/complaint/{number}", {"satisfaction": "4", "attitude": "5", "timeliness": "4"})
    assert resp.status_code == 303
    assert dora.post(f"/cases/complaints/{number}/close", {}).status_code == 303
    with staff.session() as s:
        c = s.scalar(select(Complaint))
        assert c.state.value == "closed" and c.department == "保洁部 Cleaning"
        states = [e.to_state for e in s.scalars(select(ComplaintEvent).where(ComplaintEvent.action == "state")
                                                .order_by(ComplaintEvent.id))]
        assert states == ["in_handling", "answered", "followed_up", "closed"]


def test_every_error_beside_its_field_nothing_stored_zh(browser, staff):
    dora = browser("dora")
    dora.get("/lang/zh")
    resp = dora.post("/cases/complaints/", {"channel": "", "category": "nonsense", "matter": " ",
                                            "received_at": "2099-01-01T10:00"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and stored(staff) == 0
    for field in ("channel", "category", "matter", "received_at"):
        assert f'id="err-{field}"' in html
    assert "必填" in html and "请从列表中选择。" in html and "这个时间还没到" in html
    assert "请修改标出的栏目。" in html


def test_a_bad_answer_is_refused_beside_its_field(browser, staff):
    dora = browser("dora")
    number = dora.post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    resp = dora.post(f"/cases/complaints/{number}/answer", {"result": ""})
    assert resp.status_code == 400 and 'id="err-result"' in resp.get_data(as_text=True)
    assert stored(staff, FollowUpVisit) == 0
    # closing now does not fit: said in the staff's words, nothing changes
    resp = dora.post(f"/cases/complaints/{number}/close", {})
    assert resp.status_code == 303
    assert "does not fit" in dora.get(resp.headers["Location"]).get_data(as_text=True)
    with staff.session() as s:
        assert s.scalar(select(Complaint)).state.value == "received"


def test_only_a_supervisor_closes_an_escalation(browser, staff, clock):
    number = browser("dora").post("/cases/complaints/", complaint_form()).headers["Location"].rsplit("/", 1)[1]
    clock.advance(hours=25)
    dora, sam = browser("dora"), browser("sam")  # logged in now: a day-old log-in has expired
    assert number in sam.get("/cases/").get_data(as_text=True).split('id="escalations"')[1]
    assert number in sam.get("/").get_data(as_text=True).split('id="board-escalations"')[1]  # the board too
    assert 'id="board-escalations"' not in dora.get("/").get_data(as_text=True)  # the supervisors' list
    page = dora.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert "escalation-form" not in page and "escalation-wait" in page
    dora.post(f"/cases/complaints/{number}/escalation", {"escalation_note": "I say it's fine"})
    with staff.session() as s:
        assert s.scalar(select(Complaint)).escalation_closed_at is None
    assert "escalation-form" in sam.get(f"/cases/complaints/{number}").get_data(as_text=True)
    assert sam.post(f"/cases/complaints/{number}/escalation", {"escalation_note": "call them back"}).status_code == 303
    with staff.session() as s:
        c = s.scalar(select(Complaint))
        assert c.escalation_note == "call them back" and c.escalation_closed_by_id is not None


def test_broadcaster_role_cannot_see_complaints(browser):
    assert browser("bob").get("/cases/complaints/").status_code == 403
