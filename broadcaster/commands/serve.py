"""`broadcaster serve`: this machine's zone player, the leader's duties (scheduler, page repeats and
escalation, background music, the watch over players) and the web panel, all in this process. The panel
runs on waitress, a production WSGI server with a pool of threads; it reaches the air only through the
database (the services write airings, the player claims them).

On PostgreSQL more panel processes may run beside it, on any machine: ``gunicorn 'web.wsgi:app()'``."""
from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import signal
import sys
import threading

log = logging.getLogger("broadcaster.serve")

#: Requests served at once (at most web.SSE_MAX_STREAMS of them live streams). The panel shares the
#: interpreter lock with the audio: each busy request thread is one more in the queue the mixer waits
#: in when it wakes for its next block. With 50 clients loading dashboards non-stop (bench/onair.py row
#: 6): 16 threads, 276-307 device underruns in 10 s; 6 threads, 45-82; 4 threads, none in four runs,
#: and a page triggered under that load aired in 0.7 s, not 1.2-1.5 s. More threads serve no more: the
#: lock lets one run at a time.
THREADS = 4


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the service: playout, scheduler, paging and the web panel")
    p.add_argument("--host", default="127.0.0.1", help="panel address (0.0.0.0 to serve the LAN)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--zone", action="append", metavar="NAME=SINK",
                   help="zone and its output: device, device:NAME, wav:PATH, null, remote (repeatable)")
    p.add_argument("--no-web", action="store_true", help="no panel (player, scheduler and paging only)")
    p.add_argument("--web-threads", type=int, default=THREADS, metavar="N",
                   help=f"panel requests served at once (default {THREADS})")
    p.add_argument("--no-scheduler", action="store_true")
    p.set_defaults(func=cmd_serve)


def give_way(engine, settled, wait_s: float = 0.5) -> None:
    """Python runs one thread at a time: while the zone player claims what a commit just queued (a page
    on its way to the air: ``settled``, an :class:`~broadcaster.onair.player.Settled`, is clear), the
    panel's threads wait at their next query of ``engine``, unless their SQLite transaction has written
    (the claim needs the file's write lock). They wait until ``wait_s`` after the claim began, not
    ``wait_s`` a query: a claim stuck behind another process's transaction holds the panel up once.
    Bench row 6, a page under the load of 50 dashboards: p99 49-76 ms with this, 72-105 ms without
    (five and three runs)."""
    import time

    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _query(_conn, cursor, *_) -> None:
        # (the panel's threads: waitress names its threads waitress-N)
        if not settled.is_set() and threading.current_thread().name.startswith("waitress") \
                and not getattr(cursor.connection, "in_transaction", False):
            left = settled.cleared_at + wait_s - time.monotonic()
            if left > 0:
                settled.wait(left)


class Panel:
    """A panel app (``frontend("web")(service)``) on waitress, served by a thread of this process."""

    def __init__(self, app, host: str, port: int, threads: int = THREADS, settled=None) -> None:
        from waitress import create_server

        self.app = app
        threads = max(2, threads)
        if settled is not None:  # this process's zone player
            give_way(self.app.extensions["pa"].db.engine, settled)
        self.server = create_server(self.app, host=host, port=port, threads=threads, ident="PA Broadcaster",
                                    asyncore_use_poll=True, channel_timeout=60, connection_limit=200)
        shown = "[" + self.server.effective_host + "]" if ":" in self.server.effective_host \
            else self.server.effective_host
        self.url = f"http://{shown}:{self.server.effective_port}/"
        self.mode = f"in-process, {threads} threads"
        self._thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Live streams end, the listening socket and open connections close, the threads finish."""
        from waitress import wasyncore

        self.app.extensions["pa"].stopping.set()
        self.server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self.server._map)
        self._thread.join(5)


def quiet_collector() -> None:
    """Keep Python's cycle collector from stopping the audio: what start-up built lives as long as the
    service, so no collection scans it again (``gc.freeze``), and collections of the oldest objects
    come far less often. A full collection stops every thread of the process for as long as it scans
    (over 100 ms was measured with thousands of pages queued), and this process feeds the device."""
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(max(young, 10_000), middle, 100)
    # the mixer thread woken for its next block waits for the interpreter lock while panel threads run:
    # they hand it over after 1 ms, not Python's default 5 ms
    sys.setswitchinterval(0.001)


def lean_memory() -> None:
    """Give freed audio back to the system. Renders and decodes make many short-lived arrays of a few
    MB on many threads; glibc's defaults (an arena per thread, a mmap threshold that grows to 32 MB)
    keep them in the heap, and a service that paged 50 children sat at three times the memory it
    needed. Called before any thread starts; a no-op where glibc is not the C library."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):  # no glibc here
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)          # M_ARENA_MAX: two arenas, not eight per core
        libc.mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD: arrays above 1 MB mapped, and unmapped when freed
        # (at 256 kB every second's music decode of every zone was mapped and unmapped: a third of the
        # process's CPU went to the kernel zeroing pages, at the same resident memory)


@contextlib.contextmanager
def until_stopped():
    """The body, then a wait for SIGTERM (one sent during the body counts) or Ctrl-C (quiet, in either)."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with contextlib.suppress(KeyboardInterrupt):
        yield
        while not stopping.wait(0.5):
            pass


def cmd_serve(args) -> int:
    from broadcaster.service import BroadcastService
    from broadcaster.settings import parse_zones

    lean_memory()

    zones = parse_zones(",".join(args.zone)) if args.zone else None
    service = BroadcastService(db_url=args.db, zones=zones, scheduler=not args.no_scheduler)
    created = service.first_run()
    if created:
        print(f"first run: created the administrator account {created}; log in to the panel to set up the venue "
              "(you choose your own password first)", flush=True)
    service.start()
    sinks = ", ".join(f"{z}: {zone.sink.name}" for z, zone in service.engine.zones.items()) \
        if service.engine is not None else "no zones of its own"
    panel = None
    try:
        with until_stopped():
            if not args.no_web:
                from broadcaster.service import frontend

                panel = Panel(frontend("web")(service), args.host, args.port, args.web_threads,
                              service.player.settled if service.player is not None else None)  # it gives way
                print(f"PA Broadcaster on air ({sinks}); panel at {panel.url} ({panel.mode})", flush=True)
            else:
                print(f"PA Broadcaster on air ({sinks}); no panel", flush=True)
            quiet_collector()
    finally:
        if panel is not None:
            panel.stop()
        service.stop()
        print("stopped", flush=True)
    return 0
