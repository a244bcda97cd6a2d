"""Rows 7 and 8 of bench/onair.py: the peak RSS of a real `broadcaster serve` airing a 1,000-track
playlist and 50 pages, and the lines of code now and before the redesign."""
from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from onair_common import DESKS, ROOT, WATCHDOG, Client, Row, background, children, desk_burst, music_everywhere, \
    open_airings, prepare, rss_kb, wait
from onair_pg import Boxes

BEFORE = "ae89fd9~1"


# -- row 7: memory ---------------------------------------------------------------------------------
def row7(root: Path, settle: float, zones: int = 12, pages: int = 50) -> Row:
    short = rss_run(root / "short", settle, zones, pages, 2.0)
    long = rss_run(root / "long", settle, zones, pages, 210.0)
    def note(r: dict) -> str:
        return (f"{r['label']}: {r['idle_mb']:.0f} MB on air with nothing to air, {r['music_mb']:.0f} MB 3 s after "
                f"the music started in every zone, {r['peak']:.0f} MB peak with the pages; growing {r['rate']:.0f} "
                f"MB/s at the end; piper's process (the neural voice, a child of serve) {r['piper']:.0f} MB at peak, "
                f"serve and it {r['both']:.0f} MB together; each zone's bed airing holds {r['bed'] / 1e6:.2f} MB of pieces JSON; "
                f"{r['open']} pages still open at the end" + (f"; {r['error']}" if r["error"] else ""))
    return Row(7, f"RSS of `broadcaster serve` ({zones} null zones; piper's process beside it in the note), "
               f"{pages} pages of distinct cases, "
               "a 1,000-track playlist as the background music",
               f"{short['value']} with 2 s WAV tracks, {long['value']} with 3.5-min tracks (with piper's process: "
               f"{short['both']:.0f} / {long['both']:.0f} MB)", "< 300 MB",
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
    kids: list[float] = []  # MB of its child processes (piper's), at the same moments
    stop = threading.Event()
    what = {"bed": 0, "open": 0, "music_mb": 0.0, "idle_mb": 0.0, "error": "",
            "label": f"{track_s:g} s tracks" if track_s < 60 else f"{track_s / 60:.1f}-min tracks"}
    try:
        proc = boxes.start("serve", "serve", "--port", "0", *[a for z in names for a in ("--zone", f"{z}=null")])

        def sample():
            while not stop.wait(0.2) and proc.poll() is None:
                seen.append((time.monotonic(), rss_kb(proc.pid) / 1024))
                kids.append(sum(rss_kb(kid) for kid in children(proc.pid)) / 1024)
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
    what["piper"] = max(kids, default=0.0)
    what["both"] = max((mb + k for (_, mb), k in zip(seen, kids)), default=0.0)
    return what


# -- row 8: code size --------------------------------------------------------------------------------
DIRS = ("audio", "playlists", "broadcaster", "web")


def counted(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path.endswith(".py") and "/tests/" not in path and not name.startswith("test_")


def nonblank(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


# The on-air path: every module between "a service wants something aired" and "the as-run row", with the
# processes' wiring. Before the redesign: the playout engine, the station, the paging loop and its trigger
# and pager, the schedule bridge, the snapshot file and doorbell (control), group commit (combine), the
# flock writer (db), RemoteService, the panel's worker processes and their services, the logs and dashboard board.
ONAIR_BEFORE = ("broadcaster/playout.py", "broadcaster/station.py", "broadcaster/control.py", "broadcaster/combine.py",
                "broadcaster/db.py", "broadcaster/cases/paging.py", "broadcaster/cases/trigger.py",
                "broadcaster/cases/pager.py", "broadcaster/schedule/bridge.py", "broadcaster/schedule/scheduler.py",
                "broadcaster/logs.py", "broadcaster/board.py", "broadcaster/service.py", "broadcaster/media.py",
                "broadcaster/commands/serve.py", "broadcaster/remote.py", "web/worker.py", "web/services.py")
ONAIR_NOW = ("broadcaster/onair/", "broadcaster/paging/paging.py", "broadcaster/paging/onair.py",
             "broadcaster/paging/queries.py", "broadcaster/paging/rules.py", "broadcaster/announcements/station.py",
             "broadcaster/schedule/onair.py", "broadcaster/schedule/scheduler.py", "broadcaster/store/db.py",
             "broadcaster/store/signals.py", "broadcaster/store/media.py", "broadcaster/logs.py", "broadcaster/board.py",
             "broadcaster/service.py", "broadcaster/commands/serve.py", "broadcaster/commands/player.py",
             "web/services.py")


def onair(path: str, names: tuple[str, ...]) -> bool:
    return any(path == n or (n.endswith("/") and path.startswith(n)) for n in names)


def row8() -> Row:
    now = {str(p.relative_to(ROOT)): nonblank(p.read_text(errors="replace")) for d in DIRS
           for p in (ROOT / d).rglob("*.py") if counted(str(p.relative_to(ROOT)))}
    git = ["git", "-C", str(ROOT)]
    files = subprocess.run(git + ["ls-tree", "-r", "--name-only", BEFORE, "--", *DIRS], check=True,
                           capture_output=True, text=True).stdout.split()
    before = {f: nonblank(subprocess.run(git + ["show", f"{BEFORE}:{f}"], check=True, capture_output=True,
                                         text=True).stdout) for f in files if counted(f)}
    total_now, total_before = sum(now.values()), sum(before.values())
    path_now = sum(n for f, n in now.items() if onair(f, ONAIR_NOW))
    path_before = sum(n for f, n in before.items() if onair(f, ONAIR_BEFORE))
    return Row(8, "non-blank lines of non-test Python (audio/, playlists/, broadcaster/, web/)",
               f"{total_now:,} now; {total_before:,} at {BEFORE} (before the redesign); {total_now - total_before:+,}. "
               f"The on-air path alone: {path_now:,} now, {path_before:,} before ({path_now - path_before:+,})",
               "(printed)", None,
               "now: the working tree as it is, files of other helpers in progress included; the on-air path's "
               "modules are listed in bench/onair_memory.py (ONAIR_BEFORE, ONAIR_NOW)")
