"""Rows 2, 3, 4 and 5 of bench/onair.py: PostgreSQL. `broadcaster serve` and `broadcaster player` in
processes of their own (``Boxes``, also used by row 7), and 200 zone players in ``--players-worker``
processes."""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import onair_common as common
from onair_common import (DESKS, INF, ROOT, SCRIPT, Client, Row, desk_burst, music_everywhere, off_air, pages_held,
                          pct, prepare, resolve, spread, stale_note, wait)


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


def players_now(db) -> dict:
    """zone -> what its player last said it airs and queues (the players' heartbeat rows)."""
    from sqlalchemy import select

    from broadcaster.store.models.onair import PlayerStatus

    with db.session() as s:
        return {z: v for p in s.scalars(select(PlayerStatus).where(PlayerStatus.stopped.is_(False)))
                for z, v in (p.now or {}).items()}


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
                if common.VERBOSE:
                    now = players_now(db)
                    print("  not started in 15 s: " + "; ".join(f"{z} (its engine: {now.get(z)})" for z in zones
                                                                if z not in first), file=sys.stderr)
            if common.VERBOSE:
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
            procs.append(subprocess.Popen([sys.executable, str(SCRIPT), "--players-worker", url, str(w * per), str(per),
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
