"""The panel in worker processes, as `broadcaster serve` runs it by default: a real service (engine on a
WAV sink, paging loop) and a real gunicorn with two panel workers. A lost-child page triggered through
a worker airs in the service process at once (the doorbell), now-playing is read from the published
snapshot, and the login throttle counts failures across the workers."""
from __future__ import annotations

import base64
import json
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import select

from broadcaster.store.db import Database
from broadcaster.store.models.workflow import AsRun
from tests.serving import panel_url, start_serve
from tests.web.conftest import FAST_HASH, PASSWORD, STAFF

PAGE = {"kind": "found", "age": 4, "sex": "girl", "clothing": "yellow dress", "shoes": "red sandals",
        "meeting_point": "Visitor Centre"}


def worker_pids(parent: int) -> list[int]:
    """Processes whose parent's parent is ``parent`` and that run the panel (gunicorn's workers)."""
    def ppid(pid: int) -> int:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
            if b"web.worker:app()" in cmd and ppid(ppid(int(entry.name))) == parent:
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def call(url: str, method: str = "GET", body: dict | None = None, auth: str | None = None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"} if body else {})
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def test_pages_through_worker_processes_air_at_once(tmp_path):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService
    from broadcaster.store.models.core import User

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = Database(url)
    with db.session() as s:
        for name, role in STAFF:
            s.add(User(name=name, role=role, display_name=name.title(), password_hash=FAST_HASH))
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")

    proc, text = start_serve(tmp_path, "--web-workers", "2", "--zone", f"main=wav:{tmp_path / 'air.wav'}", db=url)
    try:
        assert "(2 worker processes)" in text, text
        base = panel_url(text)
        assert len(worker_pids(proc.pid)) == 2

        status, body = call(base + "api/token", "POST", auth=basic("dora", PASSWORD))
        assert status == 200, body
        bearer = "Bearer " + body["token"]
        t0 = time.monotonic()
        status, body = call(base + "api/pages", "POST", PAGE, auth=bearer)
        assert status == 201, body
        number = body["case"]["number"]
        on_air = None
        while time.monotonic() - t0 < 5 and on_air is None:
            _, now = call(base + "api/now", auth=bearer)
            on_air = now["zones"]["main"]["now"]
            time.sleep(0.02)
        assert on_air is not None, "the page never aired"
        assert on_air["kind"] == "page" and number in on_air["title"]
        assert time.monotonic() - t0 < 2  # rung at once, not left for a slow tick
        assert now["health"]["engine"] == "ok"
        with db.session() as s:  # the service process logged it as airing
            deadline = time.monotonic() + 5
            while not s.scalars(select(AsRun).where(AsRun.ref.like("page:%"))).all():
                assert time.monotonic() < deadline, "no as-run row for the page"
                time.sleep(0.05)
                s.expire_all()

        # a crowd of desks at once: the triggers of each worker share transactions, every desk gets
        # its own case (numbers unique, consecutive) and every page reaches the engine
        from concurrent.futures import ThreadPoolExecutor

        from broadcaster.store.models.cases import Page

        with ThreadPoolExecutor(24) as pool:
            replies = list(pool.map(lambda _: call(base + "api/pages", "POST", PAGE, auth=bearer), range(24)))
        assert all(status == 201 for status, _ in replies), replies
        serials = sorted(int(body["case"]["number"][-3:]) for _, body in replies)
        assert serials == list(range(2, 26))  # after the first page's 001
        ids = {body["page"]["id"] for _, body in replies}
        with db.session() as s:
            deadline = time.monotonic() + 10
            while s.scalars(select(Page).where(Page.id.in_(ids), Page.times_queued == 0)).first() is not None:
                assert time.monotonic() < deadline, "some pages never reached the engine"
                time.sleep(0.05)
                s.expire_all()

        # the throttle is shared: five failures on whichever workers, then even the right password waits
        for _ in range(5):
            assert call(base + "api/token", "POST", auth=basic("sam", "wrong password"))[0] == 401
        for _ in range(4):
            assert call(base + "api/token", "POST", auth=basic("sam", PASSWORD))[0] == 429
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        db.dispose()
    assert proc.returncode == 0, out
    assert not worker_pids(proc.pid)
    assert "stopped" in out


def test_panel_workers_go_when_the_service_is_killed(tmp_path):
    """kill -9 of the service must not leave gunicorn holding the panel's port."""
    import socket

    proc, text = start_serve(tmp_path, "--web-workers", "2", "--no-scheduler", "--zone", "main=null")
    try:
        port = int(re.search(r"panel at http://[^:]+:(\d+)/", text).group(1))
        assert len(worker_pids(proc.pid)) == 2
        gunicorn = {int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                    for pid in worker_pids(proc.pid)}
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 15
        while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                  for pid in gunicorn):
            assert time.monotonic() < deadline, "gunicorn outlived the service"
            time.sleep(0.1)
        with socket.socket() as probe:  # the port is free for a restarted service
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()
