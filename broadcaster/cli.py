"""`broadcaster` console script. Each area registers its sub-commands from broadcaster/commands/."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from broadcaster.errors import BroadcasterError

#: Modules under broadcaster.commands that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "audio",      # devices, say, play
    "workflow",   # user, announce, submit, approve, reject, queue, log, faults
    "serve",      # serve
    "player",     # player (zones on another machine)
    "schedule",   # playlist, programme, rule, plan, ics
    "desk",       # page, case, lost
    "cases",      # complaint, incident, visit, handover, report
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="broadcaster", description="PA Broadcaster: venue public-address service")
    parser.add_argument("--db", help="SQLAlchemy database URL (default: SQLite in var/, or $PA_DATABASE_URL)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"broadcaster.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from broadcaster.store.db import ROOT

    os.environ.setdefault("PA_VAR_DIR", str(ROOT / "var"))  # caches, voices, media live beside the DB
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db:  # the process's store: what a call without a Database reads (the venue settings)
        os.environ["PA_DATABASE_URL"] = args.db
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
        sys.stdout.flush()  # here, where a reader gone away is caught
    except BroadcasterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader of the output went away (``broadcaster log asrun | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (the flush at exit would raise again)
        return 0
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
