"""A seeded month of desk work (November 2026, venue time), written through the services on a manual
clock: missing persons reunited after 8, 25 and 50 minutes, lost property handed back, complaints of
several categories (one answered late), an incident taken to hospital, follow-up visits with scores,
one call that did not reach the visitor."""
from __future__ import annotations

from datetime import datetime, timezone

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.followup import VisitService
from broadcaster.cases.incidents import IncidentService
from broadcaster.cases.lost_property import LostPropertyService
from broadcaster.cases.missing import CaseDetails, CaseService
from tests.cases.conftest import SHANGHAI

START = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 venue time


def seed_month(db, clock) -> dict:
    clock._now = START
    cases, lost = CaseService(db, clock), LostPropertyService(db, clock, SHANGHAI)
    complaints, incidents = ComplaintService(db, clock, SHANGHAI, hours=24), IncidentService(db, clock, SHANGHAI)
    visits = VisitService(db, clock)
    for minutes in (8, 25, 50):
        c = cases.open_case("dora", "missing", CaseDetails(age=6, sex="girl", clothing="yellow dress",
                                                           reporter_name="母亲", reporter_contact="139"))
        clock.advance(minutes=minutes)
        cases.transition(c.number, "dora", "reunited")
        cases.transition(c.number, "dora", "closed", result="reunited at the visitor centre")
        clock.advance(minutes=5)
    item = lost.register("dora", category="wallet", where_found="food court", finder="cleaner", storage_place="safe")
    clock.advance(hours=2)
    lost.claim(item.number, "dora", owner_name="赵女士", owner_identity="ID 99", verification_note="cards",
               signature="赵")
    numbers = []
    for category, hours in (("cleanliness", 1), ("cleanliness", 3), ("service_attitude", 30), ("facility", 2)):
        c = complaints.receive("dora", {"channel": "phone", "category": category, "matter": f"{category} issue"})
        clock.advance(hours=hours)
        complaints.answer(c.number, "dan", {"result": "handled"})
        numbers.append(c.number)
    visits.record("complaint", numbers[0], "dora", {"satisfaction": "5", "attitude": "5", "timeliness": "4"})
    visits.record("complaint", numbers[1], "dora", {"satisfaction": "3", "attitude": "4", "timeliness": "2",
                                                    "remarks": "took long"})
    visits.record("complaint", numbers[2], "dora", {"outcome": "unreachable", "remarks": "no answer"})
    inc = incidents.report("dora", {"place": "rock garden", "injury": "sprained ankle"})
    incidents.step(inc.number, "dora", {"step": "first_aid", "detail": "ice"})
    incidents.step(inc.number, "dora", {"step": "hospital", "detail": "城东医院"})
    clock.advance(days=2)
    incidents.step(inc.number, "sam", {"step": "closed", "detail": "recovered"})
    return {"complaints": numbers, "incident": inc.number, "item": item.number}
