"""`broadcaster player`: a zone player on its own, for zones whose amplifiers hang off another machine.
It claims and airs the airings of its zones from the shared PostgreSQL database (the venue's `serve`
process leads: scheduler, page repeats, escalation) and reports back there."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("player", help="run a zone player for some zones against the shared database")
    p.add_argument("--zone", action="append", required=True, metavar="NAME=SINK",
                   help="zone and its output: device, device:NAME, wav:PATH, null (repeatable)")
    p.add_argument("--name", help="this player's name (default: host name and zones); a restarted player "
                                  "with the same name takes back what it held")
    p.set_defaults(func=cmd_player)


def cmd_player(args) -> int:
    from broadcaster.commands.serve import lean_memory, until_stopped

    lean_memory()
    from broadcaster.voices import venue_renderer
    from broadcaster.service import make_player, register_areas
    from broadcaster.settings import load_settings, parse_zones, var_dir
    from broadcaster.store.db import Database

    register_areas()
    db = Database(args.db)
    settings = load_settings(db)
    player = make_player(db, parse_zones(",".join(args.zone)), var=var_dir(), renderer=venue_renderer(settings),
                         clock=None, settings=settings, name=args.name, follow_zones=True)
    try:
        with until_stopped():
            player.start()
            sinks = ", ".join(f"{z}: {zone.sink.name}" for z, zone in player.engine.zones.items())
            print(f"player {player.name} on air ({sinks})", flush=True)
    finally:
        player.stop()
        db.dispose()
        print("stopped", flush=True)
    return 0
