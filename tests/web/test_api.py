"""The JSON API: token and Basic auth, roles, page trigger, errors mapped to status codes, OpenAPI."""
from __future__ import annotations

import base64

import pytest

from tests.web.conftest import PASSWORD, wait_until
from tests.web.test_desk import API_CHILD


def basic(name, password=PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


@pytest.fixture
def api(make_app, approved_templates, player):
    return make_app().test_client()


def bearer(api, name):
    resp = api.post("/api/token", headers=basic(name))
    assert resp.status_code == 200
    return {"Authorization": "Bearer " + resp.get_json()["token"]}


def test_kiosk_triggers_a_page_with_a_token(api, player):
    h = bearer(api, "dora")
    resp = api.post("/api/pages", json=dict(API_CHILD, age=5), headers=h)
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    number = data["case"]["number"]
    assert data["paged"] and data["page"]["status"] == "active" and "王小明" not in str(data["page"]["texts"])
    assert data["page"]["on_air"]["main"] in ("queued", "airing") and data["page"]["times_aired"] == 0
    wait_until(lambda: number in ((api.get("/api/now", headers=h).get_json()["zones"]["main"]["now"] or {})
                                  .get("title") or ""))
    now = api.get("/api/now", headers=h).get_json()
    assert now["health"]["players"] == "ok" and now["zones"]["main"]["player"] == "panel-test-player"
    wait_until(lambda: api.get(f"/api/cases/{number}", headers=h).get_json()["pages"][0]["on_air"]
               == {"main": "airing"})
    case = api.get(f"/api/cases/{number}", headers=h).get_json()  # the player's report follows its heartbeat
    assert case["case"]["state"] == "paged" and case["pages"][0]["on_air"] == {"main": "airing"}
    assert [c["number"] for c in api.get("/api/cases", headers=h).get_json()["cases"]] == [number]
    resp = api.post(f"/api/cases/{number}/resolve", json={"state": "found"}, headers=h)
    assert resp.status_code == 200 and resp.get_json()["case"]["state"] == "found"


def test_errors_map_to_status_codes(api):
    h = basic("dora")
    assert api.post("/api/pages", json={"kind": "missing", "age": 5}, headers=h).status_code == 400
    assert api.get("/api/cases/NOPE", headers=h).status_code == 404
    assert api.post("/api/pages", json={"kind": "found", "meeting_point": "Gate", "age": 3, "sex": "girl",
                                        "clothing": "pink dress", "wording": {"meeting_point": {"zh-CN": "大门"}}},
                    headers=h).status_code == 201
    number = api.get("/api/cases", headers=h).get_json()["cases"][0]["number"]
    api.post(f"/api/cases/{number}/resolve", json={"state": "reunited"}, headers=h)
    pages = api.get(f"/api/cases/{number}", headers=h).get_json()["pages"]  # the page and its all-clear
    err = api.post(f"/api/cases/{number}/page", json={}, headers=h)
    assert err.status_code == 409 and "reunited" in err.get_json()["detail"]
    ids = [p["id"] for p in api.get(f"/api/cases/{number}", headers=h).get_json()["pages"]]
    assert ids == [p["id"] for p in pages]  # no page more (the all-clear meanwhile goes on air)


def test_authentication_and_roles(api):
    assert api.get("/api/now").status_code == 401
    assert api.get("/api/now").headers["WWW-Authenticate"].startswith("Basic")
    assert api.get("/api/now", headers={"Authorization": "Bearer forged.token"}).status_code == 401
    assert api.post("/api/pages", json=API_CHILD, headers=basic("bob")).status_code == 403
    assert api.get("/api/schedule", headers=basic("dora")).status_code == 403
    assert api.get("/api/schedule", headers=basic("bob")).status_code == 200
    assert api.post("/api/pages/1/approve", headers=basic("dora")).status_code == 403
    assert api.post("/api/token", headers=basic("gone")).status_code == 401


def test_api_login_is_throttled(api):
    for _ in range(5):
        assert api.get("/api/now", headers=basic("sam", "wrong")).status_code == 401
    assert api.get("/api/now", headers=basic("sam")).status_code == 429


def test_token_is_revoked_when_the_password_changes(api, staff, monkeypatch):
    """Within USER_CACHE_S of the change (the token's user is re-read that often), whichever process
    changed it."""
    import time

    import web.auth
    from broadcaster.users import change_own_password

    monkeypatch.setattr(web.auth, "USER_CACHE_S", 0.3)
    h = bearer(api, "dora")
    assert api.get("/api/now", headers=h).status_code == 200
    with staff.session() as s:
        change_own_password(s, "dora", PASSWORD, "another password 1", "another password 1")
    time.sleep(0.35)
    assert api.get("/api/now", headers=h).status_code == 401


def test_api_needs_no_csrf_but_forms_do(api):
    from tests.web.conftest import Browser

    item = {"category": "umbrella", "where_found": "Gate", "finder": "Li", "storage_place": "Shelf"}
    assert api.post("/api/lost", json=item, headers=basic("dora")).status_code == 201
    form = Browser(api.application, "dora").client.post("/desk/lost", data=dict(item, category="hat"))  # no token
    assert form.status_code == 400 and "reload the page and send it again" in form.get_data(as_text=True)
    assert [i["category"] for i in api.get("/api/lost", headers=basic("dora")).get_json()["items"]] == ["umbrella"]


def test_schedule_rules_over_the_api(api, make_app):
    h = basic("bob")
    from broadcaster.schedule.programmes import ItemSpec

    api.application.extensions["pa"].programmes.create_programme("Chime", [ItemSpec("chime")])
    resp = api.post("/api/schedule/rules", json={"programme": "Chime", "kind": "interval", "every_minutes": 30,
                                                 "window_start": "10:00", "window_end": "12:00"}, headers=h)
    assert resp.status_code == 201
    rule_id = resp.get_json()["id"]
    assert len(api.get("/api/schedule?week=2026-11-23", headers=h).get_json()["slots"]) == 7 * 5
    bad = api.post("/api/schedule/rules", json={"programme": "Chime", "kind": "weekly", "at": "10:00"}, headers=h)
    assert bad.status_code == 400 and list(bad.get_json()["fields"]) == ["days"]  # weekly needs its days
    assert [r["id"] for r in api.get("/api/schedule/rules", headers=h).get_json()["rules"]] == [rule_id]
    assert api.delete(f"/api/schedule/rules/{rule_id}", headers=h).status_code == 204
    assert api.get("/api/schedule/rules", headers=h).get_json()["rules"] == []
    assert api.get("/api/schedule?week=2026-11-23", headers=h).get_json()["slots"] == []


def test_openapi_document_lists_every_api_route(api):
    doc = api.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and {"basic", "bearer"} <= set(doc["components"]["securitySchemes"])
    app = api.application
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json":
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in doc["paths"], path
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in doc["paths"][path], (method, path)


def test_announcement_workflow_over_the_api(api):
    bob, sam = basic("bob"), basic("sam")
    resp = api.post("/api/announcements", json={"title": "Parade", "texts": {"en": "The parade starts at three."}},
                    headers=bob)
    assert resp.status_code == 201
    ann_id = resp.get_json()["announcement"]["id"]
    assert api.post(f"/api/announcements/{ann_id}/submit", headers=bob).get_json()["announcement"]["state"] == "submitted"
    audio = api.get(f"/api/announcements/{ann_id}/audio", headers=sam)
    assert audio.mimetype == "audio/wav"
    assert api.post(f"/api/announcements/{ann_id}/approve", headers=bob).status_code == 403
    done = api.post(f"/api/announcements/{ann_id}/approve", json={"sha256": audio.headers["X-Audio-SHA256"]},
                    headers=sam).get_json()["announcement"]
    assert done["state"] == "approved" and done["approved_hash"] == audio.headers["X-Audio-SHA256"]
    assert api.get("/api/faults", headers=sam).get_json() == {"faults": []}
    assert api.get("/api/logs/asrun", headers=sam).get_json() == {"rows": []}  # approved is not aired
    wrong = api.post(f"/api/announcements/{ann_id}/approve", json={"sha256": "0" * 64}, headers=sam)
    assert wrong.status_code == 409  # approved already: a second approval (of other audio) is refused


def test_basic_credentials_are_remembered_while_in_use_and_forgotten_after_the_idle_limit(api, monkeypatch):
    """A desk that calls now and then does not pay the password hash again (about 100 ms of CPU on a
    page) while it keeps calling; a credential unused for the venue's idle limit is checked afresh."""
    import time
    import types

    import web.auth

    checked, offset = [], [0.0]
    real = web.auth.verify_password
    monkeypatch.setattr(web.auth, "verify_password", lambda *a, **k: checked.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(web.auth, "time", types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0]))
    monkeypatch.setattr(web.auth, "USER_CACHE_S", 0.0)  # the user is re-read each call: only the hash is spared
    for step in (0, 50, 50, 50, 29 * 60):
        offset[0] += step
        assert api.get("/api/now", headers=basic("dora")).status_code == 200
    assert checked == ["dora"]  # checked once in 33 minutes of use, each call under 30 minutes after the last
    offset[0] += 30 * 60 + 1
    assert api.get("/api/now", headers=basic("dora")).status_code == 200
    assert checked == ["dora", "dora"]
    assert api.get("/api/now", headers=basic("dora", "wrong")).status_code == 401  # another password: checked
    assert checked == ["dora", "dora", "dora"]


