"""Rows 1, 6 and 9 of bench/onair.py: the SQLite one-box venue, the service built as `broadcaster serve`
builds it in a process of the bench's own (``--box-worker``), its panel loaded by the clients of another
(``--clients-worker``)."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from onair_common import (DESKS, INF, ROOT, SCRIPT, WATCHDOG, Client, Row, desk_burst, guarded, music_everywhere,
                          off_air, pages_held, pct, prepare, resolve, spread, stale_note, wait)


class LocalVenue:
    """The service of one box (SQLite) in this process, as `broadcaster serve` builds it, over realtime
    null sinks that keep what they are handed, and its panel on waitress."""

    def __init__(self, root: Path, zones: int) -> None:
        root.mkdir(parents=True, exist_ok=True)
        os.environ["PA_VAR_DIR"] = str(root / "var")
        from audio.sinks import NullSink
        from broadcaster.commands.serve import THREADS, Panel, lean_memory, quiet_collector
        from broadcaster.service import BroadcastService, frontend
        from broadcaster.settings import VenueSettings
        from broadcaster.store.db import Database

        lean_memory()  # as `broadcaster serve` does
        self.zones = [f"z{i:02d}" for i in range(1, zones + 1)]
        url = f"sqlite:///{root / 'venue.sqlite3'}"
        db = Database(url)
        prepare(db, root, self.zones, tracks=12, track_s=60)
        db.dispose()
        specs = {z: "null" for z in self.zones}
        self.service = BroadcastService(db_url=url, zones=specs, settings=VenueSettings(zones=specs))
        self.sinks = {}
        for name, zone in self.service.engine.zones.items():
            zone.sink = self.sinks[name] = NullSink(keep=True, realtime=True)
        self.starts: list[tuple[float, str]] = []  # (monotonic, zone) of each page the engine started
        self.speech: list[float] = []  # ms from the first POST of a burst to its first speech sample, per zone
        self.service.engine.listeners.append(self._event)
        self.service.start()
        self.panel = Panel(frontend("web")(self.service), "127.0.0.1", 0, THREADS,
                           self.service.player.settled if self.service.player is not None else None)
        self.port = self.panel.server.effective_port
        self.desks = [Client(self.port, basic="dee") for _ in range(DESKS)]
        self.base = 0
        quiet_collector()
        try:
            wait(lambda: music_everywhere(self.service.db, self.zones), 60, "music in every zone")
        except BaseException:
            self.stop()
            raise

    def _event(self, ev) -> None:  # a zone thread, right before the page's first block is mixed
        if ev.kind == "started" and ev.item.kind == "page":
            self.starts.append((time.monotonic(), ev.zone))

    def page_round(self) -> tuple[list[float], list[float]]:
        """One burst of the desks: (first POST -> first chime block per zone, ms), (POST times, ms)."""
        for sink in self.sinks.values():
            with sink._lock:
                sink.blocks.clear()
        n0 = len(self.starts)
        sent = desk_burst(self.desks, self.base)
        self.base += DESKS
        t0 = min(s.mono for s in sent)
        first: dict[str, float] = {}

        def all_started():
            for t, zone in self.starts[n0:]:
                first.setdefault(zone, t)
            return len(first) == len(self.zones)
        try:
            wait(all_started, 15, "the page in every zone", 0.01)
        except TimeoutError:
            pass
        time.sleep(0.05)
        try:  # the speech: the first sound after the chime, in every zone
            wait(lambda: all(self._speech_at(z, first) for z in self.zones), 15, "speech in every zone", 0.02)
        except TimeoutError:
            pass
        lat = []
        for zone in self.zones:
            sink = self.sinks[zone]
            with sink._lock:
                hit = next(((t, b) for t, b in sink.blocks if zone in first and t >= first[zone]), None)
            if hit is not None and np.abs(hit[1].astype(np.int32)).max() < 1000:
                raise AssertionError(f"{zone}: the first block after the page started is not its chime")
            lat.append((hit[0] - t0) * 1000 if hit else INF)
            at = self._speech_at(zone, first)
            self.speech.append((at - t0) * 1000 if at else INF)
        resolve(self.desks[0], sent)
        off_air(self.service.db, [f"page:{s.page}" for s in sent], lambda: pages_held(self.service.engine.snapshot()))
        return lat, [s.took * 1000 for s in sent]

    def _speech_at(self, zone: str, first: dict) -> float | None:
        """When the page's first speech sample was handed to ``zone``'s sink: the first sound after
        the chime (which ends in silence)."""
        if zone not in first:
            return None
        from audio.chimes import chime

        bell = len(chime("urgent_page"))
        sink, n = self.sinks[zone], 0
        with sink._lock:
            blocks = [(t, b) for t, b in sink.blocks if t >= first[zone]]
        for t, b in blocks:
            n += len(b)
            if n > bell + len(b) and np.abs(b.astype(np.int32)).max() > 300:
                return t
        return None

    def stop(self) -> None:
        self.panel.stop()
        self.service.stop()


def row1(venue: LocalVenue, rounds: int, rows: list) -> Row:
    venue.page_round()  # warm-up: first requests, password hash, TTS voices (not measured)
    lat, took = [], []
    for _ in range(rounds):
        time.sleep(random.uniform(0.2, 0.6))
        a, b = venue.page_round()
        lat += a
        took += b
    from audio.chimes import chime

    bell_ms = len(chime("urgent_page")) / 48
    speech = venue.speech[len(venue.speech) - len(lat):]
    rows.append(Row(9, "page trigger -> first speech sample, cold (a different child each burst: its sentences "
                    "were never rendered), SQLite one box", spread(speech), f"< chime ({bell_ms:.0f} ms) + 200 ms",
                    pct(speech, 99) < bell_ms + 200, "sentence by sentence: the first airs while the rest render"))
    return Row(1, f"page trigger -> first chime sample, {DESKS} desks at once, SQLite one box "
               f"({len(venue.zones)} zones, via POST /api/pages)", spread(lat), "p99 < 100 ms", pct(lat, 99) < 100,
               f"desks' POST /api/pages answered in {spread(took)}" + stale_note())


def _hammer(c: Client, out: dict, stop: float) -> None:
    """A client with no pause at all: the dashboard (session cookie) and GET /api/now (HTTP Basic)."""
    while time.monotonic() < stop:
        for path in ("/", "/api/now"):
            _get(c, path, out)


def _get(c: Client, path: str, out: dict) -> None:
    t = time.monotonic()
    try:
        status = c.call("GET", path)[0]
    except Exception as exc:
        status = type(exc).__name__
    if status == 200:
        out.setdefault(path, []).append((time.monotonic() - t) * 1000)
    else:
        out["errors"].append(status)


#: What a member of staff opens in the panel (the desk's own pages and the dashboard).
BROWSED = ("/", "/desk/", "/cases/", "/")


def _browse(c: Client, out: dict, stop: float) -> None:
    """A member of staff in a browser: opens a panel page, reads it for 5-15 s while the page's live
    stream (``/events``, server-sent events) runs as the browser runs it (a held stream, or one event
    and ``retry:`` when the server holds its maximum), then opens another. A room of staff does not
    open the panel in the same instant: each starts within the first 10 s."""
    time.sleep(random.uniform(0, 10))
    while time.monotonic() < stop:
        path = random.choice(BROWSED)
        _get(c, path, out)
        until = min(stop, time.monotonic() + random.uniform(5, 15))
        while path == "/" and time.monotonic() < until:
            retry = _stream(c, until, out)
            time.sleep(max(0.0, min(retry, until - time.monotonic())))
        time.sleep(max(0.0, until - time.monotonic()))


def _stream(c: Client, until: float, out: dict) -> float:
    """The dashboard's live stream until ``until`` or the server ends it: the seconds the server asked
    the browser to wait before it reconnects."""
    import socket

    retry = 1.0
    t = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", c.port), timeout=2) as sock:
            head = "".join(f"{k}: {v}\r\n" for k, v in c.headers.items())
            sock.sendall(f"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{head}\r\n".encode())
            buf, first = b"", None
            while time.monotonic() < until:
                sock.settimeout(max(0.05, until - time.monotonic()))
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                buf += chunk
                if first is None and b"event: snapshot" in buf:
                    first = (time.monotonic() - t) * 1000
                    out.setdefault("/events", []).append(first)
                m = re.search(rb"retry: (\d+)", buf)
                if m:
                    retry = int(m.group(1)) / 1000
                if len(buf) > 1 << 16:
                    buf = buf[-4096:]
    except OSError as exc:
        out["errors"].append(type(exc).__name__)
    return retry


def clients_worker(port: int, n: int, seconds: float, mode: str = "browse") -> None:
    """(subprocess of row 6) ``n`` panel users, logged in once each, for ``seconds``: ``browse`` as
    staff in browsers (:func:`_browse`), ``hammer`` with no pause between requests (:func:`_hammer`)."""
    users = []
    for _ in range(n):
        c = Client(port, basic="dee")
        if not c.login("dee"):
            print("login failed", file=sys.stderr)
        users.append(c)
    print("ready", flush=True)
    sys.stdin.readline()
    stop = time.monotonic() + seconds
    times: list[dict] = [{"errors": []} for _ in users]
    run = _browse if mode == "browse" else _hammer
    threads = [threading.Thread(target=run, args=(c, o, stop)) for c, o in zip(users, times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged: dict = {}
    for o in times:
        for k, v in o.items():
            merged.setdefault(k, []).extend(v)
    print(json.dumps(merged), flush=True)


def _load(venue: LocalVenue, seconds: float, clients: int, mode: str) -> tuple[list[float], dict, dict]:
    """Desk bursts for ``seconds`` under ``clients`` panel users of ``mode``: (page trigger -> first
    chime sample, ms), the clients' timings, the sinks' underruns by zone."""
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--clients-worker", str(venue.port), str(clients),
                             str(seconds), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the panel clients did not start")
        wait(lambda: music_everywhere(venue.service.db, venue.zones), 30, "music in every zone")
        for sink in venue.sinks.values():
            sink.underruns = 0
        proc.stdin.write("go\n")
        proc.stdin.flush()
        end = time.monotonic() + seconds
        lat = []
        while time.monotonic() < end - 1:
            time.sleep(random.uniform(0.2, 0.6))
            lat += venue.page_round()[0]
        stats = json.loads(proc.stdout.readline())
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return lat, stats, {z: s.underruns for z, s in venue.sinks.items() if s.underruns}


def _web(stats: dict, seconds: float) -> str:
    return ", ".join(f"GET {p}: {len(v)} in {seconds:g} s, p99 {pct(v, 99):.0f} ms"
                     for p, v in sorted(stats.items()) if p != "errors") + (
        f"; {len(stats['errors'])} failed requests {sorted(set(map(str, stats['errors'])))[:5]}")


def row6(venue: LocalVenue, seconds: float, clients: int = 50) -> Row:
    """The target under the load of a room of staff (browsers with the dashboard's live stream), and,
    printed beside it with no target, the same clients with no pause at all (the panel's saturation:
    about thirty times the requests of a room of dashboards)."""
    if not venue.base:
        venue.page_round()  # warm-up, as row 1's (first requests, password hash, TTS voices): not measured
    lat, stats, underruns = _load(venue, seconds, clients, "browse")
    n = sum(underruns.values())
    hl, hs, hu = _load(venue, seconds, clients, "hammer")
    return Row(6, f"audio never starves: {clients} staff with the panel open in browsers (a page every 5-15 s, "
               f"the dashboard's live stream) for {seconds:g} s, music airing, {len(venue.zones)} zones",
               f"{n} underruns; page trigger {spread(lat)}",
               "0 underruns; page p99 < 100 ms", n == 0 and pct(lat, 99) < 100,
               f"{_web(stats, seconds)}; underruns by zone {underruns or '{}'}. Saturation, no target: the same "
               f"{clients} clients with no pause between requests: {sum(hu.values())} underruns, page trigger "
               f"{spread(hl)}; {_web(hs, seconds)}" + stale_note())


def box_rows(root: Path, want: set[int], args) -> list[Row]:
    """(the box process) Rows 1 and 6 around one LocalVenue."""
    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N" under load
    os.environ["PA_VAR_DIR"] = str(root / "var")
    rows: list[Row] = []
    box: list[LocalVenue] = []
    guarded(rows, min(want), "one box: the service in this process", lambda: box.append(LocalVenue(root, 12)) or [])
    try:
        if box and 1 in want:
            guarded(rows, 1, "row 1: pages on one box",
                    lambda: row1(box[0], args.rounds or (8 if args.quick else 30), rows))
        if box and 6 in want:
            guarded(rows, 6, "row 6: panel load while music airs", lambda: row6(box[0], 10 if args.quick else 30))
    finally:
        if box:
            box[0].stop()
    return rows


def run_box(root: Path, want: list[int], args) -> list[Row]:
    """Rows 1 and 6 in a process of their own (the service runs in it, as in `broadcaster serve`)."""
    flags = [f for f, on in (("--quick", args.quick), ("-v", args.verbose),
                             ("--resolve-in-order", args.resolve_in_order)) if on]
    flags += ["--rss-cap", str(args.rss_cap)] + (["--rounds", str(args.rounds)] if args.rounds else [])
    WATCHDOG.tripped = ""
    proc = subprocess.run([sys.executable, str(SCRIPT), "--box-worker", str(root), ",".join(map(str, want)), *flags],
                          stdout=subprocess.PIPE, text=True, cwd=ROOT)
    got = [line[5:] for line in proc.stdout.splitlines() if line.startswith("ROWS ")]
    if got:
        return [Row(**r) for r in json.loads(got[-1])]
    why = WATCHDOG.tripped or f"exit status {proc.returncode}"
    WATCHDOG.tripped = ""
    return [Row(n, f"row {n} (one box)", f"error: the box process ended: {why}", "", False) for n in want]
