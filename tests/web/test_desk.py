"""Desk pages through the panel onto a real zone player: the urgent page opens the case and pages in one
step (its airing written in the same transaction); now-playing comes from the database."""
from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import Browser, on_air, wait_until

LOST_CHILD = {"kind": "missing", "age": "5", "sex": "boy", "clothing": "red jacket", "shoes": "white sneakers",
              "last_seen_place": "Carousel", "meeting_point": "Visitor Centre", "person_name": "王小明",
              "reporter_name": "王芳", "reporter_contact": "13800000000",
              # the venue has named no places in the panel: the desk types them in Chinese too
              "last_seen_place_zh-CN": "旋转木马", "meeting_point_zh-CN": "游客中心",
              "last_seen_place_ru": "Карусель", "meeting_point_ru": "Центр для гостей"}  # (a venue speaking Russian)
#: The same child for the API: the places in each language under "wording".
API_CHILD = {k: v for k, v in LOST_CHILD.items() if not k.endswith(("_zh-CN", "_ru"))} | {"wording": {
    "last_seen_place": {"zh-CN": "旋转木马"}, "meeting_point": {"zh-CN": "游客中心"}}}


@pytest.fixture
def live_app(make_app, approved_templates, player):
    return make_app()


def read_events(client, limit=1) -> list[dict]:
    resp = client.get(f"/events?limit={limit}")
    assert resp.mimetype == "text/event-stream"
    body = resp.get_data(as_text=True)
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]


def test_urgent_page_opens_the_case_pages_it_and_it_is_on_air(live_app, player):
    b = Browser(live_app, "dora")
    resp = b.post("/desk/", LOST_CHILD)
    assert resp.status_code == 302
    number = resp.headers["Location"].rsplit("/", 1)[1]
    html = b.get(f"/desk/cases/{number}").get_data(as_text=True)
    assert "Page queued." in html and "paged" in html
    assert "王小明" in html  # the name is on the case file ...
    page_texts = html[html.index('id="pages"'):html.index('id="timeline"')]
    assert "王小明" not in page_texts and "red jacket" in page_texts  # ... and never in the page
    title = wait_until(lambda: (on_air(live_app) or {}).get("title"))
    assert number in title
    assert player.samples().size > 0  # the player airs it
    events = read_events(b.client)
    assert number in events[0]["zones"]["main"]["now"]["title"]
    assert number in b.get("/").get_data(as_text=True)  # open cases on the dashboard


