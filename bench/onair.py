"""On-air benchmark: the one on-air path (services write airings, zone players claim and air them)
under the venue's load. Targets, not timed tests: prints a table (value, target, met). Run by hand:

    .venv/bin/python bench/onair.py [--quick] [--rows 1,2,...] [-v] [--keep]

The venue: 5 desks paging at once (distinct missing children, POST /api/pages with HTTP Basic),
background music airing in every zone, a day of slots (a chime every 15 min, a music interlude every
30 min, 08:00-20:00 venue time), 12 zones on one box (SQLite) or 10 zones on two players (PostgreSQL).
After each burst the desk resolves the cases (their airings are cancelled) and waits until no engine
holds a page, so every burst starts from music alone.

1. SQLite, one box: the service built as ``broadcaster serve`` builds it (panel on waitress, ``gc``
   quieted), in a process of the bench's own, every zone a realtime ``NullSink(keep=True)``. Value:
   first POST sent -> the first block of the page handed to each zone's sink (the first block kept
   after the engine started the page there), per zone and burst. A page never cuts a page: the other
   four of a burst wait their turn, so this is the first page of the burst.
2. PostgreSQL: `serve` (leader and panel, no zones), a standby `serve --no-web`, two `broadcaster
   player` processes (z01 a ``wav:`` sink, the rest null). Value: first POST (wall clock) -> the page
   airing's ``started_at``, the player's engine "started" event, right before its first block is mixed
   and written to the sink.
3. The same bursts: ``claimed_at`` -> ``started_at`` of each zone's first page, claimed while music airs.
4. 200 zone players (4 processes x 50 threads, one zone and a realtime null sink each, one Database a
   process, NOTIFY and a 1 s poll as `broadcaster player` on PostgreSQL) on their own database; airings
   for random zones at ~2/s (Poisson). Value: ``requested_at`` -> ``claimed_at``; the CPU of all
   PostgreSQL processes while writing, and idle before.
5. ``kill -9`` the `serve` holding the advisory lock: time until another backend holds it.
6. Row 1's service while 50 panel users (another process; each logs in once, then the dashboard with its
   session cookie and GET /api/now with HTTP Basic, no pause) load it and music airs: sink underruns
   (writes more than one block after the audio before them ran out, all zones) and the page trigger.
7. A real `broadcaster serve` (SQLite, 12 null zones), a 1,000-track playlist as its background music and
   50 pages of distinct cases: its peak VmRSS; once with 2 s WAV tracks, once with 3.5-min tracks.
9. Row 1's bursts: first POST -> the first speech sample after the chime, per zone. Each burst pages a child
   described differently, so its sentences were never rendered (cold); the speech renders a sentence at a
   time and the first airs while the rest render. Target: the chime's length + 200 ms.
8. Non-blank lines of non-test Python in audio/, playlists/, broadcaster/, web/: now and at ae89fd9~1.

A process of the bench above --rss-cap (this one) or 1.2 x --rss-cap (its children) is stopped: the
machine is shared. ``-v`` prints every burst (and any page still airing after its cancel) on stderr.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PA_GTTS_DISABLED", "1")  # offline TTS only

PASSWORD = "bench password 1"
DESKS = 5
BEFORE = "ae89fd9~1"
INF = float("inf")
VERBOSE = False


@dataclass
class Row:
    n: int
    what: str
    value: str
    target: str
    met: bool | None
    note: str = ""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def spread(xs) -> str:
    if not xs:
        return "no samples"
    late = sum(1 for x in xs if x == INF)
    return (f"p50 {pct(xs, 50):.0f} ms, p99 {pct(xs, 99):.0f} ms, max {max(xs):.0f} ms (n={len(xs)}"
            + (f", {late} never within 15 s" if late else "") + ")")


class Watchdog(threading.Thread):
    """The bench must not take the shared machine down: this process above ``cap_mb`` of RSS ends the
    row (``wait`` raises MemoryError); a child above 1.2 x ``cap_mb`` is killed."""

    def __init__(self, cap_mb: float) -> None:
        super().__init__(name="rss-watchdog", daemon=True)
        self.cap_mb, self.tripped = cap_mb, ""

    def run(self) -> None:
        me = os.getpid()
        while True:
            for pid in [me, *children(me)]:
                mb = rss_kb(pid) / 1024
                if mb > self.cap_mb * (1 if pid == me else 1.2):
                    if pid != me:
                        os.kill(pid, signal.SIGKILL)
                    self.tripped = self.tripped or f"pid {pid} reached {mb:.0f} MB of RSS (cap {self.cap_mb:.0f} MB)"
            time.sleep(0.25)

    def check(self) -> None:
        if self.tripped:
            raise MemoryError(f"stopped: {self.tripped}")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


WATCHDOG = Watchdog(2500)


def wait(pred, timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        WATCHDOG.check()
        got = pred()
        if got:
            return got
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")


# -- the venue's data -------------------------------------------------------------------------------
def make_tracks(folder: Path, n: int, seconds: float, rate: int = 8000) -> Path:
    """``n`` mono tracks and an M3U naming them: quiet WAV tones, or for tracks of a song's length
    digital silence in FLAC (a few kB each on disk; decoded and resampled like any track)."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    names = []
    for i in range(n):
        if seconds > 30:
            names.append(f"track{i:04d}.flac")
            sf.write(folder / names[-1], np.zeros(len(t), np.int16), rate, format="FLAC")
            continue
        names.append(f"track{i:04d}.wav")
        tone = 0.01 * np.sin(2 * np.pi * (110 + i % 300) * t)
        sf.write(folder / names[-1], tone.astype(np.float32), rate, subtype="PCM_16")
    m3u = folder / "music.m3u"
    m3u.write_text("\n".join(names) + "\n")
    return m3u


