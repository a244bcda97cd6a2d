"""`broadcaster serve`: engine + scheduler + paging in this process, the web panel in worker processes."""
from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import threading
import time

log = logging.getLogger("broadcaster.serve")


def default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 1))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the service: playout, scheduler, paging and the web panel")
    p.add_argument("--host", default="127.0.0.1", help="panel address (0.0.0.0 to serve the LAN)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--zone", action="append", metavar="NAME=SINK",
                   help="zone and its output: device, device:NAME, wav:PATH, null (repeatable)")
    p.add_argument("--no-web", action="store_true", help="no panel (engine, scheduler and paging only)")
    p.add_argument("--web-workers", type=int, default=default_workers(), metavar="N",
                   help="panel worker processes (default: CPUs, 2 to 4); 0 serves the panel from this "
                        "process")
    p.add_argument("--no-scheduler", action="store_true")
    p.set_defaults(func=cmd_serve)


class Panel:
    """The panel: gunicorn workers (restarted if they die), or a thread of this process."""

    def __init__(self, service, host: str, port: int, workers: int) -> None:
        from broadcaster.service import frontend

        self.service, self.host, self.port, self.workers = service, host, port, workers
        self.proc = self.server = None
        self._restarts: list[float] = []
        self.url = f"http://{host}:{port}/"
        if workers > 0:
            try:
                self.pool = frontend("web-workers")
                self.proc, self.port = self.pool.spawn(service, host, port, workers)
                self.url = f"http://{host}:{self.port}/"
                self.mode = f"{workers} worker processes"
                return
            except (LookupError, RuntimeError, OSError) as exc:
                log.error("panel worker processes could not start (%s); serving the panel from this process", exc)
        from werkzeug.serving import make_server

        self.server = make_server(host, port, frontend("web")(service), threaded=True)
        self.url = f"http://{self.server.host}:{self.server.port}/"
        threading.Thread(target=self.server.serve_forever, name="web", daemon=True).start()
        self.mode = "in-process"

    def check(self) -> None:
        """Restart the worker pool if it died (at most 5 times a minute)."""
        if self.proc is None or self.proc.poll() is None:
            return
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < 60]
        if len(self._restarts) >= 5:
            return
        self._restarts.append(now)
        log.error("panel workers exited (%s); restarting", self.proc.returncode)
        try:
            self.proc, _ = self.pool.spawn(self.service, self.host, self.port, self.workers)
        except (RuntimeError, OSError) as exc:
            log.error("panel workers could not restart: %s", exc)

    def stop(self) -> None:
        if self.proc is not None:
            self.pool.stop(self.proc)
        if self.server is not None:
            self.server.shutdown()


def quiet_collector() -> None:
    """Keep Python's cycle collector from stopping the audio: what start-up built lives as long as the
    service, so no collection scans it again (``gc.freeze``), and collections of the oldest objects
    come far less often. A full collection stops every thread of the process for as long as it scans
    (over 100 ms was measured with thousands of pages queued), and this process feeds the device."""
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(max(young, 10_000), middle, 100)


def cmd_serve(args) -> int:
    from broadcaster.service import BroadcastService
    from broadcaster.settings import parse_zones

    zones = parse_zones(",".join(args.zone)) if args.zone else None
    service = BroadcastService(db_url=args.db, zones=zones, scheduler=not args.no_scheduler)
    created = service.first_run()
    if created:
        print(f"first run: created the administrator account {created} (change the password after logging in)",
              flush=True)
    service.start()
    sinks = ", ".join(f"{z}: {zone.sink.name}" for z, zone in service.engine.zones.items())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    panel = None
    try:
        if not args.no_web:
            panel = Panel(service, args.host, args.port, args.web_workers)
            print(f"PA Broadcaster on air ({sinks}); panel at {panel.url} ({panel.mode})", flush=True)
        else:
            print(f"PA Broadcaster on air ({sinks}); no panel", flush=True)
        quiet_collector()
        while not stop.wait(0.5):
            if panel is not None:
                panel.check()
    except KeyboardInterrupt:
        pass
    finally:
        if panel is not None:
            panel.stop()
        service.stop()
        print("stopped", flush=True)
    return 0
