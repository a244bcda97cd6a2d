"""Persistence: SQLAlchemy 2.0 declarative base, engine and sessions, Alembic upgrade.

Default store is a SQLite file in ``var/``; any SQLAlchemy URL works (``PA_DATABASE_URL``).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    url = os.environ.get("PA_DATABASE_URL")
    if url:
        return url
    var = Path(os.environ.get("PA_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'broadcaster.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    kw: dict = {"future": True}
    if url.startswith("sqlite"):
        # one box: SQLite's own busy wait (up to 30 s) lets the desk CLI write beside the service; the
        # writers of this process take turns through WriterTurn instead (see there)
        kw["connect_args"] = {"check_same_thread": False, "timeout": BUSY_S, "factory": _TurnTaking}
        if ":memory:" not in url:  # the panel's threads and the player keep their connections
            kw.update(pool_size=20, max_overflow=20)
    else:  # a pooled connection that a server restart (or a failover) ended is replaced before use
        kw["pool_pre_ping"] = True
    engine = create_engine(url, **kw)
    if url.startswith("sqlite"):
        wal = [":memory:" in url]  # WAL is a property of the file: set once, not by every connection

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _rec):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not wal[0]:
                cur.execute("PRAGMA journal_mode=WAL")
                wal[0] = True
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "before_cursor_execute")
        def _writer_turn(_conn, cursor, statement, _params, _context, _many):
            if statement.lstrip()[:6].upper() in _WRITES:
                cursor.connection.take_turn()

    return engine


BUSY_S = 30
_WRITES = {"INSERT", "UPDATE", "DELETE", "REPLAC"}


class WriterTurn:
    """The writers of one process over one SQLite file take turns here, not in SQLite's busy wait.

    SQLite lets one connection write at a time; a connection that finds the file locked sleeps and
    retries (1, 2, 5, 10, ... up to 100 ms between tries), so under a burst of desks the waits, not the
    writes, made up most of a page's time to air. A connection takes the turn at its first write
    statement (pysqlite opens the transaction there too) and hands it back the moment its transaction
    commits or rolls back, waking the next writer at once. Threads marked with :func:`airs_first` (the
    zone players: what they write is what airs next) go before the others that wait. Another process
    (the desk CLI) still meets SQLite's own busy wait. A writer that cannot get the turn in ``BUSY_S``
    goes on without it, and SQLite refuses it as before ("database is locked")."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._held = False
        self._first = 0  # on-air writers waiting

    def take(self) -> bool:
        first = getattr(_thread, "airs_first", False)
        deadline = time.monotonic() + BUSY_S
        with self._cond:
            self._first += first
            try:
                while self._held or (self._first and not first):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
                self._held = True
                return True
            finally:
                self._first -= first

    def give_back(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


_thread = threading.local()


def airs_first() -> None:
    """Mark this thread's writes as the on-air path's: it takes the writer's turn before the panel's."""
    _thread.airs_first = True


_TURNS: dict[str, WriterTurn] = {}
_TURNS_LOCK = threading.Lock()


def _turn_for(path: str) -> WriterTurn:
    """The turn of the SQLite file at ``path`` (each in-memory database is its own)."""
    if path == ":memory:" or path.startswith("file:"):
        return WriterTurn()
    with _TURNS_LOCK:
        return _TURNS.setdefault(os.path.realpath(path), WriterTurn())


def holds_write_turn(dbapi_connection) -> bool:
    """Does this DB-API connection hold its SQLite file's :class:`WriterTurn` (its transaction has
    written)? Always False on PostgreSQL."""
    return getattr(dbapi_connection, "_holding", False)


class _TurnTaking(sqlite3.Connection):
    """A pysqlite connection that holds its file's :class:`WriterTurn` from its first write statement
    until its transaction ends."""

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._turn = _turn_for(str(database))
        self._holding = False

    def take_turn(self) -> None:
        if not self._holding:
            self._holding = self._turn.take()

    def _give_back(self) -> None:
        if self._holding:
            self._holding = False
            self._turn.give_back()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()


class Database:
    """Engine + session factory. ``with db.session() as s:`` commits on success, rolls back on error."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        from broadcaster.store.signals import Signals

        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self.signals = Signals(self.engine, self._factory)
        if migrate:
            upgrade(self.engine)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        self.signals.close()
        self.engine.dispose()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` with Alembic (never drops data), on a connection of ``engine``
    (migrations/env.py runs on the one it is handed)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
