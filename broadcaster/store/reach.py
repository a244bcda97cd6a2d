"""The database out of reach (a PostgreSQL server stopped, restarted, or cut off by the network).

``unreachable(exc)`` tells a lost or refused connection from every other database error (a bug, a
constraint, a serialization retry): the first is an outage, to be said once and waited out; the others
keep their full traceback. ``Outage`` is what a loop that retries (the leader, LISTEN, a zone player)
uses to say an outage in two lines: one warning when the database goes away, one info line when it is
back, nothing in between. The panel (web) answers an outage with its own page (503), not a bug's 500.
"""
from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError

#: PostgreSQL across a network that may drop packets silently (a cable pulled, a switch down): an error
#: within seconds, as when the server refuses, never a hang. Connecting gives up after 5 s; an idle
#: connection (LISTEN) is found dead by TCP keepalives in about 11 s, a busy one after 10 s unanswered.
PG_CONNECT = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
              "keepalives_count": 3, "tcp_user_timeout": 10_000}


# SQLSTATEs of a connection refused or ended by the server: class 08 (connection exception) and the
# server shutting down or starting (57P01-57P03).
_GONE = ("08", "57P01", "57P02", "57P03")


def unreachable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what it was raised from) is the database not being reachable."""
    seen = 0
    while exc is not None and seen < 5:
        seen += 1
        if isinstance(exc, DBAPIError):
            if exc.connection_invalidated:
                return True
            exc = exc.orig
            continue
        if _psycopg_gone(exc):
            return True
        exc = exc.__cause__
    return False


def _psycopg_gone(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite only: no server to lose
        return False
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = getattr(exc, "sqlstate", None)
    if state is None:  # no answer from a server at all: refused, reset, closed, or silent (timed out)
        return type(exc) is psycopg.OperationalError or isinstance(
            exc, (psycopg.errors.ConnectionException, psycopg.errors.ConnectionTimeout))
    return state.startswith(_GONE)


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Outage:
    """One loop's view of the database: ``failed(exc)`` after a round failed, ``ok()`` after one worked.

    ``failed`` returns False for an error that is not an outage (the caller logs it with its traceback);
    for an outage it logs one warning the first time and nothing more until ``ok()`` logs it back."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log, self.what = log, what
        self.since: float | None = None

    @property
    def away(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> bool:
        if not unreachable(exc):
            return False
        if self.since is None:
            self.since = time.monotonic()
            self.log.warning("%s: database unreachable (%s); retrying quietly until it is back",
                             self.what, first_line(exc))
        return True

    def ok(self) -> None:
        if self.since is not None:
            self.log.info("%s: database back after %.0f s", self.what, time.monotonic() - self.since)
            self.since = None
