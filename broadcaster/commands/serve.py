"""`broadcaster serve`: this machine's zone player, the leader's duties (scheduler, page repeats and
escalation, background music, the watch over players) and the web panel, all in this process. The panel
runs on waitress, a production WSGI server with a pool of threads; it reaches the air only through the
database (the services write airings, the player claims them).

On PostgreSQL more panel processes may run beside it, on any machine: ``gunicorn 'web.wsgi:app()'``."""
from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import threading
import time

log = logging.getLogger("broadcaster.serve")

#: Requests served at once (at most web.SSE_MAX_STREAMS of them live streams). The panel shares the
#: interpreter lock with the audio: each busy request thread is one more in the queue the mixer waits
#: in when it wakes for its next block. With 50 clients loading dashboards non-stop (bench/onair.py row
#: 6): 16 threads, 276-307 device underruns in 10 s; 6 threads, 45-82; 4 threads, none in four runs,
#: and a page triggered under that load aired in 0.7 s, not 1.2-1.5 s. More threads serve no more: the
#: lock lets one run at a time. One more thread serves staff actions only (``desk_first``).
THREADS = 4


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the service: playout, scheduler, paging and the web panel")
    p.add_argument("--host", default="127.0.0.1", help="panel address (0.0.0.0 to serve the LAN)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--zone", action="append", metavar="NAME=SINK",
                   help="zone and its output: device, device:NAME, wav:PATH, null, remote (repeatable)")
    p.add_argument("--no-web", action="store_true", help="no panel (player, scheduler and paging only)")
    p.add_argument("--web-threads", type=int, default=THREADS, metavar="N",
                   help=f"panel requests served at once (default {THREADS}), and one more thread for staff actions")
    p.add_argument("--no-scheduler", action="store_true")
    p.set_defaults(func=cmd_serve)


def desk_first():
    """Waitress's queue of requests, with the staff's actions first: a request that changes something
    (a POST: a page trigger above all) is served before the reads waiting ahead of it (dashboards, live
    views), and one thread (``waitress-0``) serves actions only, so a lost child's page never waits for
    a thread behind a room of screens refreshing (each read can take a second under that load: bench
    row 6 measured 5-55 ms between a desk's POST and its first line of Python with every thread on
    reads)."""
    from waitress.task import ThreadedTaskDispatcher

    def action(channel) -> bool:
        return any(getattr(r, "command", "") in WRITES for r in getattr(channel, "requests", ()))

    class DeskFirst(ThreadedTaskDispatcher):
        def add_task(self, channel) -> None:
            with self.lock:
                if action(channel):
                    self.queue.appendleft(channel)
                else:
                    self.queue.append(channel)
                self.queue_cv.notify_all()  # (the desk's thread takes only actions: all look)

        def handler_thread(self, thread_no: int) -> None:  # waitress's loop, with the desk's thread
            desk = thread_no == 0
            while True:
                with self.lock:
                    while self.stop_count == 0 and not (self.queue and (not desk or action(self.queue[0]))):
                        self.active_count -= 1
                        self.queue_cv.wait()
                        self.active_count += 1
                    if self.stop_count > 0:
                        self.active_count -= 1
                        self.stop_count -= 1
                        self.threads.discard(thread_no)
                        self.thread_exit_cv.notify()
                        break
                    task = self.queue.popleft()
                try:
                    task.service()
                except BaseException:
                    self.logger.exception("Exception when servicing %r", task)

    return DeskFirst()


WRITES = ("POST", "PUT", "PATCH", "DELETE")
READS_WAIT_S = 0.5  # the longest a request waits, in all, for work that goes before it


