"""Hostile values (NUL, control characters, bidi overrides, 100k characters, wrong types, bad choices,
days out of range, ids beyond the database) against every case-work form of the visitor-services
pages (complaints, incidents, follow-up visits, shift handovers, the handover with security, the
case-work settings) and the desk's case and lost-property forms: each answers 400 with the error
beside its field (or naming it), and the database is unchanged (a dump of every table before and
after). The same input models serve the CLI (tests/cases/test_cli.py, tests/desk/test_cli.py)."""
from __future__ import annotations

import pytest

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.followup import VisitService
from broadcaster.cases.handover import HandoverService
from broadcaster.cases.incidents import IncidentService
from tests.web.conftest import Browser
from tests.web import test_hostile_inputs as hostile
from tests.web.test_hostile_inputs import HUGE_ID, TEXT, dump
from web.refusals import FIELDS

world = hostile.world  # the fixture: a case with pages, lost items, a script, a fault

ENUM = {"junk": "junk", "NUL": "phone\x00", "control": "phone\x1b", "100k": "p" * 100_000}
WHEN = {"25:99": "25:99", "no such day": "2026-02-30T10:00", "year 1": "0001-01-01T00:00",
        "far future": "2999-12-31T23:59", **TEXT}
COMPLAINT = {"channel": "phone", "category": "facility", "matter": "No paper in the toilets"}
INCIDENT = {"place": "East gate", "injury": "Grazed knee"}
VISIT = {"satisfaction": "5", "attitude": "5", "timeliness": "5"}
SCORE = {"word": "abc", "zero": "0", "six": "6", "23 digits": "1" * 23, "fraction": "2.5", "NUL": "5\x00"}


@pytest.fixture
def cases(app, world):
    """A received complaint, an answered one (its visit due), a followed-up one (ready to close), an
    incident, an open shift handover: every case-work form has something to act on."""
    pa = app.extensions["pa"]
    complaints = ComplaintService(pa.db, pa.clock, pa.tz)
    received = complaints.receive("dora", COMPLAINT).number
    answered = complaints.receive("dora", COMPLAINT).number
    complaints.answer(answered, "dora", {"result": "Refilled"})
    followed = complaints.receive("dora", COMPLAINT).number
    complaints.answer(followed, "dora", {"result": "Refilled"})
    VisitService(pa.db, pa.clock).record("complaint", followed, "dora", VISIT)
    h = HandoverService(pa.db, pa.clock, zones=pa.venue_zones).start("dora", {"shift": "Morning"})
    keys = next(c.id for c in h.checks if c.line == "keys")
    return dict(world, received=received, answered=answered, followed=followed, handover=h.id, keys=keys,
                incident=IncidentService(pa.db, pa.clock, pa.tz).report("dora", INCIDENT).number)


# (path, user, valid form, field, hostile values[, the id of the error beside the field])
FORMS = [
    ("/cases/complaints/", "dora", COMPLAINT, "channel", ENUM),
    ("/cases/complaints/", "dora", COMPLAINT, "category", ENUM),
    ("/cases/complaints/", "dora", COMPLAINT, "matter", TEXT | {"blank": " \t "}),
    ("/cases/complaints/", "dora", COMPLAINT, "visitor_name", TEXT),
    ("/cases/complaints/", "dora", COMPLAINT, "visitor_request", TEXT),
    ("/cases/complaints/", "dora", COMPLAINT, "received_at", WHEN),
    ("/cases/complaints/{received}/handle", "dora", {"department": "Cleaning"}, "department", TEXT),
    ("/cases/complaints/{received}/handle", "dora", {"department": "Cleaning"}, "note", TEXT),
    ("/cases/complaints/{received}/answer", "dora", {}, "result", TEXT | {"blank": " "}),
    ("/cases/complaints/{received}/step", "dora", {}, "step", TEXT),
    ("/cases/complaints/{answered}/reopen", "dora", {}, "reason", TEXT),
    ("/cases/complaints/{followed}/close", "dora", {}, "note", TEXT),
    ("/cases/incidents/", "dora", INCIDENT, "place", TEXT),
    ("/cases/incidents/", "dora", INCIDENT, "injury", TEXT),
    ("/cases/incidents/", "dora", INCIDENT, "occurred_at", WHEN),
    ("/cases/incidents/{incident}", "dora", {"step": "first_aid"}, "step", ENUM | {"reported": "reported"}),
    ("/cases/incidents/{incident}", "dora", {"step": "first_aid"}, "at", WHEN),
    ("/cases/incidents/{incident}", "dora", {"step": "hospital"}, "detail", TEXT | {"blank": " "}),
    ("/cases/visits/complaint/{answered}", "dora", VISIT, "satisfaction", SCORE),
    ("/cases/visits/complaint/{answered}", "dora", VISIT, "timeliness", SCORE),
    ("/cases/visits/complaint/{answered}", "dora", VISIT, "outcome", ENUM),
    ("/cases/visits/complaint/{answered}", "dora", VISIT, "remarks", TEXT),
    ("/cases/security", "dora", {"slot": "2026-01-01T00:00Z"}, "slot", TEXT),
    ("/cases/security", "dora", {"slot": "2026-01-01T00:00Z"}, "officer", TEXT),
    ("/cases/security", "dora", {"slot": "2026-01-01T00:00Z"}, "notes", TEXT),
    ("/cases/handover/", "dora", {"shift": "Evening"}, "shift", TEXT | {"blank": " "}),
    ("/cases/handover/", "dora", {"shift": "Evening"}, "notes", TEXT),
    ("/cases/handover/{handover}/tone", "dora", {}, "zone", TEXT),
    ("/cases/handover/{handover}/lines", "dora", {}, "result-{keys}", ENUM, "check-{keys}"),
    ("/cases/handover/{handover}/lines", "dora", {}, "explanation-{keys}", TEXT, "check-{keys}"),
    ("/cases/settings", "sam", {"complaint_answer_hours": "24", "security_handover_times": "08:00"},
     "complaint_answer_hours", {"zero": "0", "word": "abc", "huge": "1e308", "nan": "nan", **TEXT}),
    ("/cases/settings", "sam", {"complaint_answer_hours": "24", "security_handover_times": "08:00"},
     "security_handover_times", {"25:00": "25:00", "seven": "1,2,3,4,5,6,7", **TEXT}),
    ("/desk/lost/retention", "sam", {}, "retention_days",
     {"zero": "0", "word": "abc", "23 digits": "1" * 23, "fraction": "2.5", **TEXT}),
    ("/desk/lost/{old}/dispose", "sam", {"method": "police", "handled_by": "Officer Wang"}, "disposed_at", WHEN),
    ("/desk/lost", "dora", {"category": "umbrella", "where_found": "Gate", "finder": "Li", "storage_place": "Shelf"},
     "found_at", WHEN),
]
#: the small forms on a case's page: refused on an error page naming the field
ACTIONS = [
    ("/desk/cases/{number}/transition", "dora", {"state": "closed", "result": "Found"}, "state",
     ENUM | {"blank": ""}),
    ("/desk/cases/{number}/transition", "dora", {"state": "closed", "result": "Found"}, "result", TEXT),
    ("/desk/cases/{number}/transition", "dora", {"state": "closed", "result": "Found"}, "note", TEXT),
    ("/desk/cases/{number}/followup", "dora", {"outcome": "Fine"}, "called_at", WHEN),
]