def test_a_desk_app_previews_a_page_before_it_airs_and_nothing_is_stored(api, staff):
    """``POST /api/pages/preview`` and ``/api/cases/N/page/preview``: the words per language, checked as
    the page would be (a child's name in the remark refused beside it); no case, page or airing stored."""
    from sqlalchemy import func, select

    from broadcaster.store.models.cases import Page, PersonCase
    from broadcaster.store.models.onair import Airing

    def stored():
        with staff.session() as s:
            return tuple(s.scalar(select(func.count()).select_from(m)) for m in (PersonCase, Page, Airing))

    h = basic("dora")
    before = stored()
    resp = api.post("/api/pages/preview", json=dict(API_CHILD, age=5), headers=h)
    assert resp.status_code == 200, resp.get_json()
    texts = resp.get_json()["texts"]
    assert "red jacket" in texts["en"] and "Carousel" in texts["en"] and "王小明" not in str(texts)
    assert stored() == before
    bad = api.post("/api/pages/preview", json=dict(API_CHILD, age="five"), headers=h)
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"age"}, bad.get_json()
    lacks = api.post("/api/pages/preview", json=dict(API_CHILD, age=5, shoes="", meeting_point="", wording={
        "last_seen_place": {"zh-CN": "旋转木马"}}), headers=h)
    assert lacks.status_code == 409 and {"shoes", "meeting_point"} <= set(lacks.get_json()["fields"])
    named = api.post("/api/pages/preview", json=dict(API_CHILD, age=5, extra_text="小明很害怕"), headers=h)
    assert named.status_code == 409 and "no-name rule" in str(named.get_json()), named.get_json()
    assert stored() == before
    number = api.post("/api/pages", json=dict(API_CHILD, age=5), headers=h).get_json()["case"]["number"]
    after = stored()
    again = api.post(f"/api/cases/{number}/page/preview", json={}, headers=h)
    assert again.status_code == 200 and "red jacket" in again.get_json()["texts"]["en"]
    assert stored() == after
    assert api.post("/api/cases/20990101-001/page/preview", json={}, headers=h).status_code == 404
    assert api.post("/api/pages/preview", json=dict(API_CHILD, age=5), headers=basic("bob")).status_code == 403


