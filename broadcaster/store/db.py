"""Persistence: SQLAlchemy 2.0 declarative base, engine and sessions, Alembic upgrade.

Default store is a SQLite file in ``var/``; any SQLAlchemy URL works (``PA_DATABASE_URL``).
"""
from __future__ import annotations

import os
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from broadcaster.store.reach import PG_CONNECT

ROOT = Path(__file__).resolve().parent.parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    url = os.environ.get("PA_DATABASE_URL")
    if url:
        return url
    var = Path(os.environ.get("PA_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'broadcaster.sqlite3'}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql"):  # a pooled connection a server restart (or a failover) ended is replaced first
        return create_engine(url, future=True, pool_pre_ping=True, connect_args=dict(PG_CONNECT))
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_pre_ping=True)
    # one box: the writers (the service's threads, the desk CLI) take turns in SQLite's own busy wait
    kw: dict = {"future": True, "connect_args": {"check_same_thread": False, "timeout": BUSY_S}}
    if ":memory:" not in url:  # the panel's threads and the player keep their connections
        kw.update(pool_size=20, max_overflow=20)
    engine = create_engine(url, **kw)
    if ":memory:" not in url:  # WAL is a property of the file: set once (by the engine's first connection)
        event.listen(engine, "first_connect", lambda dbapi_conn, _rec: dbapi_conn.execute("PRAGMA journal_mode=WAL"))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _rec):  # pragma: no cover - trivial
        dbapi_conn.execute("PRAGMA foreign_keys=ON")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
    return engine


BUSY_S = 30
_OPEN: "weakref.WeakValueDictionary[str, Database]" = weakref.WeakValueDictionary()


def opened(url: str) -> "Database | None":
    """A Database this process has open on ``url`` (the last one opened), if any: where the functions
    called without one (the venue settings) find the process's store."""
    return _OPEN.get(url)


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
        _OPEN[self.url] = self

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
        if _OPEN.get(self.url) is self:
            del _OPEN[self.url]
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