def test_validation_errors_keep_the_form_and_store_nothing(live_app):
    b = Browser(live_app, "dora")
    data = dict(LOST_CHILD, reporter_contact="", reporter_name="", age="five", clothing="", top_colour="red",
                top="jacket")
    resp = b.post("/desk/", data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    # every error at once, each beside its field, in the desk's words; the picks are kept
    for field in ("reporter_contact", "reporter_name", "age"):
        assert f'id="err-{field}"' in html
    assert "whole years" in html and "phone number" in html and "name is needed" in html
    visible = re.sub(r"<[^>]+>", " ", html[html.index("<main>"):])
    assert "reporter_contact" not in visible and "required for" not in visible
    assert '<option value="red" selected>' in html and '<option value="jacket" selected>' in html
    assert "/desk/cases/C" not in b.get("/desk/cases?all=1").get_data(as_text=True)


def test_refused_page_keeps_the_case_and_says_why(make_app, staff):
    app = make_app()  # templates seeded but never approved
    from broadcaster.paging.defaults import seed_defaults

    seed_defaults(staff)
    b = Browser(app, "dora")
    resp = b.post("/desk/", LOST_CHILD)
    assert resp.status_code == 302
    html = b.get(resp.headers["Location"]).get_data(as_text=True)
    assert "not approved" in html


def test_free_text_waits_for_a_supervisor_who_approves_it(live_app, player):
    dora, sam = Browser(live_app, "dora"), Browser(live_app, "sam")
    resp = dora.post("/desk/", dict(LOST_CHILD, extra_text="Holding a blue balloon."))
    number = resp.headers["Location"].rsplit("/", 1)[1]
    inbox = sam.get("/approvals/").get_data(as_text=True)
    assert "Holding a blue balloon." in inbox
    page_id = live_app.extensions["pa"].paging.pages(case_number=number)[0].id
    assert not player.airings(f"page:{page_id}")  # nothing airs before the supervisor approves
    assert sam.post(f"/approvals/pages/{page_id}/approve").status_code == 302
    wait_until(lambda: number in ((on_air(live_app) or {}).get("title") or ""))


def test_resolve_stops_the_page(live_app, player):
    b = Browser(live_app, "dora")
    number = b.post("/desk/", LOST_CHILD).headers["Location"].rsplit("/", 1)[1]
    resp = b.post(f"/desk/cases/{number}/resolve", {"state": "reunited", "result": "with mother"})
    assert resp.status_code == 302
    html = b.get(f"/desk/cases/{number}").get_data(as_text=True)
    assert "reunited" in html and "repeats cancelled" in html
    assert b.post(f"/desk/cases/{number}/resolve", {"state": "reunited"}).status_code == 409
    assert b.get("/desk/cases/C00000000-999").status_code == 404


def test_script_injection_in_case_fields_is_escaped(live_app):
    b = Browser(live_app, "dora")
    evil = "<script>alert(1)</script>"
    # typed clothing in one language is refused (the page would mix languages): the name and notes carry it
    number = b.post("/desk/", dict(LOST_CHILD, person_name=evil, notes=evil)).headers["Location"].rsplit("/", 1)[1]
    for url in (f"/desk/cases/{number}", "/desk/cases", "/"):
        html = b.get(url).get_data(as_text=True)
        assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in b.get(f"/desk/cases/{number}").get_data(as_text=True)


def test_notes_and_found_child(live_app):
    b = Browser(live_app, "dora")
    resp = b.post("/desk/", {"kind": "found", "age": "4", "sex": "girl", "clothing": "yellow dress",
                             "meeting_point": "Gate 2", "meeting_point_zh-CN": "二号门"})
    number = resp.headers["Location"].rsplit("/", 1)[1]
    assert b.post(f"/desk/cases/{number}/note", {"note": "calm, drawing"}).status_code == 302
    assert b.post(f"/desk/cases/{number}/note", {"note": " "}).status_code == 400
    assert "calm, drawing" in b.get(f"/desk/cases/{number}").get_data(as_text=True)


def test_lost_property_register_claim_hand_over(live_app):
    b = Browser(live_app, "dora")
    item = {"category": "wallet", "colour": "brown", "where_found": "Food court", "finder": "cleaner Li",
            "storage_place": "Safe 1", "valuable": "1", "description": "<b>cash</b>"}
    assert b.post("/desk/lost", item).status_code == 302
    html = b.get("/desk/lost").get_data(as_text=True)
    assert "wallet" in html and "<b>cash</b>" not in html
    number = live_app.extensions["pa"].lost.list()[0].number
    shown = b.get(f"/desk/lost/{number}/announce").get_data(as_text=True)  # the text, read before it airs
    assert b.post(f"/desk/lost/{number}/announce", {"seen": re.search(r'name="seen" value="(\w+)"', shown)[1]}).status_code == 302
    assert b.post("/desk/lost", dict(item, category="")).status_code == 400
    assert b.post(f"/desk/lost/{number}/claim", {"owner_name": "Zhang", "owner_identity": "ID 1234",
                                                 "verification_note": "described contents"}).status_code == 302
    assert b.post(f"/desk/lost/{number}/handover", {"signature": "Zhang (signed)"}).status_code == 302
    assert "handed_over" in b.get("/desk/lost?state=handed_over").get_data(as_text=True) or \
        number in b.get("/desk/lost?state=handed_over").get_data(as_text=True)
    assert b.post(f"/desk/lost/{number}/handover", {"signature": "again"}).status_code == 409


def test_sse_stream_is_bounded_and_reports_the_player(live_app):
    b = Browser(live_app, "sam")
    events = read_events(b.client, limit=2)
    assert 1 <= len(events) <= 2
    main = events[0]["zones"]["main"]
    assert main["device_ok"] is True and main["running"] is True and main["player"] == "panel-test-player"


def test_without_a_player_a_page_waits_and_is_never_shown_as_aired(app):
    """No zone player runs (or it is lost): the page is stored with its airing, and every page of the
    panel says it waits to air, none that it aired."""
    b = Browser(app, "dora")
    number = b.post("/desk/", LOST_CHILD).headers["Location"].rsplit("/", 1)[1]
    html = b.get("/").get_data(as_text=True)
    assert "No player for this zone" in html and "Nothing on air" in html
    waiting = html[html.index("Waiting to air"):html.index("</ol>", html.index("Waiting to air"))]
    assert number in waiting  # pending, in the zone's waiting list
    case = b.get(f"/desk/cases/{number}").get_data(as_text=True)
    air = case[case.index('class="page-air"'):case.index("</td>", case.index('class="page-air"'))]
    assert "Whole venue: waiting to air" in air and "aired" not in air.replace("waiting to air", "")
    events = read_events(b.client)
    zone = events[0]["zones"]["main"]
    assert zone["running"] is False and zone["now"] is None
    assert [w["state"] for w in zone["waiting"]] == ["waiting"] and number in zone["waiting"][0]["title"]


def test_found_child_form_marks_the_top_and_refuses_an_adult_beside_the_fields(live_app):
    b = Browser(live_app, "dora")
    html = b.get("/desk/").get_data(as_text=True)
    top = html[html.index(">Top"):html.index(">Shoes")]
    assert 'class="pair ' in html[html.index(">Top") - 80:html.index(">Top")]  # its star stays for a found child
    assert "only-missing-req" not in html[html.index(">Top") - 80:html.index(">Top")] and 'class="req"' in top
    resp = b.post("/desk/", {"kind": "found", "age": "35", "sex": "woman", "top_colour": "red", "top": "jacket",
                             "meeting_point": "Gate 2"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="err-age"' in html and 'id="err-sex"' in html and "0 to 17" in html
    assert "/desk/cases/C" not in b.get("/desk/cases?all=1").get_data(as_text=True)
