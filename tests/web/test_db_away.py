"""The shared database away (PostgreSQL stopped, or refusing connections): the panel says so in the
staff's words (zh and en), with what to do, as a 503; the JSON API answers a 503 problem; the live
stream says it on the open page. When the database is back the next click works, nothing to do.
Real PostgreSQL, the real Flask app through its test client."""
from __future__ import annotations

import uuid

import pytest

from tests.pg import TempPostgres, _admin as admin, create_database
from tests.web.conftest import Browser
from tests.web.test_api import basic
from tests.web.test_api_problems import is_problem
from tests.web.test_desk import API_CHILD, LOST_CHILD

EN = ("The system cannot reach its database", "Pages cannot be started from the panel",
      "Page by microphone meanwhile", "works again by itself")
ZH = ("系统连不上数据库", "无法从面板发起广播", "请用话筒人工广播", "自动恢复正常")
INTERNAL = ("OperationalError", "PostgreSQL", "psycopg", "127.0.0.1", "Traceback", "sqlalchemy", "connection failed",
            "database-unreachable")


@pytest.fixture
def db(pg_db):  # the web fixtures (staff, templates, the app) on PostgreSQL
    return pg_db


def away(db, server_url: str) -> None:
    name = db.url.rsplit("/", 1)[1]
    admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    admin(server_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def back(db, server_url: str) -> None:
    name = db.url.rsplit("/", 1)[1]
    admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def staff_words(resp, words) -> str:
    assert resp.status_code == 503, (resp.status_code, resp.data[:300])
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    for w in words:
        assert w in html, w
    shown = html.split("<summary>")[0]  # what is on screen before the folded technical detail
    for w in INTERNAL:
        assert w not in shown, w
    return html


def test_the_panel_says_the_database_is_away_in_the_staff_words_and_works_again_after(make_app, approved_templates,
                                                                                     postgres_server, caplog):
    server_url, _ = postgres_server
    app = make_app()
    dora = Browser(app, "dora")
    assert dora.get("/").status_code == 200
    db = app.extensions["pa"].db
    away(db, server_url)
    try:
        staff_words(dora.get("/"), EN)
        staff_words(dora.post("/desk/", LOST_CHILD), EN)  # a page from the desk: refused in words, stored nothing
        assert dora.get("/static/app.css").status_code == 200  # the page keeps its looks
        assert dora.client.get("/lang/zh").status_code == 302  # kept in the session, not the database
        staff_words(dora.get("/desk/"), ZH)
        stream = dora.get("/events?limit=3")  # the live stream: said on the open page, the browser comes back
        assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
        body = stream.get_data(as_text=True)
        assert "event: outage" in body and "retry: 5000" in body and ZH[0] in body, body
    finally:
        back(db, server_url)
    assert dora.get("/").status_code == 200  # back: the next click works, nothing done
    assert dora.get("/desk/").status_code == 200
    assert not [r for r in caplog.records if r.exc_info], "an outage is no bug: no traceback"


def test_the_api_answers_503_problem_details_while_the_database_is_away(make_app, approved_templates,
                                                                        postgres_server):
    server_url, _ = postgres_server
    app = make_app()
    api = app.test_client()
    assert api.get("/api/now", headers=basic("dora")).status_code == 200
    db = app.extensions["pa"].db
    away(db, server_url)
    try:
        resp = api.post("/api/pages", json={k: v for k, v in API_CHILD.items()}, headers=basic("dora"))
        body = is_problem(resp, 503)
        assert body["type"] == "/problems/database-unreachable" and resp.headers["Retry-After"] == "5"
        assert not any(w in body["detail"] for w in INTERNAL), body
        is_problem(api.get("/api/now", headers=basic("dora")), 503)
    finally:
        back(db, server_url)
    assert api.get("/api/now", headers=basic("dora")).status_code == 200


def test_a_stopped_server_is_a_503_page_then_the_panel_works_again(make_app, tmp_path, monkeypatch):
    """The PostgreSQL server itself stopped (connections refused) and started again."""
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.store.db import Database
    from broadcaster.store.models.core import Role, User
    from tests.web.conftest import FAST_HASH

    server = TempPostgres().start()
    try:
        url = create_database(server.url, "t_" + uuid.uuid4().hex[:8])
        monkeypatch.setenv("PA_DATABASE_URL", url)
        db = Database(url)
        with db.session() as s:
            s.add(User(name="dora", role=Role.DESK, password_hash=FAST_HASH))
        seed_defaults(db)
        app = make_app(DATABASE=db)
        dora = Browser(app, "dora")
        assert dora.get("/").status_code == 200
        server.halt()
        try:
            staff_words(dora.get("/"), EN)
            is_problem(app.test_client().get("/api/now", headers=basic("dora")), 503)
        finally:
            server.resume()
        assert dora.get("/").status_code == 200
        db.dispose()
    finally:
        server.stop()


def test_a_database_error_that_is_not_an_outage_stays_a_logged_500(make_app, approved_templates, caplog):
    """Bad SQL is a bug, not the database away: a 500 with its traceback logged, not the outage page."""
    import sqlalchemy as sa

    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers

    def bad_sql():
        with app.extensions["pa"].db.session() as s:
            s.execute(sa.text("SELECT no_such_column FROM no_such_table"))
    app.add_url_rule("/api/bad-sql", "bad_sql", bad_sql)
    app.add_url_rule("/bad-sql", "bad_sql_page", bad_sql)
    is_problem(app.test_client().get("/api/bad-sql"), 500)
    page = app.test_client().get("/bad-sql")
    assert page.status_code == 500 and EN[0] not in page.get_data(as_text=True)
    assert any("no_such_table" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_an_open_live_stream_says_the_outage_and_ends_without_a_traceback(make_app, approved_templates,
                                                                         postgres_server, caplog):
    server_url, _ = postgres_server
    app = make_app(SSE_INTERVAL=0.1)
    dora = Browser(app, "dora")
    db = app.extensions["pa"].db
    resp = dora.client.get("/events?limit=20", buffered=False)
    chunks = iter(resp.response)
    assert "retry" in next(chunks).decode() and "event: snapshot" in next(chunks).decode()
    away(db, server_url)
    try:
        rest = b"".join(chunks).decode()  # the open stream meets the outage: says it and ends
    finally:
        back(db, server_url)
        resp.close()
    assert "event: outage" in rest and EN[0] in rest and "event: snapshot" not in rest.split("event: outage")[1]
    assert not [r for r in caplog.records if r.exc_info], "an outage is no bug: no traceback"
