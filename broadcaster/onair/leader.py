"""One leader among the ``serve`` processes of a venue: it runs the scheduler, page repeats and
escalation, the background music and the watch over players. Several processes against one
PostgreSQL elect it with a session advisory lock (``pg_try_advisory_lock``) held on a connection of
its own: when the leader dies, PostgreSQL ends its session and frees the lock, and the next process
to try (every second) leads. On SQLite (one box) an ``flock`` beside the database file does the same.

A leader process that hangs with its connection open (stopped, swapped out, its host paused) keeps the
lock while its duties stop: its lock session answers the server's probes. So the leader touches that
session every second from a thread of its own; a standby that finds the holder's session untouched for
FROZEN_AFTER_S ends it (``pg_terminate_backend``) and leads. The old leader, should it wake, finds its
session gone at its next touch and stops leading.

What the leader writes is idempotent (airing keys), so a brief overlap never airs anything twice.
"""
from __future__ import annotations

import logging
import os
import threading
from contextlib import suppress
from datetime import timedelta

from sqlalchemy import select, text

from broadcaster import logs
from broadcaster.onair import outcomes
from broadcaster.store.models.onair import PlayerStatus

log = logging.getLogger(__name__)
LOCK_KEY = 0x5041_4C44  # "PALD"
FROZEN_AFTER_S = 3.0  # a leader whose lock session was not touched for this long is ended by a standby
# (touched every second, tried every second: a frozen leader is replaced within 5 s)
LOST_AFTER_S = 3.0  # a player is lost when no heartbeat came for this long (a fault on every panel within 5 s)


# The server frees the lock when it ends the leader's session. A leader killed on a machine that stays
# up closes its socket and the session ends at once; a leader machine that loses power or its network
# says nothing, and the server would keep the session (and the lock: no failover) until its TCP
# keepalive gave up, 2 h by default. The leader's own session probes its peer every second after one
# idle second and ends after two unanswered probes (about 3 s), or 3 s after data sent goes unanswered.
LEADER_SESSION = {"tcp_keepalives_idle": "1", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "2",
                  "tcp_user_timeout": "3000"}


#: The session holding the leader's lock, and how long since it last ran a statement (seconds).
_HOLDER = text("""SELECT a.pid, EXTRACT(EPOCH FROM (clock_timestamp() - a.state_change)) FROM pg_locks l
                  JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :k
                    AND l.objsubid = 1 AND a.state <> 'active'""")


class Leadership:
    def __init__(self, db) -> None:
        self.db = db
        self._conn = None
        self._fd: int | None = None
        self._use = threading.Lock()  # the lock session: the leader's rounds and its touches take turns
        self._beat: threading.Event | None = None

    def try_lead(self) -> bool:
        """Lead if nobody does (or keep leading). False when another process leads."""
        return self._pg() if self.db.is_postgres else self._file()

    def _pg(self) -> bool:
        if self._conn is not None and self._touch():
            return True
        conn = self.db.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            if not got and self._unseat_frozen(conn):
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
            for name, value in LEADER_SESSION.items():  # the lock session probes its peer often
                try:
                    with conn.begin_nested():
                        conn.execute(text(f"SET {name} = {value}"))
                except Exception as exc:  # an older server without tcp_user_timeout: the others still apply
                    log.warning("leader session: %s not set (%s)", name, exc)
            conn.commit()
            self._beat = threading.Event()
            threading.Thread(target=self._touching, args=(self._beat,), name="leader-touch", daemon=True).start()
            log.info("leading (advisory lock %x)", LOCK_KEY)
            return True
        conn.close()
        return False

    def _touch(self) -> bool:
        """Run a statement on the lock session (the standbys see when it last ran): False when the
        session is gone, and the lock with it."""
        with self._use:
            conn = self._conn
            if conn is None:
                return False
            try:
                conn.execute(text("SELECT 1"))
                conn.commit()
                return True
            except Exception as exc:
                log.warning("leader connection lost (%s): no longer leading", exc)
            self._conn = None
            if self._beat is not None:
                self._beat.set()
            with suppress(Exception):
                conn.invalidate()
            return False

    def _touching(self, stop: threading.Event) -> None:
        while not stop.wait(1.0) and self._touch():
            pass

    @staticmethod
    def _unseat_frozen(conn) -> bool:
        """End the leader's session when it went untouched for FROZEN_AFTER_S (its process hangs)."""
        row = conn.execute(_HOLDER, {"k": LOCK_KEY}).first()
        if row is None or row[1] is None or float(row[1]) < FROZEN_AFTER_S:
            return False
        log.warning("the leader's session (pid %s) untouched for %.0f s: ending it to lead", row[0], row[1])
        return bool(conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": row[0]}).scalar())

    def _file(self) -> bool:
        if self._fd is not None:
            return True
        import fcntl

        database = self.db.engine.url.database
        if not database or database == ":memory:":
            self._fd = -1  # a private database: this process is the only one
            return True
        fd = os.open(database + ".leader", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def resign(self) -> None:
        if self._beat is not None:
            self._beat.set()
        with self._use:
            if self._conn is not None:
                with suppress(Exception):
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                    self._conn.close()
                self._conn = None
        if self._fd is not None and self._fd >= 0:  # -1: a private database, no file held
            os.close(self._fd)
        self._fd = None


def lost_players(db, now, *, alive: tuple[str, ...] = ()) -> list[str]:
    """Players whose heartbeat stopped LOST_AFTER_S ago without a goodbye: a fault per zone
    ("zone lobby: player lost") and their airings back to the queue (the leader runs this). ``alive``:
    players known to run without asking the database (the leader's own, in its process)."""
    lost, silent_since = [], now - timedelta(seconds=LOST_AFTER_S)
    with db.session() as s:
        for status in s.scalars(select(PlayerStatus).where(PlayerStatus.stopped.is_(False),
                                                           PlayerStatus.name.not_in(alive),
                                                           PlayerStatus.heartbeat_at < silent_since)):
            for zone in status.zones:
                logs.raise_fault(s, "player_lost", f"zone {zone}: player {status.name} lost (no heartbeat since "
                                 f"{status.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)", zone=zone)
            outcomes.release(s, status.name, status.heartbeat_at, "player lost")
            status.stopped = True
            lost.append(status.name)
    return lost
