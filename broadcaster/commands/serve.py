"""`broadcaster serve`: engine + scheduler + paging + web panel in one process."""
from __future__ import annotations

import argparse
import logging
import signal
import threading

log = logging.getLogger("broadcaster.serve")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the service: playout, scheduler, paging and the web panel")
    p.add_argument("--host", default="127.0.0.1", help="panel address (0.0.0.0 to serve the LAN)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--zone", action="append", metavar="NAME=SINK",
                   help="zone and its output: device, device:NAME, wav:PATH, null (repeatable)")
    p.add_argument("--no-web", action="store_true", help="no panel (engine, scheduler and paging only)")
    p.add_argument("--no-scheduler", action="store_true")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    from broadcaster.service import BroadcastService, frontend
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
    server = None
    try:
        if not args.no_web:
            from werkzeug.serving import make_server

            server = make_server(args.host, args.port, frontend("web")(service), threaded=True)
            threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
            print(f"PA Broadcaster on air ({sinks}); panel at http://{server.host}:{server.port}/", flush=True)
        else:
            print(f"PA Broadcaster on air ({sinks}); no panel", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.shutdown()
        service.stop()
        print("stopped", flush=True)
    return 0
