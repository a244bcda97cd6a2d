"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and upgrading an existing database keeps its data."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import broadcaster.store.models  # noqa: F401
from broadcaster.store.db import Database, upgrade
from broadcaster.store.models.base import Base


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(ctx, Base.metadata)
    # APScheduler keeps its own job table beside ours; it is not part of our models.
    return [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]


def test_sqlite_schema_matches_models(db):
    assert _diff(db.engine) == []


def test_postgres_schema_matches_models(pg_db):
    assert pg_db.engine.dialect.name == "postgresql"
    assert _diff(pg_db.engine) == []


def test_upgrade_is_idempotent_and_keeps_data(tmp_path):
    from broadcaster.store.models.core import Role, User

    url = f"sqlite:///{tmp_path / 'keep.sqlite3'}"
    first = Database(url)
    with first.session() as s:
        s.add(User(name="amy", role=Role.BROADCASTER))
    first.dispose()
    again = Database(url)
    upgrade(again.engine)
    with again.session() as s:
        assert [u.name for u in s.scalars(sa.select(User))] == ["amy"]
    again.dispose()


def test_sqlite_writers_take_turns_across_processes(tmp_path):
    """Two engines on one file stand for two processes (the service and the desk CLI): a second writer
    waits (SQLite's own busy wait) for the first to commit, and both writes are kept."""
    import threading
    import time

    from broadcaster.store.models.core import Role, User

    url = f"sqlite:///{tmp_path / 'turns.sqlite3'}"
    a, b = Database(url), Database(url, migrate=False)
    order = []
    with a.session() as s:
        s.add(User(name="amy", role=Role.BROADCASTER))
        s.flush()  # a holds the write turn until it commits
        done = threading.Event()

        def other():
            with b.session() as s2:
                s2.add(User(name="bob", role=Role.BROADCASTER))
                s2.flush()
                order.append("b wrote")
            done.set()

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.2)
        assert not done.is_set()  # b waits for a's commit
        order.append("a commits")
    t.join(5)
    assert order == ["a commits", "b wrote"]

    with a.session() as s:
        assert sorted(u.name for u in s.scalars(sa.select(User))) == ["amy", "bob"]
    a.dispose()
    b.dispose()
