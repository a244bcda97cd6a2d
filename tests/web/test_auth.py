"""Log-in, throttling, session cookie flags, CSRF, redirects, language switch."""
from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, Browser, csrf_of


def test_login_sets_a_secure_session_cookie_and_logout_ends_it(app):
    b = Browser(app)
    page = b.get("/login")
    resp = b.client.post("/login", data={"username": "dora", "password": PASSWORD,
                                         "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("pa_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert b.get("/").status_code == 200
    b.refresh_token()
    assert b.post("/logout").status_code == 302
    assert b.get("/").status_code == 302  # back to the log-in page


def test_secure_cookie_is_configurable(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    b = Browser(app)
    page = b.get("/login")
    resp = b.client.post("/login", data={"username": "dora", "password": PASSWORD,
                                         "csrf_token": csrf_of(page.get_data(as_text=True))})
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("pa_session="))
    assert "Secure" in cookie


@pytest.mark.parametrize("name,password", [("dora", "wrong password"), ("nobody", PASSWORD), ("gone", PASSWORD)])
def test_bad_credentials_and_inactive_users_are_refused(app, name, password):
    b = Browser(app)
    resp = b.login(name, password)
    assert resp.status_code == 401
    assert b.get("/").status_code == 302


def test_login_is_throttled_after_five_failures_per_user(app):
    b = Browser(app)
    for _ in range(5):
        assert b.login("dora", "nope").status_code == 401
    assert b.login("dora", PASSWORD).status_code == 429  # even the right password, for a while


def test_forms_without_csrf_token_are_refused(app):
    b = Browser(app, "dora")
    resp = b.client.post("/desk/", data={"kind": "found", "meeting_point": "Gate"})
    assert resp.status_code == 400
    assert "reload the page and send it again" in resp.get_data(as_text=True)
    resp = b.client.post("/desk/", data={"kind": "found", "meeting_point": "Gate", "csrf_token": "forged"})
    assert resp.status_code == 400
    assert b.get("/desk/cases?all=1").get_data(as_text=True).count("/desk/cases/C") == 0


def test_login_form_needs_csrf_too(app):
    resp = app.test_client().post("/login", data={"username": "dora", "password": PASSWORD})
    assert resp.status_code == 400


@pytest.mark.parametrize("target,expected", [("/desk/cases", "/desk/cases"), ("https://evil.example/x", "/"),
                                             ("//evil.example", "/")])
def test_next_redirect_stays_on_the_site(app, target, expected):
    b = Browser(app)
    page = b.get("/login")
    resp = b.client.post(f"/login?next={target}", data={"username": "dora", "password": PASSWORD,
                                                         "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert resp.headers["Location"] == expected


def test_anonymous_visitors_are_sent_to_log_in(app):
    resp = app.test_client().get("/desk/cases")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_language_switch(app):
    b = Browser(app, "dora")
    assert "Urgent page" in b.get("/").get_data(as_text=True)
    b.get("/lang/zh")
    html = b.get("/").get_data(as_text=True)
    assert "紧急广播" in html and "正在播放" in html
    b.get("/lang/en")
    assert "Urgent page" in b.get("/").get_data(as_text=True)


def test_security_headers(app):
    resp = app.test_client().get("/login")
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'self': no inline script
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
