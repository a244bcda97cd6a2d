"""Wake-ups through the database engine itself.

A writer calls ``db.signals.send(session, "airings")`` inside its transaction. When the transaction
commits, the listeners of this process are called at once (in memory), and on PostgreSQL a
``NOTIFY`` (sent in the same transaction, so it is delivered only if the work was committed) wakes the
listeners of every other process on every machine (``LISTEN`` on one connection per process).

On SQLite there is no NOTIFY: work written by another process (the desk CLI) is found by the
listeners' own short poll (zone players poll an index every 200 ms). A signal carries no data: the
work is always in the tables, so a lost signal costs at most one poll.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Callable

from sqlalchemy import event, text

log = logging.getLogger(__name__)
_PREFIX = "pa_"


class Signals:
    def __init__(self, engine, factory) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self._listeners: dict[str, list[Callable[[], None]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        event.listen(factory, "after_commit", self._after_commit)

    # -- sending -----------------------------------------------------------------------------------
    def send(self, s, channel: str) -> None:
        """Wake ``channel``'s listeners when ``s`` commits (here at once, elsewhere by NOTIFY)."""
        sent = s.info.setdefault("pa_signals", set())
        if channel in sent:
            return
        sent.add(channel)
        if self.pg:
            s.execute(text("SELECT pg_notify(:c, '')"), {"c": _PREFIX + channel})

    def _after_commit(self, s) -> None:
        if s.in_nested_transaction():  # a savepoint released (SQLAlchemy calls this then too): not committed yet
            return
        for channel in s.info.pop("pa_signals", ()):
            self._fire(channel)

    def _fire(self, channel: str) -> None:
        with self._lock:
            callbacks = list(self._listeners.get(channel, ()))
        for cb in callbacks:
            try:
                cb()
            except Exception:
                log.exception("listener of %s failed", channel)

    # -- listening ---------------------------------------------------------------------------------
    def listen(self, channel: str, callback: Callable[[], None]) -> None:
        """Call ``callback()`` (from any thread; keep it short, e.g. set an Event) after each commit that
        signalled ``channel``, in this process or (PostgreSQL) any other."""
        with self._lock:
            self._listeners[channel].append(callback)
            new = self.pg and self._thread is None
            if new:
                self._thread = threading.Thread(target=self._listen_loop, name="pg-listen", daemon=True)
        if new:
            self._thread.start()

    def unlisten(self, channel: str, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._listeners.get(channel, ()):
                self._listeners[channel].remove(callback)

    def _subscribe(self, conn, channels) -> None:
        for c in channels:
            conn.execute(f'LISTEN "{_PREFIX}{c}"')

    def _listen_loop(self) -> None:
        """One connection per process LISTENs; a lost connection is re-opened (and everything woken,
        since notifications may have been missed meanwhile)."""
        import time

        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._closed:
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    with self._lock:
                        channels = list(self._listeners)
                    self._subscribe(conn, channels)
                    for channel in channels:
                        self._fire(channel)
                    while not self._closed:
                        with self._lock:
                            more = [c for c in self._listeners if c not in channels]
                        if more:  # listeners added since: subscribed here, on this thread
                            self._subscribe(conn, more)
                            channels += more
                        for note in conn.notifies(timeout=0.5):
                            self._fire(note.channel[len(_PREFIX):])
            except Exception as exc:
                if self._closed:
                    return
                log.warning("LISTEN connection lost (%s); retrying", exc)
                time.sleep(0.5)

    def close(self) -> None:
        self._closed = True
