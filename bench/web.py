"""Benchmark: the web panel under 50 concurrent clients (threads, bounded loops, 127.0.0.1).

A real server (werkzeug, threaded) around a temporary SQLite file, the real playout engine on a
wall-clock-paced null sink and the real renderer. Measures requests/s and latency percentiles of the
dashboard (logged-in session) and of the page-trigger API (bearer token; each call opens a case and
queues an urgent page). Target: p99 < 100 ms.
Run: ``.venv/bin/python bench/web.py [--clients 50] [--requests 20]``.
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from audio.render import Renderer  # noqa: E402
from audio.sinks import NullSink  # noqa: E402
from broadcaster.cases.defaults import seed_defaults  # noqa: E402
from broadcaster.cases.templates import TemplateService  # noqa: E402
from broadcaster.db import Database  # noqa: E402
from broadcaster.media import MediaStore  # noqa: E402
from broadcaster.playout import PlayoutEngine  # noqa: E402
from broadcaster.users import add_user  # noqa: E402
from web import create_app  # noqa: E402

PASSWORD = "bench password 1"
PAGE = {"kind": "found", "age": 4, "sex": "girl", "clothing": "yellow dress", "meeting_point": "Visitor Centre"}


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def login(port: int, name: str) -> str:
    status, headers, body = request(port, "GET", "/login")
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"username": name, "password": PASSWORD, "csrf_token": token}).encode()
    status, headers, _ = request(port, "POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 302, status
    return next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")


def _expect(method: str, path: str) -> int:
    return 201 if method == "POST" else 200


def load(port: int, clients: int, per_client: int, method: str, path: str, body, headers, out) -> None:
    """The client side, in its own process so it does not share the server's interpreter lock."""
    want = _expect(method, path)
    lat, errors, wall = run(port, clients, per_client,
                            lambda: request(port, method, path, body, headers)[0] == want)
    out.put((lat, errors, wall))


def run(port: int, clients: int, per_client: int, call) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client() -> None:
        mine = []
        start_line.wait()
        for _ in range(per_client):
            t0 = time.perf_counter()
            ok = call()
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, errors[0], time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20, help="requests per client per endpoint")
    ap.add_argument("--switch-ms", type=float, default=5.0, help="sys.setswitchinterval, ms (Python default 5)")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    sys.setswitchinterval(args.switch_ms / 1000)  # many short requests: hand the GIL over sooner
    tmp = Path(tempfile.mkdtemp(prefix="pa-bench-web-"))
    db = Database(f"sqlite:///{tmp / 'bench.sqlite3'}")
    with db.session() as s:
        add_user(s, "dee", "desk", password=PASSWORD)
        add_user(s, "sam", "supervisor", password=PASSWORD)
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")
    engine = PlayoutEngine({"main": NullSink(realtime=True)}).start()
    app = create_app({"DATABASE": db, "ENGINE": engine, "RENDERER": Renderer(cache_dir=tmp / "cache"),
                      "MEDIA": MediaStore(tmp / "media"), "SECRET_KEY": "bench"})
    from werkzeug.serving import ThreadedWSGIServer

    ThreadedWSGIServer.request_queue_size = 128  # 50 clients connect at once
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    cookie = login(port, "dee")
    status, _, body = request(port, "POST", "/api/token", headers={
        "Authorization": "Basic " + __import__("base64").b64encode(f"dee:{PASSWORD}".encode()).decode()})
    bearer = {"Authorization": "Bearer " + json.loads(body)["token"], "Content-Type": "application/json"}
    page_body = json.dumps(PAGE).encode()
    request(port, "POST", "/api/pages", page_body, bearer)  # warm the render cache once

    endpoints = [
        ("GET /  (dashboard)", "GET", "/", None, {"Cookie": cookie}),
        ("GET /api/now", "GET", "/api/now", None, bearer),
        ("POST /api/pages", "POST", "/api/pages", page_body, bearer),
    ]
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    print(f"{args.clients} concurrent clients (in a separate process) x {args.requests} requests, 127.0.0.1, "
          "SQLite, real engine\n")
    print(f"{'endpoint':22} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8}")
    for name, method, path, body, headers in endpoints:
        out = ctx.Queue()
        proc = ctx.Process(target=load, args=(port, args.clients, args.requests, method, path, body, headers, out))
        proc.start()
        lat, errors, wall = out.get()
        proc.join()
        print(f"{name:22} {len(lat):8d} {errors:6d} {len(lat) / wall:8.0f} {statistics.median(lat) * 1000:8.1f} "
              f"{pct(lat, 90):8.1f} {pct(lat, 99):8.1f} {max(lat) * 1000:8.1f}")
    server.shutdown()
    engine.stop(timeout=1)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