def prepare(db, root: Path, zones: list[str], tracks: int, track_s: float, *, music: bool = True) -> None:
    """Users, the default page templates approved, the music playlist, a day of slots in every zone and
    (``music``) the background programme."""
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
    from broadcaster.schedule.rules import RuleSpec
    from broadcaster.users import add_user

    with db.session() as s:
        add_user(s, "dee", "desk", password=PASSWORD)
        add_user(s, "sam", "supervisor", password=PASSWORD)
    templates = TemplateService(db)
    for tpl in seed_defaults(db):
        templates.approve(tpl.id, "sam")
    prog = ProgrammeService(db, venue_zones=zones)
    prog.import_playlist(make_tracks(root / "music", tracks, track_s), "Music")
    z = tuple(zones)
    if music:
        background(db, zones)
    prog.create_programme("Chimes", [ItemSpec("chime", chime="programme")], zones=z)
    prog.create_programme("Interlude", [ItemSpec("chime", chime="programme"),
                                        ItemSpec("playlist", playlist="Music", seconds=60)], zones=z)
    prog.add_rule("Chimes", RuleSpec("interval", every_minutes=15, window_start=dtime(8), window_end=dtime(20)))
    prog.add_rule("Interlude", RuleSpec("interval", every_minutes=30, window_start=dtime(8, 5),
                                        window_end=dtime(20)))


def background(db, zones: list[str]) -> None:
    """The playlist as the venue's background music (the leader airs it in every zone)."""
    from broadcaster.schedule.programmes import ItemSpec, ProgrammeService

    ProgrammeService(db, venue_zones=zones).create_programme(
        "Background", [ItemSpec("playlist", playlist="Music")], zones=tuple(zones), background=True)


def child(i: int) -> dict:
    """A missing child as a desk reports it (a different description each time: a fresh render)."""
    colours = ["red", "blue", "green", "yellow", "white", "black", "orange", "purple", "grey"]
    return {"kind": "missing", "person_name": "王小明", "age": 3 + i % 9, "sex": ("boy", "girl")[i % 2],
            "clothing": f"{colours[i % 9]} jacket", "shoes": f"{colours[(i // 9) % 9]} sneakers",
            "last_seen_place": f"Gate {i % 17 + 1}", "meeting_point": "Visitor Centre",
            "reporter_name": "王芳", "reporter_contact": "13800000000"}


# -- HTTP ---------------------------------------------------------------------------------------------
class Client:
    """One keep-alive connection to the panel, as a browser or a desk phone holds one."""

    def __init__(self, port: int, basic: str | None = None) -> None:
        self.port, self.conn, self.headers = port, None, {}
        if basic:
            self.headers["Authorization"] = "Basic " + base64.b64encode(f"{basic}:{PASSWORD}".encode()).decode()

    def call(self, method: str, path: str, body=None, headers: dict | None = None):
        hdrs = dict(self.headers, **(headers or {}))
        if isinstance(body, dict):
            body, hdrs["Content-Type"] = json.dumps(body).encode(), "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None  # the server closed an idle keep-alive connection: once more
                if attempt:
                    raise

    def login(self, name: str) -> bool:
        _, headers, body = self.call("GET", "/login")
        self._cookie(headers)
        token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
        form = urlencode({"username": name, "password": PASSWORD, "csrf_token": token}).encode()
        status, headers, _ = self.call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        self._cookie(headers)
        return status == 302

    def _cookie(self, headers) -> None:
        for k, v in headers:
            if k.lower() == "set-cookie":
                self.headers["Cookie"] = v.split(";")[0]


