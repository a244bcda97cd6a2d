"""The panel as it is served: waitress in the `broadcaster serve` process itself (a real service with its
zone player on a WAV sink), and on PostgreSQL under gunicorn in processes of its own. A crowd of desks
paging at once each get their own case, numbered in turn, and every page its airing row; open live
now-playing streams never take the threads a page trigger needs."""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from broadcaster.store.db import Database
from broadcaster.store.models.cases import Page
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.workflow import AsRun
from tests.serving import panel_url, start_serve
from tests.web.conftest import FAST_HASH, PASSWORD, STAFF

PAGE = {"kind": "found", "age": 4, "sex": "girl", "clothing": "yellow dress", "shoes": "red sandals",
        "meeting_point": "Visitor Centre", "wording": {"meeting_point": {"zh-CN": "游客中心"}}}  # a place in each language


def call(url: str, method: str = "GET", body: dict | None = None, auth: str | None = None, timeout: float = 10):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"} if body else {})
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def basic(name: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def seed(db: Database) -> None:
    """The staff and the approved default page templates."""
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService
    from broadcaster.store.models.core import User

    with db.session() as s:
        for name, role in STAFF:
            s.add(User(name=name, role=role, display_name=name.title(), password_hash=FAST_HASH))
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")


def test_desks_page_at_once_through_the_served_panel(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = Database(url)
    seed(db)
    proc, text = start_serve(tmp_path, "--zone", f"main=wav:{tmp_path / 'air.wav'}", db=url)
    try:
        assert "in-process, 4 threads" in text, text
        base = panel_url(text)
        status, body = call(base + "api/token", "POST", auth=basic("dora"))
        assert status == 200, body
        bearer = "Bearer " + body["token"]

        t0 = time.monotonic()
        status, body = call(base + "api/pages", "POST", PAGE, auth=bearer)
        assert status == 201, body
        number = body["case"]["number"]
        on_air = None
        while time.monotonic() - t0 < 10 and on_air is None:
            _, now = call(base + "api/now", auth=bearer)
            on_air = now["zones"]["main"]["now"]
            time.sleep(0.02)
        assert on_air is not None, "the page never aired"
        assert on_air["kind"] == "page" and number in on_air["title"]
        assert now["health"]["players"] == "ok"
        with db.session() as s:  # the service's player logged it as airing
            deadline = time.monotonic() + 5
            while not s.scalars(select(AsRun).where(AsRun.ref.like("page:%"))).all():
                assert time.monotonic() < deadline, "no as-run row for the page"
                time.sleep(0.05)
                s.expire_all()

        # a crowd of desks at once: every desk gets its own case (numbers unique and in turn), and
        # every page is stored with its airing in the same transaction
        with ThreadPoolExecutor(24) as pool:
            replies = list(pool.map(lambda _: call(base + "api/pages", "POST", PAGE, auth=bearer, timeout=30),
                                    range(24)))
        assert all(status == 201 for status, _ in replies), replies
        serials = sorted(int(body["case"]["number"][-3:]) for _, body in replies)
        assert serials == list(range(2, 26))  # after the first page's 001
        ids = {body["page"]["id"] for _, body in replies}
        assert all(body["page"]["times_aired"] == 0 for _, body in replies)  # written, not yet aired
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Page).where(Page.id.in_(ids))) == 24
            aired_for = set(s.scalars(select(Airing.ref).where(Airing.ref.in_([f"page:{i}" for i in ids]))))
        assert aired_for == {f"page:{i}" for i in ids}

        # the login throttle: five failures, then even the right password waits
        for _ in range(5):
            assert call(base + "api/token", "POST", auth=basic("sam", "wrong password"))[0] == 401
        assert call(base + "api/token", "POST", auth=basic("sam"))[0] == 429
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        db.dispose()
    assert proc.returncode == 0, out
    assert "stopped" in out


# -- live streams and the desk's trigger, on the same threads ----------------------------------------
THREADS, STREAMS = 8, 4


@pytest.fixture
def served(make_app, approved_templates):
    """The panel on the waitress server `broadcaster serve` uses, in this process."""
    from broadcaster.commands.serve import Panel

    def serve(**config):
        config = {"SSE_INTERVAL": 0.2, "SSE_MAX_STREAMS": STREAMS, "SSE_MAX_EVENTS": 100, **config}
        panels.append(Panel(make_app(**config), "127.0.0.1", 0, threads=THREADS))
        return panels[-1]

    panels: list = []
    yield serve
    for panel in panels:
        panel.stop()


UA = "pa-test-browser"


def log_in(base: str, name: str) -> str:
    """The session cookie of ``name``, logged in through the form (as one browser: the session is bound
    to its user agent)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", UA)]
    page = opener.open(base + "login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    opener.open(base + "login", urlencode({"username": name, "password": PASSWORD, "csrf_token": token}).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def open_stream(base: str, cookie: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, str]:
    """A live now-playing stream, read up to its first event: (connection, response, retry line)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/events", headers={"Cookie": cookie, "Accept": "text/event-stream", "User-Agent": UA})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/event-stream")
    retry = resp.readline().decode().strip()
    next_event(resp)
    return conn, resp, retry


