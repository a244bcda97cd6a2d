"""Alembic environment: runs against the connection handed in by broadcaster.store.db.upgrade, or a URL."""
from alembic import context
from sqlalchemy import create_engine

import broadcaster.store.models  # noqa: F401
from broadcaster.store.db import default_url
from broadcaster.store.models.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or default_url())
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