def settings_file() -> tuple[dict, int]:
    """The venue settings stored, and their version."""
    from broadcaster.settings import settings_version, stored_settings

    return stored_settings(), settings_version()


def test_case_work_forms_refuse_every_hostile_value_and_store_nothing(app, cases, staff):
    wrong, browsers = [], {who: Browser(app, who) for who in ("dora", "sam")}  # before the dump
    before, settings = dump(staff), settings_file()
    for path, who, base, field, values, *beside in FORMS:
        field, error = field.format(**cases), (beside[0] if beside else field).format(**cases)
        for label, value in values.items():
            resp = browsers[who].post(path.format(**cases), data=dict(base, **{field: value}))
            page = resp.get_data(as_text=True)
            if resp.status_code != 400 or "Something went wrong" in page or f'id="err-{error}"' not in page:
                wrong.append((path, field, label, resp.status_code))
    assert wrong == []
    assert dump(staff) == before and settings_file() == settings


def test_case_actions_refuse_every_hostile_value_and_store_nothing(app, cases, staff):
    wrong, dora = [], Browser(app, "dora")
    before = dump(staff)
    for path, who, base, field, values in ACTIONS:
        for label, value in values.items():
            resp = dora.post(path.format(**cases), data=dict(base, **{field: value}))
            page = resp.get_data(as_text=True)
            if resp.status_code != 400 or "Something went wrong" in page or f"{FIELDS.get(field, field)}: " not in page:
                wrong.append((path, field, label, resp.status_code, page[page.find("error-message"):][:160]))
    assert wrong == []
    assert dump(staff) == before


def test_a_case_edit_with_a_hostile_value_changes_nothing(app, cases, staff):
    dora = Browser(app, "dora")
    before = dump(staff)
    for field in ("hair", "clothing", "reporter_name", "age", "sex"):
        spoken = {"emoji": "🎉🎈"} if field in ("hair", "clothing") else {}  # these air: something to say
        for label, value in (TEXT | spoken).items():
            resp = dora.post(f"/desk/cases/{cases['number']}/edit", data={field: value}, follow_redirects=True)
            page = resp.get_data(as_text=True)
            assert resp.status_code == 400 and "Nothing was changed." in page, (field, label)
    assert dump(staff) == before


@pytest.mark.parametrize("path", ["/desk/cases?state={value}", "/desk/lost?state={value}", "/desk/lost?q={value}",
                                  "/api/cases?state={value}", "/api/lost?state={value}"])
def test_list_filters_refuse_a_hostile_value(app, cases, staff, path):
    dora, before = Browser(app, "dora"), dump(staff)
    from tests.web.test_api import basic

    for label, value in {"junk": "junk", "NUL": "open%00", "100k": "x" * 5000}.items():
        if "q=" in path and label == "junk":
            continue  # any words may be searched for
        url = path.format(value=value)
        resp = (dora.client.get(url, headers=basic("dora")) if url.startswith("/api") else dora.get(url))
        assert resp.status_code == 400, (url[:60], resp.status_code)
    assert dump(staff) == before


def test_ids_beyond_the_database_are_not_found(app, cases, staff):
    dora, before = Browser(app, "dora"), dump(staff)
    assert dora.get(f"/cases/handover/{HUGE_ID}").status_code == 404
    assert dora.post(f"/cases/handover/{HUGE_ID}/sign", data={}).status_code in (303, 404)
    assert dump(staff) == before
