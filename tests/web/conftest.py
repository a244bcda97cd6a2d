"""Web fixtures: a real SQLite database, real staff users with werkzeug password hashes, a real zone player
(engine on a wall-clock-paced null sink that keeps its samples) claiming the airings the panel's
services write, the Flask app and logged-in test clients."""
from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timezone

import pytest
from werkzeug.security import generate_password_hash

from broadcaster.store.models.core import Role, User

PASSWORD = "correct horse 9"
# cheap hash parameters keep the suite fast; the check is the same werkzeug code as production
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

INSTALLED = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the venue's first users: before the manual clock's days
STAFF = [("dora", Role.DESK), ("sam", Role.SUPERVISOR), ("sue", Role.SUPERVISOR), ("bob", Role.BROADCASTER),
         ("ada", Role.ADMIN)]


@pytest.fixture
def staff(db):
    with db.session() as s:
        for name, role in STAFF:
            s.add(User(name=name, role=role, display_name=name.title(), password_hash=FAST_HASH,
                       created_at=INSTALLED))
        s.add(User(name="gone", role=Role.SUPERVISOR, password_hash=FAST_HASH, active=False, created_at=INSTALLED))
    return db


@pytest.fixture
def approved_templates(staff):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService

    svc = TemplateService(staff)
    for tpl in seed_defaults(staff):
        svc.approve(tpl.id, "sam")
    return svc


@pytest.fixture(scope="session")
def renderer(tmp_path_factory):
    """The real renderer (offline TTS); its cache is shared by the session so each text renders once."""
    from audio.render import Renderer

    return Renderer(cache_dir=tmp_path_factory.mktemp("render-cache"))


@pytest.fixture
def player(staff, tmp_path, renderer):
    """A started zone player for zone "main" on the test's database, airing in real time (so what it
    airs stays on air long enough to be seen), with the session's renderer for pages' speech."""
    from broadcaster.onair.pieces import Speech
    from tests.conftest import OnAir

    air = OnAir(staff, tmp_path, realtime=True, name="panel-test-player")
    air.player.speech = Speech(renderer)
    air.start()
    yield air
    air.stop()


def on_air(app, zone: str = "main") -> dict | None:
    """What the panel says airs now in ``zone`` (read from the database, as every panel does)."""
    return app.extensions["pa"].now_playing()[zone]["now"]


@pytest.fixture
def make_app(staff, tmp_path, renderer):
    from broadcaster.store.media import MediaStore
    from web import create_app

    def make(**config):
        base = {"DATABASE": staff, "SECRET_KEY": "test-secret", "TESTING": True, "RENDERER": renderer,
                "MEDIA": MediaStore(tmp_path / "media")}
        base.update(config)
        return create_app(base)

    return make


@pytest.fixture
def app(make_app, approved_templates):
    return make_app()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


class Browser:
    """A Flask test client that logs in through the form and sends the CSRF token like the pages do."""

    def __init__(self, app, name: str | None = None) -> None:
        self.client = app.test_client()
        self.token = None
        if name:
            self.login(name)

    def login(self, name: str, password: str = PASSWORD):
        page = self.client.get("/login")
        resp = self.client.post("/login", data={"username": name, "password": password,
                                                "csrf_token": csrf_of(page.get_data(as_text=True))})
        if resp.status_code == 302:
            self.refresh_token()
        return resp

    def refresh_token(self):
        self.token = csrf_of(self.client.get("/", follow_redirects=True).get_data(as_text=True))

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


@pytest.fixture
def browser(app):
    return lambda name=None: Browser(app, name)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll until ``predicate()`` is truthy (no timing assertion: only a bound on waiting)."""
    done = threading.Event()
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        done.wait(interval)
    raise AssertionError("condition not reached")


def wait_js(page, expression: str, timeout: float = 15.0) -> None:
    """Wait until ``expression`` is true in ``page``. Playwright's wait_for_function re-evaluates a
    string with eval(), which the pages' Content-Security-Policy refuses whenever the first try is
    false; page.evaluate is not bound by the page's CSP."""
    deadline = time.monotonic() + timeout  # an element not there yet (the page still loading) is "not yet"
    while not page.evaluate(f"() => {{ try {{ return Boolean({expression}); }} catch (e) {{ return false; }} }}"):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.05)
