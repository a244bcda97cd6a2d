"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and upgrading an existing database keeps its data."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import broadcaster.models  # noqa: F401
from broadcaster.db import Base, Database, upgrade


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
    from broadcaster.models.core import Role, User

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