def test_a_rule_for_a_missing_programme_is_a_404_by_the_error_kind_not_its_words(api, monkeypatch):
    """The schedule service says NotFound for a programme nobody made (404) whatever its words; a refusal of
    a programme that exists stays a 400 even when its words begin like a missing one's."""
    from broadcaster.errors import NotFound, ValidationError
    from broadcaster.schedule.programmes import ItemSpec

    h = basic("bob")
    rule = {"programme": "Chime", "kind": "daily", "at": "10:00"}
    assert api.post("/api/schedule/rules", json=rule, headers=h).status_code == 404  # nobody made it
    programmes = api.application.extensions["pa"].programmes
    programmes.create_programme("Chime", [ItemSpec("chime")])

    def missing(ref):
        raise NotFound(f"programme {ref!r} was deleted a moment ago")
    monkeypatch.setattr(programmes, "programme", missing)
    assert api.post("/api/schedule/rules", json=rule, headers=h).status_code == 404
    monkeypatch.undo()

    def refused(view):
        raise ValidationError("no programme may air an announcement nobody approved")
    monkeypatch.setattr(programmes, "check_approved", refused)
    bad = api.post("/api/schedule/rules", json=rule, headers=h)
    assert bad.status_code == 400 and list(bad.get_json()["fields"]) == ["programme"]
