"""Rows 1, 6 and 9 of bench/onair.py: the SQLite one-box venue, the service built as `broadcaster serve`
builds it in a process of the bench's own (``--box-worker``), its panel loaded by the clients of another
(``--clients-worker``)."""
from __future__ import annotations

import json
import os
import random
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
        from broadcaster.commands.serve import THREADS, Panel, lean_memory, on_air, quiet_collector
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
        self.panel = Panel(frontend("web")(self.service), "127.0.0.1", 0, THREADS, on_air=on_air(self.service))
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


def clients_worker(port: int, n: int, seconds: float) -> None:
    """(subprocess of row 6) ``n`` panel users: log in once each, then, with no pause, the dashboard
    (session cookie, as a browser) and GET /api/now (HTTP Basic), until ``seconds`` are up."""
    users = []
    for _ in range(n):
        c = Client(port, basic="dee")
        if not c.login("dee"):
            print("login failed", file=sys.stderr)
        users.append(c)
    print("ready", flush=True)
    sys.stdin.readline()
    stop = time.monotonic() + seconds
    times: list[dict] = [{"/": [], "/api/now": [], "errors": []} for _ in users]

    def run(c: Client, out: dict) -> None:
        while time.monotonic() < stop:
            for path in ("/", "/api/now"):
                t = time.monotonic()
                try:
                    status = c.call("GET", path)[0]
                except Exception as exc:
                    status = type(exc).__name__
                (out[path] if status == 200 else out["errors"]).append(
                    (time.monotonic() - t) * 1000 if status == 200 else status)
    threads = [threading.Thread(target=run, args=(c, o)) for c, o in zip(users, times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged = {k: [x for o in times for x in o[k]] for k in times[0]}
    print(json.dumps(merged), flush=True)


def row6(venue: LocalVenue, seconds: float, clients: int = 50) -> Row:
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--clients-worker", str(venue.port), str(clients),
                             str(seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
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
    underruns = {z: s.underruns for z, s in venue.sinks.items() if s.underruns}
    n = sum(underruns.values())
    page_ok = pct(lat, 99) < 100
    web = ", ".join(f"GET {p}: {len(stats[p])} in {seconds:g} s, p99 {pct(stats[p], 99):.0f} ms"
                    for p in ("/", "/api/now"))
    return Row(6, f"audio never starves: {clients} panel clients for {seconds:g} s, music airing, "
               f"{len(venue.zones)} zones", f"{n} underruns; page trigger {spread(lat)}",
               "0 underruns; page p99 < 100 ms", n == 0 and page_ok,
               f"{web}; {len(stats['errors'])} failed requests {sorted(set(map(str, stats['errors'])))[:5]}; "
               f"underruns by zone {underruns or '{}'}" + stale_note())


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