@dataclass
class Sent:
    mono: float   # time.monotonic() as the POST was sent
    wall: float   # time.time() then
    took: float   # seconds until the answer
    case: str
    page: int


def desk_burst(desks: list[Client], base: int) -> list[Sent]:
    """The desks press "page" at the same moment."""
    barrier = threading.Barrier(len(desks))
    out: list = [None] * len(desks)

    def desk(i: int) -> None:
        try:
            barrier.wait()
            mono, wall = time.monotonic(), time.time()
            status, _, body = desks[i].call("POST", "/api/pages", child(base + i))
            took = time.monotonic() - mono
            data = json.loads(body)
            if status != 201:
                raise RuntimeError(f"POST /api/pages: {status} {data}")
            out[i] = Sent(mono, wall, took, data["case"]["number"], data["page"]["id"])
        except Exception as exc:
            out[i] = exc
    threads = [threading.Thread(target=desk, args=(i,)) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in out:
        if isinstance(o, Exception):
            raise o
    return out


REFUSED: list[str] = []  # resolves the panel answered with a server error (pressed again)


STALE: list[str] = []  # pages still on an engine after their airings were closed (its player lost track)
IN_ORDER = False  # resolve the cases in the order they were opened (the page on air first)


def resolve(desk: Client, sent: list[Sent]) -> None:
    """The desk resolves the burst's cases: last opened first (by default), so that cancelling the page on
    air does not hand the zone to the next page of the burst a moment before its own cancel commits."""
    for s in (sent if IN_ORDER else reversed(sent)):
        for attempt in range(4):
            status, _, body = desk.call("POST", f"/api/cases/{s.case}/resolve", {"state": "found", "all_clear": False})
            if status == 200:
                break
            if status < 500 or attempt == 3:
                raise RuntimeError(f"resolve {s.case}: {status} {body[:200]!r}")
            REFUSED.append(f"{s.case}: {status}")
            time.sleep(0.2)


def off_air(db, refs, held) -> None:
    """After the resolves: the pages' airings closed in the database, then no page held by any engine
    (``held()``: refs of the pages the engines air or queue, as their players last reported) for 2 s
    in a row. A page still held 3 s after its airings closed is counted in STALE and waited for."""
    wait(lambda: not open_airings(db, refs), 15, "the pages off the air")
    start, clear, counted = time.monotonic(), None, False
    while True:
        WATCHDOG.check()
        now, pages = time.monotonic(), held()
        if not pages:
            clear = clear or now
            if now - clear >= 2.0:
                return
        else:
            clear = None
            if now - start > 3 and not counted:
                counted = True
                STALE.extend(pages)
                if VERBOSE:
                    stale_dump(db, pages)
            if now - start > 120:
                raise TimeoutError(f"pages {pages} still on air 120 s after their airings closed")
        time.sleep(0.1)


def stale_dump(db, refs) -> None:
    from sqlalchemy import select

    from broadcaster.store.models.onair import Airing

    hm = lambda d: d and f"{d:%T.%f}"[:12]  # noqa: E731
    with db.session() as s:
        rows = list(s.scalars(select(Airing).where(Airing.ref.in_(refs)).order_by(Airing.id)))
    print("  still on air: " + "; ".join(f"{a.zone} {a.ref} {a.state.value} claimed={hm(a.claimed_at)} "
                                        f"started={hm(a.started_at)} ended={hm(a.ended_at)} {a.detail}"
                                        for a in rows), file=sys.stderr)


def open_airings(db, refs=None, kind=None) -> list:
    from sqlalchemy import select

    from broadcaster.store.models.onair import OPEN_STATES, Airing

    q = select(Airing).where(Airing.state.in_(OPEN_STATES))
    if refs is not None:
        q = q.where(Airing.ref.in_(list(refs)))
    if kind is not None:
        q = q.where(Airing.kind == kind)
    with db.session() as s:
        return list(s.scalars(q))


def pages_held(snapshot: dict) -> list[str]:
    """Refs of the pages an engine snapshot (zone -> now, queue) airs or queues."""
    return [item["ref"] for v in snapshot.values() for item in [v.get("now")] + list(v.get("queue") or [])
            if item and item.get("kind") == "page"]


def players_now(db) -> dict:
    """zone -> what its player last said it airs and queues (the players' heartbeat rows)."""
    from sqlalchemy import select

    from broadcaster.store.models.onair import PlayerStatus

    with db.session() as s:
        return {z: v for p in s.scalars(select(PlayerStatus).where(PlayerStatus.stopped.is_(False)))
                for z, v in (p.now or {}).items()}


def music_everywhere(db, zones) -> bool:
    from broadcaster.store.models.onair import AiringState

    return {r.zone for r in open_airings(db, kind="music") if r.state is AiringState.AIRING} >= set(zones)


# -- rows 1 and 6: one box ----------------------------------------------------------------------------
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
        self.panel = Panel(frontend("web")(self.service), "127.0.0.1", 0, THREADS)
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


def stale_note() -> str:
    """What went wrong around the measure (reported once per row, then forgotten)."""
    note = ""
    if STALE:
        note += f"; {len(STALE)} cancelled pages kept airing after their airings were closed: {sorted(set(STALE))[:5]}"
    if REFUSED:
        note += (f"; {len(REFUSED)} resolves got a server error (the panel's log: deadlock detected) and were "
                 "pressed again")
    STALE.clear()
    REFUSED.clear()
    return note


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
    proc = subprocess.Popen([sys.executable, __file__, "--clients-worker", str(venue.port), str(clients),
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
            guarded(rows, 1, "row 1: pages on one box", lambda: row1(box[0], args.rounds or (8 if args.quick else 30), rows))
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
    proc = subprocess.run([sys.executable, __file__, "--box-worker", str(root), ",".join(map(str, want)), *flags],
                          stdout=subprocess.PIPE, text=True, cwd=ROOT)
    got = [line[5:] for line in proc.stdout.splitlines() if line.startswith("ROWS ")]
    if got:
        return [Row(**r) for r in json.loads(got[-1])]
    why = WATCHDOG.tripped or f"exit status {proc.returncode}"
    WATCHDOG.tripped = ""
    return [Row(n, f"row {n} (one box)", f"error: the box process ended: {why}", "", False) for n in want]


# -- processes of the venue --------------------------------------------------------------------------
class Boxes:
    """`broadcaster` processes, each with its own var/ and log (its own "machine")."""

    def __init__(self, root: Path, url: str, env: dict) -> None:
        self.root, self.url, self.env = root, url, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        home = self.root / name
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PA_VAR_DIR=str(home / "var"), PA_GTTS_DISABLED="1", **self.env)
        with open(home / "log.txt", "w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", self.url, *args], env=env,
                                    stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.root / name / "log.txt").read_text(errors="replace")

    def ready(self, name: str, timeout: float = 90) -> str:
        """What the process printed up to "on air" (serve, player)."""
        def up():
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name)[-2000:]}")
            text = self.log(name)
            return text if "on air" in text else None
        return wait(up, timeout, f"{name} to go on air", 0.1)

    def port(self, name: str) -> int:
        return int(re.search(r"panel at http://[^:]+:(\d+)/", self.ready(name)).group(1))

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def leader_pid(db):
    from sqlalchemy import text

    from broadcaster.onair.leader import LOCK_KEY

    with db.engine.connect() as c:
        return c.execute(text("SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objid = :k "
                              "AND l.granted"), {"k": LOCK_KEY}).scalar()


