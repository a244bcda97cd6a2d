"""Sessions kept on the server (logout, idle expiry, password change) and the log-in throttle per account
and per address, through the real panel (Flask test client) on a real SQLite database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from broadcaster.settings import VenueSettings
from broadcaster.store.models.security import LoginFailure, LoginSession
from tests.clock import ManualClock
from tests.web.conftest import PASSWORD, Browser, csrf_of
from tests.web.test_api import basic


def sessions(app, name):
    from broadcaster.store.models.core import User

    with app.extensions["pa"].db.session() as s:
        uid = s.scalar(select(User.id).where(User.name == name))
        rows = s.scalars(select(LoginSession).where(LoginSession.user_id == uid).order_by(LoginSession.id)).all()
        s.expunge_all()
        return rows


def replay(app, cookie: str):
    """A fresh client (another machine) presenting a copied session cookie."""
    c = app.test_client()
    c.set_cookie("pa_session", cookie)
    return c


def test_a_replayed_cookie_after_logout_gets_the_log_in_page(app):
    sam = Browser(app, "sam")
    assert sam.get("/approvals/").status_code == 200
    copied = sam.client.get_cookie("pa_session").value
    assert replay(app, copied).get("/approvals/").status_code == 200  # a copy works while logged in
    assert sam.post("/logout").status_code == 302
    resp = replay(app, copied).get("/approvals/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "Approvals" not in resp.get_data(as_text=True)
    api = replay(app, copied).get("/approvals/logs")
    assert api.status_code == 302
    [row] = sessions(app, "sam")
    assert row.ended_at is not None and row.ended_why == "logout"


def test_the_session_token_is_random_and_only_its_hash_is_stored(app):
    a, b = Browser(app, "dora"), Browser(app, "dora")
    rows = sessions(app, "dora")
    assert len(rows) == 2 and rows[0].token_hash != rows[1].token_hash
    assert all(len(r.token_hash) == 64 for r in rows) and rows[0].address == "127.0.0.1"
    assert a.get("/").status_code == b.get("/").status_code == 200


def test_idle_sessions_expire_after_the_venue_setting(make_app, approved_templates):
    clock = ManualClock()
    app = make_app(CLOCK=clock, SETTINGS=VenueSettings(session_idle_min=10))
    b = Browser(app, "dora")
    [row] = sessions(app, "dora")
    clock.advance(seconds=30)
    assert b.get("/").status_code == 200
    assert sessions(app, "dora")[0].last_seen_at == row.last_seen_at  # written at most once a minute
    clock.advance(minutes=9)
    assert b.get("/").status_code == 200  # 9.5 minutes unused: still in
    seen = sessions(app, "dora")[0].last_seen_at
    assert seen == clock.now()
    clock.advance(minutes=9)
    assert b.get("/").status_code == 200  # used again within 10 minutes of the last use
    clock.advance(minutes=10, seconds=1)
    resp = b.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    [row] = sessions(app, "dora")
    assert row.ended_why == "idle"
    assert b.login("dora").status_code == 302 and b.get("/").status_code == 200  # log in again


def test_idle_limit_is_set_on_the_venue_form(make_app, approved_templates, tmp_path, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path / "var"))
    app = make_app(SETTINGS=VenueSettings())
    ada = Browser(app, "ada")
    form = {"venue_name": "Park", "timezone": "Asia/Shanghai", "lang_1": "zh-CN", "lang_2": "en"}
    resp = ada.post("/setup/venue", dict(form, session_idle_min="0"))
    assert resp.status_code == 400 and "5 to 720" in resp.get_data(as_text=True)
    assert app.extensions["pa"].settings.session_idle_min == 30
    assert ada.post("/setup/venue", dict(form, session_idle_min="15")).status_code == 302
    assert app.extensions["pa"].settings.session_idle_min == 15
    assert 'name="session_idle_min"' in ada.get("/setup/venue").get_data(as_text=True)


def test_a_password_change_ends_the_other_sessions_but_keeps_the_changers(app):
    here, there = Browser(app, "dora"), Browser(app, "dora")
    resp = here.post("/account/password", {"current": PASSWORD, "new": "a new secret 42", "repeat": "a new secret 42"})
    assert resp.status_code == 302
    assert here.get("/desk/cases").status_code == 200
    assert there.get("/desk/cases").status_code == 302
    assert [r.ended_why for r in sessions(app, "dora")] == [None, "password"]  # here, there


def test_an_admin_password_reset_ends_that_users_sessions(app):
    sam, ada = Browser(app, "sam"), Browser(app, "ada")
    assert ada.post("/admin/users/sam/password", {"password": "reset by ada 1"}).status_code == 302
    assert sam.get("/approvals/").status_code == 302
    assert ada.get("/admin/users").status_code == 200
    assert sessions(app, "ada")[0].ended_at is None


def test_switching_an_account_off_ends_its_sessions(app):
    Browser(app, "bob")
    ada = Browser(app, "ada")
    assert ada.post("/admin/users/bob/active", {"active": "0"}).status_code == 302
    assert [r.ended_why for r in sessions(app, "bob")] == ["switched off"]


def test_cookies_are_httponly_lax_and_secure_over_tls(app):
    c = app.test_client()
    page = c.get("/login", base_url="https://panel.example")
    resp = c.post("/login", base_url="https://panel.example",
                  data={"username": "dora", "password": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True))})
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("pa_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = Browser(app).login("dora")
    cookie = next(h for h in plain.headers.getlist("Set-Cookie") if h.startswith("pa_session="))
    assert "Secure" not in cookie  # plain http on the desk's own network: the browser would drop it


# -- throttle --------------------------------------------------------------------------------------
def test_five_failures_lock_that_account_only_not_the_desk(app):
    desk = Browser(app)
    for _ in range(5):
        assert desk.login("dora", "nope").status_code == 401
    assert desk.login("dora", PASSWORD).status_code == 429  # even the right password, for a while
    api = app.test_client()
    assert api.get("/api/cases", headers=basic("dora")).status_code == 429
    assert Browser(app).login("sam").status_code == 302  # another user at the same desk logs in
    assert api.get("/api/cases", headers=basic("sam")).status_code == 200
    assert Browser(app).login("dora", PASSWORD).status_code == 429  # dora is locked at every desk


def test_api_basic_failures_count_against_the_same_account(app):
    api = app.test_client()
    for _ in range(5):
        assert api.get("/api/cases", headers=basic("dora", "nope")).status_code == 401
    assert Browser(app).login("dora").status_code == 429
    assert api.get("/api/cases", headers=basic("sue")).status_code == 200


def test_the_per_address_limit_still_trips(app):
    b = Browser(app)
    for i in range(50):  # a guesser spraying many accounts, each below its own limit
        assert b.login(f"guess{i % 25}", "nope").status_code == 401
    assert b.login("sam", PASSWORD).status_code == 429
    assert app.test_client().get("/api/cases", headers=basic("sam")).status_code == 429
    other = app.test_client()  # another address is not locked
    page = other.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    resp = other.post("/login", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                      data={"username": "sam", "password": PASSWORD,
                            "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert resp.status_code == 302


def test_the_throttle_window_passes_and_a_success_forgives_the_account(make_app, approved_templates):
    clock = ManualClock()
    app = make_app(CLOCK=clock)
    b = Browser(app)
    for _ in range(5):
        b.login("dora", "nope")
    assert b.login("dora", PASSWORD).status_code == 429
    clock.advance(seconds=301)
    assert b.login("dora", PASSWORD).status_code == 302
    for _ in range(4):
        Browser(app).login("dora", "nope")
    Browser(app).login("dora")  # the right password: the account's failures are forgiven
    assert Browser(app).login("dora", "nope").status_code == 401
    assert Browser(app).login("dora").status_code == 302


def test_failures_are_shared_by_every_panel_process(make_app, approved_templates):
    """Two apps on one database stand for two worker processes: the failures add up across them."""
    one, two = make_app(), make_app()
    for _ in range(4):
        Browser(one).login("dora", "nope")
    Browser(two).login("dora", "nope")
    assert Browser(one).login("dora").status_code == 429
    with one.extensions["pa"].db.session() as s:
        assert len(s.scalars(select(LoginFailure)).all()) == 5
    sam = Browser(one, "sam")  # a logout in one process holds in the other
    copied = sam.client.get_cookie("pa_session").value
    assert replay(two, copied).get("/approvals/").status_code == 200
    sam.post("/logout")
    assert replay(two, copied).get("/approvals/").status_code == 302


def test_old_failures_are_pruned(make_app, approved_templates):
    clock = ManualClock()
    app = make_app(CLOCK=clock)
    Browser(app).login("dora", "nope")
    clock.advance(timedelta(minutes=6).total_seconds())
    Browser(app).login("sam", "nope")
    with app.extensions["pa"].db.session() as s:
        assert [f.account for f in s.scalars(select(LoginFailure))] == ["sam"]
