"""What the rows of bench/onair.py share: the table's Row, percentiles, the RSS watchdog, waiting, the
venue's data (tracks, users, templates, slots), the desks' HTTP client and bursts, and the checks that a
burst's pages are off the air. The bench's state (VERBOSE, IN_ORDER, STALE, REFUSED, WATCHDOG) lives here
only: other modules read it as ``common.NAME``; bench/onair.py sets it."""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "onair.py"  # the entry point: worker processes are started through it
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PA_GTTS_DISABLED", "1")  # offline TTS only

PASSWORD = "bench password 1"
DESKS = 5
INF = float("inf")
VERBOSE = False
IN_ORDER = False  # resolve the cases in the order they were opened (the page on air first)
STALE: list[str] = []  # pages still on an engine after their airings were closed (its player lost track)
REFUSED: list[str] = []  # resolves the panel answered with a server error (pressed again)


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


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
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
            "reporter_name": "王芳", "reporter_contact": "13800000000",  # the places in each page language:
            "wording": {"last_seen_place": {"zh-CN": f"{i % 17 + 1}号门"}, "meeting_point": {"zh-CN": "游客中心"}}}


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


# -- after a burst -----------------------------------------------------------------------------------
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


def music_everywhere(db, zones) -> bool:
    from broadcaster.store.models.onair import AiringState

    return {r.zone for r in open_airings(db, kind="music") if r.state is AiringState.AIRING} >= set(zones)


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