class StaffFirst:
    """WSGI: the panel's requests give way, in this order: the zone player claiming what a commit just
    queued (``on_air``: a page on its way to the air) goes first, then staff actions (a POST), then
    reads (dashboards). A request gives way when it starts and at each of its database queries
    (``pause_at_queries_of(engine)``) while work before it runs, at most READS_WAIT_S in all; one that
    holds SQLite's write turn waits for the player only (an action needs the turn). So a page's way from the
    desk to the air has the interpreter almost to itself instead of taking turns with every request a
    thread serves (bench/onair.py row 6)."""

    def __init__(self, app, on_air: threading.Event | None = None) -> None:
        self.app = app
        self.on_air = on_air or threading.Event()
        self.actions = 0
        self._cv = threading.Condition()
        self._mine = threading.local()  # .until: this thread serves a request, and gives way until then

    def __call__(self, environ, start_response):
        action = environ.get("REQUEST_METHOD") in WRITES
        self._mine.action, self._mine.until = action, time.monotonic() + READS_WAIT_S
        try:
            self._give_way()
            if not action:
                return self.app(environ, start_response)
            with self._cv:
                self.actions += 1
            try:
                return self.app(environ, start_response)
            finally:
                with self._cv:
                    self.actions -= 1
                    self._cv.notify_all()
        finally:
            self._mine.until = 0.0

    def _ahead(self, holding: bool) -> bool:
        return self.on_air.is_set() or (not holding and not self._mine.action and self.actions > 0)

    def _give_way(self, holding: bool = False) -> None:
        while self._ahead(holding):  # (no lock taken on the way of every query)
            left = self._mine.until - time.monotonic()
            if left <= 0:
                return
            with self._cv:  # woken when the last action ends; the player's claim is looked at every 5 ms
                self._cv.wait(min(left, 0.005))

    def pause_at_queries_of(self, engine) -> None:
        """This panel's requests give way at each query of ``engine``. One holding SQLite's write turn
        gives way to the player only: its claim reads, checks and hands over before it writes (and
        the staff action waiting behind would wait for the turn anyway)."""
        from sqlalchemy import event

        from broadcaster.store.db import holds_write_turn

        @event.listens_for(engine, "before_cursor_execute")
        def _query(_conn, cursor, _statement, _params, _context, _many) -> None:
            if getattr(self._mine, "until", 0.0):
                self._give_way(holds_write_turn(cursor.connection))


def on_air(service) -> threading.Event | None:
    """Set while the service's zone player claims what a commit just queued (the panel gives way)."""
    return service.player.claiming if service.player is not None else None


class Panel:
    """A panel app (``frontend("web")(service)``) on waitress, served by a thread of this process."""

    def __init__(self, app, host: str, port: int, threads: int = THREADS, on_air: threading.Event | None = None) -> None:
        from waitress import create_server

        self.app = app
        threads = max(2, threads)
        dispatcher = desk_first()
        dispatcher.set_thread_count(threads + 1)  # and the desk's thread
        staff = StaffFirst(self.app, on_air)
        db = getattr(self.app.extensions["pa"], "db", None)
        if db is not None:  # (a bare app in the tests: no database)
            staff.pause_at_queries_of(db.engine)
        self.server = create_server(staff, host=host, port=port, threads=threads, ident="PA Broadcaster",
                                    asyncore_use_poll=True, channel_timeout=60, connection_limit=200,
                                    _dispatcher=dispatcher)
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

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)          # M_ARENA_MAX: two arenas, not eight per core
        libc.mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD: arrays above 1 MB mapped, and unmapped when freed
        # (at 256 kB every second's music decode of every zone was mapped and unmapped: a third of the
        # process's CPU went to the kernel zeroing pages, at the same resident memory)
    except (OSError, AttributeError):
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
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    panel = None
    try:
        if not args.no_web:
            from broadcaster.service import frontend

            panel = Panel(frontend("web")(service), args.host, args.port, args.web_threads, on_air=on_air(service))
            print(f"PA Broadcaster on air ({sinks}); panel at {panel.url} ({panel.mode})", flush=True)
        else:
            print(f"PA Broadcaster on air ({sinks}); no panel", flush=True)
        quiet_collector()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if panel is not None:
            panel.stop()
        service.stop()
        print("stopped", flush=True)
    return 0
