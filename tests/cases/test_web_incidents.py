"""The incident pages through the Flask test client: report, steps with who and when, refusals beside
their fields with nothing stored."""
from __future__ import annotations

from sqlalchemy import func, select

from broadcaster.store.models.desk import Incident, IncidentStep


def test_report_and_steps(browser, staff):
    dora, dan = browser("dora"), browser("dan")
    resp = dora.post("/cases/incidents/", {"place": "", "injury": "", "occurred_at": "x"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and all(f'id="err-{f}"' in html for f in ("place", "injury", "occurred_at"))
    with staff.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 0
    resp = dora.post("/cases/incidents/", {"place": "climbing wall", "injury": "fell, wrist hurts"})
    number = resp.headers["Location"].rsplit("/", 1)[1]
    assert dora.post(f"/cases/incidents/{number}", {"step": "ambulance"}).status_code == 303
    resp = dan.post(f"/cases/incidents/{number}", {"step": "hospital", "detail": ""})
    assert resp.status_code == 400 and 'id="err-detail"' in resp.get_data(as_text=True)
    assert dan.post(f"/cases/incidents/{number}", {"step": "hospital", "detail": "骨科医院"}).status_code == 303
    resp = dan.post(f"/cases/incidents/{number}", {"step": "first_aid"})  # backwards: refused in words
    assert "does not fit" in dan.get(resp.headers["Location"]).get_data(as_text=True)
    page = dora.get(f"/cases/incidents/{number}").get_data(as_text=True)
    assert "骨科医院" in page and "Dan" in page
    with staff.session() as s:
        steps = [(st.step, st.user_id) for st in s.scalars(select(IncidentStep).order_by(IncidentStep.id))]
    assert [st for st, _ in steps] == ["reported", "ambulance", "hospital"]


def test_a_visit_with_bad_scores_stores_nothing(browser, staff):
    from broadcaster.store.models.desk import FollowUpVisit

    dora = browser("dora")
    number = dora.post("/cases/incidents/", {"place": "gate", "injury": "fell"}).headers["Location"].rsplit("/", 1)[1]
    dora.post(f"/cases/incidents/{number}", {"step": "first_aid"})
    resp = dora.post(f"/cases/visits/incident/{number}", {"satisfaction": "7", "attitude": "2", "timeliness": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert all(f'id="err-{f}"' in html for f in ("satisfaction", "timeliness", "remarks"))
    with staff.session() as s:
        assert s.scalar(select(func.count()).select_from(FollowUpVisit).where(FollowUpVisit.done_at.is_not(None))) == 0


def test_the_visits_due_show_the_owners_phone_never_their_id_number(app, browser, staff):
    """A lost item handed over: the follow-up list (待回访) names the owner and the phone to call; the ID
    document number stays on the item's own page."""
    pa = app.extensions["pa"]
    item = pa.lost.register("dora", category="phone", where_found="café", finder="cleaner", storage_place="safe")
    dora = browser("dora")
    assert dora.post(f"/desk/lost/{item.number}/claim", {
        "owner_name": "陈先生", "owner_identity": "ID 110101199001011234", "owner_contact": "13912345678",
        "verification_note": "lock screen", "signature": "陈"}).status_code == 302
    board = dora.get("/cases/").get_data(as_text=True)
    row = board[board.index(item.number):]
    row = row[:row.index("</tr>")]
    assert "13912345678" in row and "110101199001011234" not in board, row
    assert "13912345678" in dora.get(f"/desk/lost/{item.number}").get_data(as_text=True)
