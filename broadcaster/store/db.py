"""Persistence: SQLAlchemy 2.0 declarative base, engine and sessions, Alembic upgrade.

Default store is a SQLite file in ``var/``; any SQLAlchemy URL works (``PA_DATABASE_URL``).
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROOT = Path(__file__).resolve().parent.parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; always returns aware UTC datetimes (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def default_url() -> str:
    url = os.environ.get("PA_DATABASE_URL")
    if url:
        return url
    var = Path(os.environ.get("PA_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'broadcaster.sqlite3'}"


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Writer:
    """One writer at a time on a SQLite file, waiting in line instead of polling.

    SQLite lets one connection write; the others sleep and retry (1, 2, 5 ... 100 ms), so under load
    they wake late and in no order. Here a writer first takes this process's lock (threads wait in
    the kernel and wake as soon as it is free), then an ``flock`` on ``<database>-writer`` that every
    process shares, polled every 0.2-2 ms by the one thread per process in line for it. Taken before
    a transaction's first INSERT/UPDATE/DELETE, given back when it commits or rolls back. Waits end
    after ``timeout`` like SQLite's own ("database is locked"), so a mistake can never hang."""

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        import threading

        self.timeout = timeout
        self._lock = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self) -> None:
        import fcntl
        import sqlite3

        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            pause = 0.0002  # only this process's next writer waits here: short polls, never a hang
            while True:
                if self._fd is None:
                    raise sqlite3.OperationalError("database closed")
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            self._lock.release()
            raise

    def release(self) -> None:
        import fcntl

        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def close(self) -> None:
        """Closing the file gives back the flock too."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _writer_connection_class():
    import sqlite3

    class WriterConnection(sqlite3.Connection):
        """A sqlite3 connection that gives its Writer turn back when its transaction ends."""

        writer: Writer | None = None
        holding = False

        def take_turn(self) -> None:
            if not self.holding and self.writer is not None:
                self.writer.acquire()
                self.holding = True

        def _end_turn(self) -> None:
            if self.holding:
                self.holding = False
                self.writer.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._end_turn()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._end_turn()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._end_turn()

    return WriterConnection


def make_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    kw: dict = {"future": True}
    path = None
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        kw["connect_args"] = {"check_same_thread": False, "timeout": 30}
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = database
            kw["connect_args"]["factory"] = _writer_connection_class()
    engine = create_engine(url, **kw)
    if url.startswith("sqlite"):
        writer = Writer(path + "-writer") if path else None
        engine.pa_writer = writer  # Database.dispose closes it

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _rec):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            if writer is not None:
                dbapi_conn.writer = writer

        if writer is not None:
            @event.listens_for(engine, "before_cursor_execute")
            def _take_turn(conn, cursor, statement, parameters, context, executemany):
                if statement.lstrip()[:7].upper().startswith(WRITES):
                    conn.connection.dbapi_connection.take_turn()

    return engine


class Database:
    """Engine + session factory. ``with db.session() as s:`` commits on success, rolls back on error."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            upgrade(self.engine)

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
        self.engine.dispose()
        writer = getattr(self.engine, "pa_writer", None)
        if writer is not None:
            writer.close()


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["connection_engine"] = engine
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` with Alembic (never drops data)."""
    from alembic import command

    import broadcaster.store.models  # noqa: F401  (register every table on Base.metadata)

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
