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
6. Row 1's service while 50 members of staff have the panel open in browsers (another process; each logs
   in once, then opens a panel page every 5-15 s, the dashboard, the desk or the cases, and while on the
   dashboard runs its live stream as the browser's EventSource runs it) and music airs: sink underruns
   (writes more than one block after the audio before them ran out, all zones) and the page trigger.
   Printed beside it, with no target: the same 50 clients with no pause between requests (the dashboard
   and GET /api/now, about thirty times a room of dashboards), the panel's saturation.
7. A real `broadcaster serve` (SQLite, 12 null zones), a 1,000-track playlist as its background music and
   50 pages of distinct cases: its peak VmRSS; once with 2 s WAV tracks, once with 3.5-min tracks.
8. Non-blank lines of non-test Python in audio/, playlists/, broadcaster/, web/: now and at ae89fd9~1.
9. Row 1's bursts: first POST -> the first speech sample after the chime, per zone. Each burst pages a child
   described differently, so its sentences were never rendered (cold); the speech renders a sentence at a
   time and the first airs while the rest render. Target: the chime's length + 200 ms.

A process of the bench above --rss-cap (this one) or 1.2 x --rss-cap (its children) is stopped: the
machine is shared. ``-v`` prints every burst (and any page still airing after its cancel) on stderr.

This file: the options, the table, the worker processes' entry (they are started through it). The rows:
onair_box.py (1, 6, 9), onair_pg.py (2-5), onair_memory.py (7, 8); what they share: onair_common.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import onair_common as common  # first: puts the repository on sys.path
from onair_box import box_rows, clients_worker, run_box
from onair_common import WATCHDOG, Row, guarded
from onair_memory import row7, row8
from onair_pg import pg_venue_rows, players_row, players_worker


# -- the table -------------------------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    out = ["| # | measure | value | target | met |", "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r.n):
        met = "—" if r.met is None else ("met" if r.met else "MISSED")
        out.append(f"| {r.n} | {r.what} | {r.value} | {r.target} | {met} |")
    notes = [f"{r.n}. {r.note}" for r in sorted(rows, key=lambda r: r.n) if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


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
    ap.add_argument("--clients-worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--players-worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--box-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.clients_worker:
        port, n, seconds, mode = args.clients_worker
        clients_worker(int(port), int(n), float(seconds), mode)
        return 0
    if args.box_worker:
        common.VERBOSE, common.IN_ORDER = args.verbose, args.resolve_in_order
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
    common.VERBOSE, common.IN_ORDER = args.verbose, args.resolve_in_order
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
