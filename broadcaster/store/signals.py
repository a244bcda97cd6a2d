"""Wake-ups through the database engine itself.

A writer calls ``db.signals.send(session, "airings")`` inside its transaction. When the transaction
commits, the listeners of this process are called at once (in memory), and on PostgreSQL a
``NOTIFY`` (sent in the same transaction, so it is delivered only if the work was committed) wakes the
listeners of every other process on every machine (``LISTEN`` on one connection per process).

On SQLite there is no NOTIFY: work written by another process (the desk CLI) is found by the
listeners' own short poll (zone players poll an index every 200 ms). A signal may name topics (the
zones of the airings written), so that of 200 zone players only those of the zones concerned wake; it
carries no other data: the work is always in the tables, so a lost signal costs at most one poll.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Callable, Iterable

from sqlalchemy import event, text

log = logging.getLogger(__name__)
_PREFIX = "pa_"


class Signals:
    def __init__(self, engine, factory) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self._listeners: dict[str, list[tuple[Callable[[], None], frozenset | None]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        event.listen(factory, "after_commit", self._after_commit)

    # -- sending -----------------------------------------------------------------------------------
    def send(self, s, channel: str, topics: Iterable[str] = ()) -> None:
        """Wake ``channel``'s listeners when ``s`` commits (here at once, elsewhere by NOTIFY): those of
        ``topics`` (e.g. zones), or every listener when no topic is given."""
        sent = s.info.setdefault("pa_signals", {})
        topics = set(topics) or {""}
        new = topics - sent.setdefault(channel, set())
        if "" in sent[channel] or not new:
            return
        sent[channel] |= new
        if self.pg:
            for topic in sorted(new):
                s.execute(text("SELECT pg_notify(:c, :t)"), {"c": _PREFIX + channel, "t": topic})

    def _after_commit(self, s) -> None:
        if s.in_nested_transaction():  # a savepoint released (SQLAlchemy calls this then too): not committed yet
            return
        for channel, topics in s.info.pop("pa_signals", {}).items():
            self._fire(channel, topics)

    def _fire(self, channel: str, topics: set[str]) -> None:
        with self._lock:
            callbacks = [cb for cb, mine in self._listeners.get(channel, ())
                         if mine is None or "" in topics or mine & topics]
        for cb in callbacks:
            try:
                cb()
            except Exception:
                log.exception("listener of %s failed", channel)

    # -- listening ---------------------------------------------------------------------------------
    def listen(self, channel: str, callback: Callable[[], None], topics: Iterable[str] | None = None) -> None:
        """Call ``callback()`` (from any thread; keep it short, e.g. set an Event) after each commit that
        signalled ``channel`` (for one of ``topics``, when given), in this process or (PostgreSQL) any other."""
        with self._lock:
            self._listeners[channel].append((callback, None if topics is None else frozenset(topics)))
            if self.pg and self._thread is None:  # (it takes the lock only once it has connected)
                self._thread = threading.Thread(target=self._listen_loop, name="pg-listen", daemon=True)
                self._thread.start()

    def unlisten(self, channel: str, callback: Callable[[], None]) -> None:
        with self._lock:
            self._listeners[channel] = [(cb, t) for cb, t in self._listeners.get(channel, ()) if cb != callback]

    def _listen_loop(self) -> None:
        """One connection per process LISTENs; a lost connection is re-opened (and everything woken,
        since notifications may have been missed meanwhile)."""
        import time

        import psycopg

        from broadcaster.store.reach import PG_CONNECT, Outage

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        outage = Outage(log, "LISTEN")  # the database away: one line when it goes, one when it is back
        while not self._closed:
            try:
                with psycopg.connect(url, autocommit=True, **PG_CONNECT) as conn:
                    outage.ok()
                    channels: list[str] = []
                    while not self._closed:
                        with self._lock:  # at first all, then listeners added since: subscribed on this thread
                            more = [c for c in self._listeners if c not in channels]
                        for channel in more:
                            conn.execute(f'LISTEN "{_PREFIX}{channel}"')
                        if not channels:  # (re)connected: every channel woken
                            for channel in more:
                                self._fire(channel, {""})
                        channels += more
                        for note in conn.notifies(timeout=0.5):
                            self._fire(note.channel[len(_PREFIX):], {note.payload})
            except Exception as exc:
                if self._closed:
                    return
                if not outage.failed(exc):
                    log.warning("LISTEN connection lost (%s); retrying", exc, exc_info=True)
                time.sleep(0.5)

    def close(self) -> None:
        self._closed = True