def next_event(resp) -> dict | None:
    """The next snapshot's data, or None when the stream ended."""
    while True:
        line = resp.readline()
        if not line:
            return None
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def test_open_live_streams_never_hold_up_a_page_trigger(served):
    """Three times as many open dashboards as the server has threads: a few keep their live stream, the
    others get one snapshot and are told to come back later, and the desk's page is answered at once."""
    panel = served()
    base = panel.url
    cookie = log_in(base, "sam")
    streams = [open_stream(base, cookie) for _ in range(3 * THREADS)]
    try:
        held = [(conn, resp) for conn, resp, retry in streams if retry == "retry: 1000"]
        told_later = [resp for _, resp, retry in streams if retry == "retry: 5000"]
        assert len(held) == STREAMS and len(told_later) == 3 * THREADS - STREAMS
        assert all(next_event(resp) is None for resp in told_later)  # closed after their one snapshot

        t0 = time.monotonic()
        status, body = call(base + "api/pages", "POST", PAGE, auth=basic("dora"), timeout=5)
        assert status == 201, body
        assert time.monotonic() - t0 < 3
        for _, resp in held:  # the held streams are live all along: the page shows within a few events
            def shows_page(event) -> bool:
                waiting = event["zones"]["main"]["waiting"]
                return bool(waiting) and waiting[0]["title"] == body["case"]["number"]  # said by its case number

            assert any(shows_page(next_event(resp)) for _ in range(25))
    finally:
        for conn, resp, _ in streams:
            resp.close()
            conn.close()


def test_a_closed_stream_gives_its_place_back(served):
    panel = served()
    cookie = log_in(panel.url, "sam")
    for _ in range(3):  # more streams in turn than may be open at once
        conns = [open_stream(panel.url, cookie) for _ in range(STREAMS)]
        assert [retry for _, _, retry in conns] == ["retry: 1000"] * STREAMS
        for conn, resp, _ in conns:
            resp.close()
            conn.close()
        deadline = time.monotonic() + 5  # the server notices at the stream's next write
        while panel.app.extensions["pa_streams"]._value < STREAMS:
            assert time.monotonic() < deadline, "closed streams kept their places"
            time.sleep(0.05)


# -- PostgreSQL: panel processes of their own ---------------------------------------------------------
def test_the_panel_factory_refuses_sqlite(tmp_path):
    from web.wsgi import app

    with pytest.raises(RuntimeError, match="PostgreSQL"):
        app(f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_gunicorn_panel_processes_on_postgresql(pg_db, tmp_path):
    """Two gunicorn panel processes with no player and no leader: a page triggered through them is woken
    into a zone player of another process by NOTIFY and airs; /api/now in either shows it."""
    from tests.conftest import OnAir

    seed(pg_db)
    air = OnAir(pg_db, tmp_path, realtime=True, name="pg-player").start()
    env = dict(os.environ, PA_DATABASE_URL=pg_db.url, PA_VAR_DIR=str(tmp_path / "var"), PA_GTTS_DISABLED="1")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", "127.0.0.1:0",
                             "--log-level", "info", "web.wsgi:app()"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:
            m = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "gunicorn did not start"
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # its log, drained
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while call(base + "api/now", auth=basic("dora"))[0] != 200:
            assert time.monotonic() < deadline, "the panel processes never answered"
            time.sleep(0.2)
        status, body = call(base + "api/pages", "POST", PAGE, auth=basic("dora"))
        assert status == 201, body
        number = body["case"]["number"]
        air.wait(lambda: (call(base + "api/now", auth=basic("dora"))[1]["zones"]["main"]["now"] or {})
                 .get("title", "").startswith(f"Page {number}"), 30, "the page on air")
        assert air.airings(f"page:{body['page']['id']}")[0].player == "pg-player"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        air.stop()


def test_the_panel_gives_way_while_the_player_claims_unless_its_transaction_has_written(tmp_path):
    """While the zone player claims what a commit just queued (``settled`` clear), a panel thread waits
    at its next query until the hand-over (at most the cap); one whose SQLite transaction has written
    goes on (the claim needs the write lock it holds); threads not serving the panel never wait. The cap
    counts from the start of the claim: once it has passed, the panel's queries no longer wait, however
    many commits come meanwhile."""
    from sqlalchemy import text

    from broadcaster.commands.serve import give_way
    from broadcaster.onair.player import Settled

    db = Database(f"sqlite:///{tmp_path / 'panel.sqlite3'}", migrate=False)
    with db.session() as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
    settled = Settled()
    settled.set()
    give_way(db.engine, settled, wait_s=3.0)
    took: dict[str, float] = {}

    def run(name: str, work) -> threading.Thread:
        def go():
            t0 = time.monotonic()
            work()
            took[name] = time.monotonic() - t0
        t = threading.Thread(target=go, name=name)
        t.start()
        return t

    def read():
        with db.session() as s:
            s.execute(text("SELECT count(*) FROM t"))

    wrote = threading.Event()

    def write_then_read():
        with db.session() as s:
            s.execute(text("INSERT INTO t VALUES (1)"))
            wrote.set()
            time.sleep(0.2)  # (the player's claim comes meanwhile)
            s.execute(text("SELECT count(*) FROM t"))

    try:
        writer = run("waitress-1", write_then_read)
        assert wrote.wait(5)
        settled.clear()  # a commit queued a page: the player claims it
        reader, other = run("waitress-2", read), run("not-the-panel", read)
        writer.join(5), other.join(5)
        assert took["waitress-1"] < 2.0, "a panel thread holding the write lock went on"
        assert took["not-the-panel"] < 2.0, "only the panel's threads give way"
        time.sleep(0.3)
        assert "waitress-2" not in took, "the panel's read waits for the hand-over"
        settled.set()
        reader.join(5)
        assert 0.3 <= took["waitress-2"] < 2.5
        settled.clear()  # a claim that never ends: the panel goes on after the cap
        t0 = time.monotonic()
        run("waitress-3", read).join(5)
        assert 3.0 <= time.monotonic() - t0 < 5.0
        settled.clear()  # another commit while it is still stuck: the cap is not started again
        t0 = time.monotonic()
        run("waitress-4", read).join(5)
        run("waitress-5", read).join(5)
        assert time.monotonic() - t0 < 1.0, "after the cap, the panel's queries no longer wait"
    finally:
        settled.set()
        db.dispose()
