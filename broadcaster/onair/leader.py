"""One leader among the ``serve`` processes of a venue: it runs the scheduler, page repeats and
escalation, the background music and the watch over players. Several processes against one
PostgreSQL elect it with a session advisory lock (``pg_try_advisory_lock``) held on a connection of
its own: when the leader dies, PostgreSQL ends its session and frees the lock, and the next process
to try (every second) leads. On SQLite (one box) an ``flock`` beside the database file does the same.

What the leader writes is idempotent (airing keys), so a brief overlap never airs anything twice.
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta

from sqlalchemy import select, text

from broadcaster import logs
from broadcaster.onair import outcomes
from broadcaster.store.models.onair import PlayerStatus

log = logging.getLogger(__name__)
LOCK_KEY = 0x5041_4C44  # "PALD"
LOST_AFTER_S = 3.0  # a player is lost when no heartbeat came for this long (a fault on every panel within 5 s)


# The server frees the lock when it ends the leader's session. A leader killed on a machine that stays
# up closes its socket and the session ends at once; a leader machine that loses power or its network
# says nothing, and the server would keep the session (and the lock: no failover) until its TCP
# keepalive gave up, 2 h by default. The leader's own session probes its peer every second after one
# idle second and ends after two unanswered probes (about 3 s), or 3 s after data sent goes unanswered.
LEADER_SESSION = {"tcp_keepalives_idle": "1", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "2",
                  "tcp_user_timeout": "3000"}


def _probe_often(conn) -> None:
    for name, value in LEADER_SESSION.items():
        try:
            with conn.begin_nested():
                conn.execute(text(f"SET {name} = {value}"))
        except Exception as exc:  # an older server without tcp_user_timeout: the others still apply
            log.warning("leader session: %s not set (%s)", name, exc)
    conn.commit()


class Leadership:
    def __init__(self, db) -> None:
        self.db = db
        self._conn = None
        self._fd: int | None = None

    @property
    def leading(self) -> bool:
        return self._conn is not None or self._fd is not None

    def try_lead(self) -> bool:
        """Lead if nobody does (or keep leading). False when another process leads."""
        if self.db.is_postgres:
            return self._pg()
        return self._file()

    def _pg(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception as exc:  # our session is gone, and the lock with it
                log.warning("leader connection lost (%s): no longer leading", exc)
                self._drop_pg()
        conn = self.db.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
            _probe_often(conn)
            log.info("leading (advisory lock %x)", LOCK_KEY)
            return True
        conn.close()
        return False

    def _drop_pg(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:
                pass

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
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                self._conn.close()
            except Exception:
                pass
            self._conn = None
        if self._fd is not None:
            if self._fd >= 0:
                os.close(self._fd)
            self._fd = None


def lost_players(db, now, after_s: float = LOST_AFTER_S, *, alive: tuple[str, ...] = ()) -> list[str]:
    """Players whose heartbeat stopped ``after_s`` ago without a goodbye: a fault per zone
    ("zone lobby: player lost") and their airings back to the queue (the leader runs this). ``alive``:
    players known to run without asking the database (the leader's own, in its process)."""
    lost = []
    with db.session() as s:
        for status in s.scalars(select(PlayerStatus).where(PlayerStatus.stopped.is_(False),
                                                           PlayerStatus.name.not_in(alive),
                                                           PlayerStatus.heartbeat_at < now - timedelta(seconds=after_s))):
            for zone in status.zones:
                logs.raise_fault(s, "player_lost", f"zone {zone}: player {status.name} lost (no heartbeat since "
                                 f"{status.heartbeat_at:%H:%M:%S} UTC)", zone=zone)
            outcomes.release(s, status.name, status.heartbeat_at, "player lost")
            status.stopped = True
            lost.append(status.name)
    return lost