# -- rows 2, 3, 5: PostgreSQL, players in other processes -----------------------------------------------
def pg_venue_rows(root: Path, url: str, rounds: int, trials: int) -> list[Row]:
    from sqlalchemy import func, select

    from broadcaster.store.db import Database
    from broadcaster.store.models.onair import Airing
    from broadcaster.store.models.workflow import Fault

    zones = [f"z{i:02d}" for i in range(1, 11)]
    root.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    prepare(db, root, zones, tracks=12, track_s=60)
    boxes = Boxes(root, url, {"PA_ZONES": ",".join(f"{z}=remote" for z in zones)})
    rows: list[Row] = []
    try:
        boxes.start("serve-a", "serve", "--port", "0")
        port = boxes.port("serve-a")
        wait(lambda: leader_pid(db), 30, "a leader")
        boxes.start("serve-b", "serve", "--no-web")
        boxes.start("player-1", "player", "--zone", f"z01=wav:{root / 'player-1' / 'z01.wav'}",
                    *[a for z in zones[1:5] for a in ("--zone", f"{z}=null")], "--name", "p1")
        boxes.start("player-2", "player", *[a for z in zones[5:] for a in ("--zone", f"{z}=null")], "--name", "p2")
        for name in ("serve-b", "player-1", "player-2"):
            boxes.ready(name)
        wait(lambda: music_everywhere(db, zones), 90, "music in every zone")
        desks = [Client(port, basic="dee") for _ in range(DESKS)]
        e2e, pre, base = [], [], 0
        for r in range(rounds + 1):  # the first round warms up (not measured)
            wait(lambda: music_everywhere(db, zones), 30, "music in every zone")
            time.sleep(random.uniform(0.2, 0.6))
            sent = desk_burst(desks, base)
            base += DESKS
            refs = [f"page:{s.page}" for s in sent]

            def started():
                with db.session() as s:
                    got = list(s.scalars(select(Airing).where(Airing.ref.in_(refs), Airing.started_at.is_not(None))))
                first = {}
                for a in sorted(got, key=lambda a: a.started_at):
                    first.setdefault(a.zone, a)
                return first if len(first) == len(zones) else None
            try:
                first = wait(started, 15, "the page in every zone")
            except TimeoutError:
                first = started() or {}
                if VERBOSE:
                    now = players_now(db)
                    print("  not started in 15 s: " + "; ".join(f"{z} (its engine: {now.get(z)})" for z in zones
                                                                if z not in first), file=sys.stderr)
            if VERBOSE:
                t0 = min(s.wall for s in sent)
                ms = lambda a, b: f"{(b - a).total_seconds() * 1000:.0f}" if a and b else "-"  # noqa: E731
                print(f"round {r}: " + "; ".join(
                    f"{z} {a.ref} req+{(a.requested_at.timestamp() - t0) * 1000:.0f} "
                    f"claim+{ms(a.requested_at, a.claimed_at)} "
                    f"start+{ms(a.claimed_at, a.started_at)}" for z, a in sorted(first.items())), file=sys.stderr)
            if r:
                t0 = min(s.wall for s in sent)
                e2e += [(first[z].started_at.timestamp() - t0) * 1000 if z in first else INF for z in zones]
                pre += [(a.started_at - a.claimed_at).total_seconds() * 1000 for a in first.values()]
            resolve(desks[0], sent)
            off_air(db, refs, lambda: pages_held(players_now(db)))
        rows.append(Row(2, f"page trigger -> first chime sample, {DESKS} desks at once, PostgreSQL, players in "
                        "other processes (10 zones, 2 players)", spread(e2e), "p99 < 150 ms", pct(e2e, 99) < 150,
                        "measured: first POST (wall clock) -> airings.started_at (the player's engine 'started' "
                        "event, right before the first block is mixed and written to the sink)"))
        rows.append(Row(3, "pre-emption of music by a page on a remote player (claimed_at -> started_at)",
                        spread(pre), "p99 < 50 ms", pct(pre, 99) < 50))
        with db.session() as s:
            lost = s.scalar(select(func.count()).select_from(Fault).where(Fault.kind == "player_lost"))
        lost_note = f"{lost} player_lost faults raised during the run" if lost else ""
        rows[-1].note = (lost_note + stale_note()).lstrip("; ")
        # 5: kill -9 the leader; another serve takes the lock
        took, leader, standby = [], "serve-a", "serve-b"
        for i in range(trials):
            before = wait(lambda: leader_pid(db), 30, "a leader")
            boxes.kill(leader)
            t = time.monotonic()
            wait(lambda: (leader_pid(db) or before) != before, 30, "another leader", 0.01)
            took.append((time.monotonic() - t) * 1000)
            if i + 1 < trials:
                leader, standby = standby, f"serve-{chr(ord('c') + i)}"
                boxes.start(standby, "serve", "--no-web")
                boxes.ready(standby)
                time.sleep(random.uniform(1.0, 2.0))
        rows.append(Row(5, "leader fail-over (kill -9 the leader; another backend holds the advisory lock)",
                        f"{', '.join(f'{t / 1000:.2f}' for t in took)} s (max {max(took) / 1000:.2f} s)",
                        "< 5 s", max(took) < 5000, "the standby tries the lock once a second (tick_s)"))
    finally:
        boxes.stop_all()
        db.dispose()
    return rows


