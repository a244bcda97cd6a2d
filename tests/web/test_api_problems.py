"""Every error of the JSON API is RFC 9457 problem details (application/problem+json: type, title, status,
detail, and every field at fault), never an HTML page; 405 says which methods are allowed; a bug is a 500
in the same shape, logged, with no internals."""
from __future__ import annotations

from broadcaster.store.models.cases import PersonCase
from tests.web.test_api import basic


def is_problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.data[:300]
    assert resp.mimetype == "application/problem+json", resp.mimetype
    body = resp.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"], body
    return body


def test_bad_input_is_a_problem_naming_every_field_and_stores_nothing(make_app, approved_templates, db):
    api = make_app().test_client()
    body = is_problem(api.post("/api/pages", json={"kind": "missing", "age": 5}, headers=basic("dora")), 400)
    assert body["type"] == "/problems/field-errors" and body["fields"]  # the fields at fault, at once
    with db.session() as s:
        assert s.query(PersonCase).count() == 0


def test_unknown_paths_wrong_methods_and_no_credentials_are_problems(make_app, approved_templates):
    api = make_app().test_client()
    is_problem(api.get("/api/no-such-thing", headers=basic("dora")), 404)
    wrong = is_problem(api.get("/api/pages", headers=basic("dora")), 405)
    assert "POST" in api.get("/api/pages", headers=basic("dora")).headers["Allow"] and wrong["type"] == "about:blank"
    anon = api.get("/api/now")
    is_problem(anon, 401)
    assert anon.headers["WWW-Authenticate"].startswith("Basic")


def test_a_bug_is_a_logged_500_problem_without_internals(make_app, approved_templates, caplog):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers

    def boom():
        raise RuntimeError("secret internals: /var/lib/pa/db password=hunter2")
    app.add_url_rule("/api/boom", "boom", boom)
    body = is_problem(app.test_client().get("/api/boom"), 500)
    assert "hunter2" not in str(body) and "RuntimeError" not in str(body)
    assert any("secret internals" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_junk_in_the_query_or_the_path_is_bad_input_not_a_server_error(make_app, approved_templates):
    api = make_app().test_client()
    for path, who in (("/api/cases?state=junk", "dora"), ("/api/lost?state=junk", "dora"),
                      ("/api/announcements?state=junk", "bob"), ("/api/logs/asrun?limit=abc", "sam"),
                      ("/api/logs/asrun?limit=12345678901234567890123", "sam")):
        body = is_problem(api.get(path, headers=basic(who)), 400)
        assert list(body["fields"]) == [path.split("?")[1].split("=")[0]], body
    is_problem(api.post(f"/api/pages/{2 ** 64}/approve", headers=basic("sam")), 404)  # beyond any id: not found


def test_an_oversize_body_is_a_413_problem_and_stores_nothing(make_app, approved_templates, db):
    app = make_app()
    api = app.test_client()
    big = {"kind": "found", "meeting_point": "Gate", "age": 3, "sex": "girl", "clothing": "pink dress",
           "wording": {"meeting_point": {"zh-CN": "大门"}},
           "notes": "x" * app.config["API_MAX_BODY"]}
    body = is_problem(api.post("/api/pages", json=big, headers=basic("dora")), 413)
    assert body["type"] == "about:blank"
    with db.session() as s:
        assert s.query(PersonCase).count() == 0
    big["notes"] = "x" * 100  # the same page, small: stored (the 413 was the size, nothing else)
    assert api.post("/api/pages", json=big, headers=basic("dora")).status_code == 201


def test_malformed_json_is_the_body_at_fault(make_app, approved_templates, db):
    api = make_app().test_client()
    resp = api.post("/api/pages", data=b'{"kind": "found",', content_type="application/json", headers=basic("dora"))
    assert is_problem(resp, 400)["fields"] == {"body": "not valid JSON"}
    for bad in ([1, 2], "text", 5):
        assert is_problem(api.post("/api/pages", json=bad, headers=basic("dora")), 400)["fields"] == \
            {"body": "expected a JSON object"}
    with db.session() as s:
        assert s.query(PersonCase).count() == 0
