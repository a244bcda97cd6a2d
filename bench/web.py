"""Benchmark: the web panel under 50 concurrent clients (closed loop, no think time, 127.0.0.1).

The real service as ``./run`` starts it (``broadcaster serve``: its zone player on a wall-clock-paced
null sink, scheduler, leader, and the panel on waitress in the same process) around a temporary SQLite
file. The load comes from ``wrk`` (C, one connection per client, bounded by time) when installed, else
from Python threads in a separate process (bounded by request count); either runs beside the server on
the same CPUs. Measures, one desk at a time, how long a page takes from the trigger to its first sample
(the as-run row's start), then requests/s and latency percentiles of the dashboard (logged-in session),
of ``GET /api/now`` (now playing read from the database) and of the page-trigger API (bearer token; each
call opens a case and pages it, writing its airing, so the run ends with thousands of open cases and
pages waiting), the last with ``--streams`` live now-playing streams held open beside it as well.
Target: p99 < 100 ms.

Each endpoint is warmed up (not measured), then runs ``--rounds`` times in a row: timing on a small
shared machine varies from run to run, and every run is printed. The page-trigger rounds run last.
Run: ``.venv/bin/python bench/web.py [--clients 50] [--seconds 10] [--rounds 3] [--streams 8]``.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 1"
PAGE = {"kind": "found", "age": 4, "sex": "girl", "clothing": "yellow dress", "meeting_point": "Visitor Centre",
        "wording": {"meeting_point": {"zh-CN": "游客中心"}}}  # the place in each page language


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
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    # like a browser: keep the cookie the first page after log-in sets (else each request re-signs it)
    _, headers, _ = request(port, "GET", "/", headers={"Cookie": cookie})
    return next((v.split(";")[0] for k, v in headers if k.lower() == "set-cookie"), cookie)


def prepare(var: Path) -> str:
    """Users and approved page templates in a fresh database; returns its URL."""
    os.environ["PA_VAR_DIR"] = str(var)
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService
    from broadcaster.store.db import Database
    from broadcaster.users import add_user

    url = f"sqlite:///{var / 'bench.sqlite3'}"
    db = Database(url)
    with db.session() as s:
        add_user(s, "dee", "desk", password=PASSWORD)
        add_user(s, "sam", "supervisor", password=PASSWORD)
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")
    db.dispose()
    return url


def start_service(var: Path, url: str) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, PA_VAR_DIR=str(var), PA_GTTS_DISABLED="1")
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", url, "serve", "--port", "0",
                             "--zone", "main=null"],
                            env=env, stdout=subprocess.PIPE, stderr=open(var / "serve.log", "w"), text=True, cwd=ROOT)
    for line in proc.stdout:
        m = re.search(r"panel at http://[^:]+:(\d+)/", line)
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, int(m.group(1))
    raise RuntimeError("broadcaster serve did not start")


# -- load generators ----------------------------------------------------------------------------
def wrk(port: int, clients: int, seconds: float, method: str, path: str, body, headers) -> dict:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f"wrk.method = {json.dumps(method)}\n")
    if body:
        script.write(f"wrk.body = {json.dumps(body.decode())}\n")
    for k, v in headers.items():
        script.write(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n")
    script.close()
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "--latency",
                          "-s", script.name, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    done = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errs = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"requests": done, "errors": bad + errs, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms("50"), "p90": ms("90"), "p99": ms("99"), "max": None}


def python_load(port: int, clients: int, per_client: int, method: str, path: str, body, headers, out) -> None:
    want = 201 if method == "POST" else 200
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client() -> None:
        mine = []
        start_line.wait()
        for _ in range(per_client):
            t0 = time.perf_counter()
            ok = request(port, method, path, body, headers)[0] == want
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
    out.put((latencies, errors[0], time.perf_counter() - t0))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def python_threads(port: int, clients: int, per_client: int, method: str, path: str, body, headers) -> dict:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=python_load, args=(port, clients, per_client, method, path, body, headers, q))
    proc.start()
    lat, errors, wall = q.get()
    proc.join()
    return {"requests": len(lat), "errors": errors, "rps": len(lat) / wall, "p50": statistics.median(lat) * 1000,
            "p90": pct(lat, 90), "p99": pct(lat, 99), "max": max(lat) * 1000}


def hold_streams(port: int, cookie: str, n: int) -> tuple[threading.Event, list[threading.Thread], list[int]]:
    """``n`` live now-playing streams held open (reconnecting as a browser does) until the event is set;
    the list counts the snapshots they received."""
    done, got = threading.Event(), [0]

    def one() -> None:
        while not done.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", "/events", headers={"Cookie": cookie})
                resp = conn.getresponse()
                while not done.is_set():
                    line = resp.readline()
                    if not line:
                        break
                    if line.startswith(b"data: "):
                        got[0] += 1
                    elif line.startswith(b"retry: 5000"):  # over the server's stream limit: back later
                        done.wait(5)
            except OSError:
                done.wait(1)
            finally:
                conn.close()

    threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return done, threads, got


def page_to_air(port: int, url: str, post: dict, n: int) -> list[float]:
    """One desk at a time: trigger a page through the panel, wait for the service to start airing it
    (its as-run row: the engine's "started", one 20 ms block before the first chime sample reaches
    the sink), then resolve the case (no all-clear) so the next page starts on an empty queue."""
    from sqlalchemy import create_engine, text

    db = create_engine(url)
    out = []
    try:
        for _ in range(n):
            t0 = time.time()
            status, _, body = request(port, "POST", "/api/pages", json.dumps(PAGE).encode(), post)
            assert status == 201, body
            reply = json.loads(body)
            ref, number = f"page:{reply['page']['id']}", reply["case"]["number"]
            deadline = time.monotonic() + 10
            started = None
            while started is None:
                if time.monotonic() > deadline:
                    with db.connect() as conn:
                        rows = conn.execute(text("SELECT id, ref, state, player, started_at, detail FROM airings "
                                                 "ORDER BY id DESC LIMIT 5")).all()
                    raise AssertionError(f"{ref} never aired; the latest airings: {rows}")
                with db.connect() as conn:
                    started = conn.execute(text("SELECT started_at FROM as_run WHERE ref = :r"), {"r": ref}).scalar()
                if started is None:
                    time.sleep(0.002)
            if isinstance(started, str):
                from datetime import datetime, timezone

                started = datetime.fromisoformat(started)
                started = started if started.tzinfo else started.replace(tzinfo=timezone.utc)
            out.append(started.timestamp() - t0)
            status, _, body = request(port, "POST", f"/api/cases/{number}/resolve",
                                      json.dumps({"state": "found", "all_clear": False}).encode(), post)
            assert status == 200, body
            while json.loads(request(port, "GET", "/api/now", None, post)[2])["zones"]["main"]["now"]:
                time.sleep(0.01)
    finally:
        db.dispose()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10, help="per endpoint, with wrk")
    ap.add_argument("--requests", type=int, default=40, help="per client per endpoint, without wrk")
    ap.add_argument("--streams", type=int, default=8, help="live now-playing streams held open during the last run")
    ap.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is here")
    ap.add_argument("--pages-to-air", type=int, default=100, help="single-desk pages timed from trigger to air")
    ap.add_argument("--rounds", type=int, default=3, help="runs of each endpoint (this machine's timing is noisy)")
    args = ap.parse_args()
    use_wrk = bool(shutil.which("wrk")) and not args.python_client
    print(f"{args.clients} concurrent clients, closed loop, 127.0.0.1, SQLite, `broadcaster serve` (its zone player, "
          f"the panel on waitress in the same process); load from {'wrk' if use_wrk else 'Python threads in another process'}; "
          f"{os.cpu_count()} CPUs shared by server and client\n")
    print(f"{'panel':12} {'endpoint':20} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} "
          f"{'p99 ms':>7}  target")
    var = Path(tempfile.mkdtemp(prefix="pa-bench-web-"))
    url = prepare(var)
    proc, port = start_service(var, url)
    label = "in-process"
    try:
        cookie = login(port, "dee")
        basic = base64.b64encode(f"dee:{PASSWORD}".encode()).decode()
        _, _, body = request(port, "POST", "/api/token", headers={"Authorization": "Basic " + basic})
        bearer = {"Authorization": "Bearer " + json.loads(body)["token"]}
        page_body = json.dumps(PAGE).encode()
        post = dict(bearer, **{"Content-Type": "application/json"})
        page_to_air(port, url, post, 1)  # warms the render cache and the path to the air
        endpoints = [("GET / (dashboard)", "GET", "/", None, {"Cookie": cookie}, 0),
                     ("GET /api/now", "GET", "/api/now", None, bearer, 0),
                     ("POST /api/pages", "POST", "/api/pages", page_body, post, 0)]
        if args.streams:
            endpoints.append((f"POST +{args.streams} streams", "POST", "/api/pages", page_body, post, args.streams))
        lat = page_to_air(port, url, post, args.pages_to_air)
        print(f"{label:12} {'page -> on air':20} {len(lat):8d} {0:6d} {'-':>7} {statistics.median(lat) * 1000:7.1f} "
              f"{pct(lat, 90):7.1f} {pct(lat, 99):7.1f}  {'ok' if pct(lat, 99) < 100 else 'MISSED'} "
              "(one desk; issue 5's chime target)", flush=True)
        for name, method, path, body, headers, streams in endpoints:
            held = hold_streams(port, cookie, streams) if streams else None
            try:
                if use_wrk:  # steady state: templates compiled and queries prepared on first use
                    wrk(port, args.clients, 2, method, path, body, headers)
                else:
                    python_threads(port, min(args.clients, 10), 5, method, path, body, headers)
                for _ in range(args.rounds):
                    r = (wrk(port, args.clients, args.seconds, method, path, body, headers) if use_wrk else
                         python_threads(port, args.clients, args.requests, method, path, body, headers))
                    verdict = "ok" if r["p99"] < 100 and not r["errors"] else "MISSED"
                    print(f"{label:12} {name:20} {r['requests']:8d} {r['errors']:6d} {r['rps']:7.0f} "
                          f"{r['p50']:7.1f} {r['p90']:7.1f} {r['p99']:7.1f}  {verdict}", flush=True)
            finally:
                if held is not None:
                    done, threads, got = held
                    done.set()
                    print(f"{'':12} ({streams} streams received {got[0]} snapshots meanwhile)", flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        if os.environ.get("PA_BENCH_KEEP"):
            print(f"kept {var} (the server's log: {var / 'serve.log'})")
        else:
            shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