# -- row 4: 200 zone players ------------------------------------------------------------------------
def players_worker(url: str, first: int, count: int, cache: str) -> None:
    """(subprocess of row 4) ``count`` zone players of one zone each, in threads, one Database."""
    from audio.sinks import NullSink
    from broadcaster.onair.pieces import MediaSource
    from broadcaster.onair.player import ZonePlayer
    from broadcaster.service import register_areas
    from broadcaster.store.db import Database

    register_areas()
    db = Database(url, migrate=False)
    media = MediaSource(db, None, Path(cache))
    players = [ZonePlayer(db, {f"z{i:03d}": NullSink(realtime=True)}, media, name=f"sim-{i:03d}", poll_s=1.0)
               for i in range(first, first + count)]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    for p in players:
        p.start()
    print("up", flush=True)
    stop.wait()
    for p in players:
        p.stop()
    db.dispose()


def cpu_s(pids) -> float:
    """CPU seconds (user + system) the processes used so far."""
    total = 0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def pg_cpu(pg) -> float:
    """CPU seconds of the PostgreSQL cluster: the postmaster, its live children and the children that
    ended (the postmaster's cutime/cstime)."""
    pm = int((Path(pg.dir) / "data" / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            f = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(f[1])
        if pid == pm:
            total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        elif ppid == pm:
            total += int(f[11]) + int(f[12])
    return total / os.sysconf("SC_CLK_TCK")


def players_row(root: Path, url: str, pg, seconds: float, workers: int = 4, per: int = 50) -> Row:
    from sqlalchemy import func, select

    from broadcaster.onair import airings
    from broadcaster.store.db import Database
    from broadcaster.store.models.onair import Airing, PlayerStatus

    root.mkdir(parents=True, exist_ok=True)
    db = Database(url)  # migrated here, once, before the players connect
    procs = []
    try:
        for w in range(workers):
            procs.append(subprocess.Popen([sys.executable, __file__, "--players-worker", url, str(w * per), str(per),
                                           str(root / f"cache-{w}")], stdout=subprocess.PIPE, text=True, cwd=ROOT))
        for p in procs:
            if p.stdout.readline().strip() != "up":
                raise RuntimeError("a players worker did not start")
        n = workers * per

        def announced():
            with db.session() as s:
                q = select(func.count()).select_from(PlayerStatus).where(PlayerStatus.stopped.is_(False))
                return s.scalar(q) >= n
        wait(announced, 60, f"{n} players")
        time.sleep(3)
        c0, t0 = pg_cpu(pg), time.monotonic()
        time.sleep(5)
        idle = (pg_cpu(pg) - c0) / (time.monotonic() - t0) * 100
        c0, t0, p0 = pg_cpu(pg), time.monotonic(), cpu_s(p.pid for p in procs)
        at, written = t0, 0
        while at < t0 + seconds:
            at += random.expovariate(2.0)
            time.sleep(max(0.0, at - time.monotonic()))
            with db.session() as s:
                airings.request(s, airings.Request(
                    key=f"sim:{uuid.uuid4().hex}", ref=f"programme:{written}", kind="programme", title="sim",
                    zones=[f"z{random.randrange(n):03d}"], priority=30, pieces=[{"type": "chime", "name": "programme"}],
                    requested_by="bench"), db.signals)
            written += 1
        busy = (pg_cpu(pg) - c0) / (time.monotonic() - t0) * 100
        players_cpu = (cpu_s(p.pid for p in procs) - p0) / (time.monotonic() - t0) * 100

        def claimed():
            with db.session() as s:
                rows = list(s.scalars(select(Airing).where(Airing.key.like("sim:%"))))
            return rows if all(r.claimed_at or r.started_at for r in rows) else None
        try:
            rows = wait(claimed, 15, "every airing claimed", 0.2)
        except TimeoutError:
            with db.session() as s:
                rows = list(s.scalars(select(Airing).where(Airing.key.like("sim:%"))))
        lat = [((r.claimed_at or r.started_at) - r.requested_at).total_seconds() * 1000
               if (r.claimed_at or r.started_at) else INF for r in rows]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        db.dispose()
    return Row(4, f"{n} zone players on one PostgreSQL ({workers} processes x {per}): claim latency "
               f"(requested_at -> claimed_at), {written} airings at ~2/s", spread(lat),
               "p99 < 100 ms; DB CPU reported", pct(lat, 99) < 100,
               f"PostgreSQL CPU {busy:.0f} % of one CPU while writing ({idle:.0f} % idle: heartbeats and polls); "
               f"the players' processes {players_cpu:.0f} %")


# -- row 7: memory ---------------------------------------------------------------------------------
def row7(root: Path, settle: float, zones: int = 12, pages: int = 50) -> Row:
    short = rss_run(root / "short", settle, zones, pages, 2.0)
    long = rss_run(root / "long", settle, zones, pages, 210.0)
    def note(r: dict) -> str:
        return (f"{r['label']}: {r['idle_mb']:.0f} MB on air with nothing to air, {r['music_mb']:.0f} MB 3 s after "
                f"the music started in every zone, {r['peak']:.0f} MB peak with the pages; growing {r['rate']:.0f} "
                f"MB/s at the end; each zone's bed airing holds {r['bed'] / 1e6:.2f} MB of pieces JSON; "
                f"{r['open']} pages still open at the end" + (f"; {r['error']}" if r["error"] else ""))
    return Row(7, f"RSS of `broadcaster serve` ({zones} null zones), {pages} pages of distinct cases, "
               "a 1,000-track playlist as the background music",
               f"{short['value']} with 2 s WAV tracks; {long['value']} with 3.5-min tracks", "< 300 MB",
               max(short["peak"], long["peak"]) < 300 and not short["error"] and not long["error"],
               f"{note(short)}. {note(long)}")


def rss_run(root: Path, settle: float, zones: int, pages: int, track_s: float) -> dict:
    from broadcaster.store.db import Database

    names = [f"z{i:02d}" for i in range(1, zones + 1)]
    root.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{root / 'venue.sqlite3'}"
    db = Database(url)
    prepare(db, root, names, tracks=1000, track_s=track_s, music=False)
    boxes = Boxes(root, url, {"PA_ZONES": ",".join(f"{z}=null" for z in names)})
    seen: list[tuple[float, float]] = []  # (monotonic, MB) of the serve process
    stop = threading.Event()
    what = {"bed": 0, "open": 0, "music_mb": 0.0, "idle_mb": 0.0, "error": "",
            "label": f"{track_s:g} s tracks" if track_s < 60 else f"{track_s / 60:.1f}-min tracks"}
    try:
        proc = boxes.start("serve", "serve", "--port", "0", *[a for z in names for a in ("--zone", f"{z}=null")])

        def sample():
            while not stop.wait(0.2) and proc.poll() is None:
                seen.append((time.monotonic(), rss_kb(proc.pid) / 1024))
        threading.Thread(target=sample, daemon=True).start()
        port = boxes.port("serve")
        time.sleep(3)  # on air, leading, nothing to air yet
        what["idle_mb"] = seen[-1][1] if seen else 0.0
        background(db, names)
        wait(lambda: music_everywhere(db, names), 120, "music in every zone")
        time.sleep(3)
        what["music_mb"] = seen[-1][1] if seen else 0.0
        what["bed"] = max((len(json.dumps(a.pieces)) for a in open_airings(db, kind="music")), default=0)
        desks = [Client(port, basic="dee") for _ in range(DESKS)]
        for b in range(0, pages, DESKS):
            desk_burst(desks, b)
        end = time.monotonic() + settle
        while time.monotonic() < end:
            WATCHDOG.check()
            time.sleep(0.2)
        what["open"] = len({a.ref for a in open_airings(db, kind="page")})
        what["value"] = f"{max(mb for _, mb in seen):.0f} MB"
    except MemoryError as exc:
        what["value"] = f"> {WATCHDOG.cap_mb * 1.2:.0f} MB (killed by the bench)"
        WATCHDOG.tripped = ""
        what["error"] = str(exc)
    finally:
        stop.set()
        boxes.stop_all()
        db.dispose()
    last = [(t, mb) for t, mb in seen if t >= seen[-1][0] - 3] if seen else []
    what["rate"] = (last[-1][1] - last[0][1]) / max(0.1, last[-1][0] - last[0][0]) if len(last) > 1 else 0.0
    what["peak"] = max((mb for _, mb in seen), default=0.0)
    return what


# -- row 8: code size --------------------------------------------------------------------------------
DIRS = ("audio", "playlists", "broadcaster", "web")


def counted(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path.endswith(".py") and "/tests/" not in path and not name.startswith("test_")


def nonblank(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def row8() -> Row:
    now = sum(nonblank(p.read_text(errors="replace")) for d in DIRS for p in (ROOT / d).rglob("*.py")
              if counted(str(p.relative_to(ROOT))))
    git = ["git", "-C", str(ROOT)]
    files = subprocess.run(git + ["ls-tree", "-r", "--name-only", BEFORE, "--", *DIRS], check=True,
                           capture_output=True, text=True).stdout.split()
    before = sum(nonblank(subprocess.run(git + ["show", f"{BEFORE}:{f}"], check=True, capture_output=True,
                                         text=True).stdout) for f in files if counted(f))
    return Row(8, "non-blank lines of non-test Python (audio/, playlists/, broadcaster/, web/)",
               f"{now:,} now; {before:,} at {BEFORE} (before the redesign); {now - before:+,}", "(printed)", None,
               "now: the working tree as it is, files of other helpers in progress included")


# -- the table -------------------------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    out = ["| # | measure | value | target | met |", "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r.n):
        met = "—" if r.met is None else ("met" if r.met else "MISSED")
        out.append(f"| {r.n} | {r.what} | {r.value} | {r.target} | {met} |")
    notes = [f"{r.n}. {r.note}" for r in sorted(rows, key=lambda r: r.n) if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


def guarded(rows: list[Row], n: int, what: str, fn) -> None:
    t = time.monotonic()
    WATCHDOG.tripped = ""
    print(f"[{time.strftime('%H:%M:%S')}] {what} ...", file=sys.stderr, flush=True)
    try:
        got = fn()
        rows.extend(got if isinstance(got, list) else [got])
    except Exception as exc:
        import traceback

        traceback.print_exc()
        rows.append(Row(n, what, f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}", "", False))
    print(f"[{time.strftime('%H:%M:%S')}] {what}: {time.monotonic() - t:.0f} s", file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and shorter loads (a few minutes)")
    ap.add_argument("--rows", default="1,2,3,4,5,6,7,8", help="which rows to run (comma-separated)")
    ap.add_argument("--rss-cap", type=float, default=2500, metavar="MB",
                    help="stop the bench above this RSS (default 2500 MB; its children at 1.2 x): the machine is shared")
    ap.add_argument("-v", "--verbose", action="store_true", help="every round's timings on stderr")
    ap.add_argument("--resolve-in-order", action="store_true",
                    help="resolve a burst's cases in the order they were opened (the page on air first)")
    ap.add_argument("--rounds", type=int, help="desk bursts in rows 1 and 2 (default 30; 8 with --quick)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs of every process)")
    ap.add_argument("--clients-worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--players-worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--box-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    global VERBOSE, IN_ORDER
    if args.clients_worker:
        port, n, seconds = args.clients_worker
        clients_worker(int(port), int(n), float(seconds))
        return 0
    if args.box_worker:
        VERBOSE, IN_ORDER = args.verbose, args.resolve_in_order
        WATCHDOG.cap_mb = args.rss_cap
        WATCHDOG.start()
        root, which = args.box_worker
        print("ROWS " + json.dumps([r.__dict__ for r in box_rows(Path(root), {int(n) for n in which.split(",")},
                                                                  args)]), flush=True)
        return 0
    if args.players_worker:
        url, first, count, cache = args.players_worker
        players_worker(url, int(first), int(count), cache)
        return 0
    want = {int(x) for x in args.rows.split(",") if x.strip()}
    VERBOSE, IN_ORDER = args.verbose, args.resolve_in_order
    WATCHDOG.cap_mb = args.rss_cap
    WATCHDOG.start()
    q = args.quick
    tmp = Path(tempfile.mkdtemp(prefix="pa-onair-"))
    os.environ["PA_VAR_DIR"] = str(tmp / "var")  # settings and caches of this process: never the project's var/
    rows: list[Row] = []
    try:
        if want & {1, 6}:
            rows += run_box(tmp / "box", sorted(want & {1, 6}), args)
        if want & {2, 3, 4, 5}:
            from tests.pg import TempPostgres

            pg = TempPostgres().start()
            try:
                if want & {2, 3, 5}:
                    guarded(rows, 2, "rows 2, 3, 5: PostgreSQL venue", lambda: pg_venue_rows(
                        tmp / "pg", pg.create_database("venue"), args.rounds or (8 if q else 30), 2 if q else 5))
                if 4 in want:
                    guarded(rows, 4, "row 4: 200 zone players", lambda: players_row(
                        tmp / "players", pg.create_database("players"), pg, 20 if q else 60))
            finally:
                pg.stop()
        if 7 in want:
            guarded(rows, 7, "row 7: memory", lambda: row7(tmp / "rss", 8 if q else 20))
        if 8 in want:
            guarded(rows, 8, "row 8: lines of code", row8)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(table(rows))
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
