"""The air logger's completed files (bytes in media_blobs by their hash) and each airing's place in them
in sample time, so the panel plays back what a player on any machine aired.

Revision ID: 0018_airlog_files
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0018_airlog_files"
down_revision = "0017_word_height_hair"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "airlog_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("player", sa.String(80), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("run", sa.String(32), nullable=False),
        sa.Column("first", sa.BigInteger(), nullable=False),
        sa.Column("frames", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("ended_at", UTC(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airlog_files")),
    )
    op.create_index("ix_airlog_files_run", "airlog_files", ["run", "first"])
    op.create_index("ix_airlog_files_zone", "airlog_files", ["zone", "ended_at"])
    op.create_table(
        "airlog_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("airing_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("run", sa.String(32), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("end", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airlog_marks")),
    )
    op.create_index(op.f("ix_airlog_marks_airing_id"), "airlog_marks", ["airing_id"])


def downgrade() -> None:
    # The stored files' bytes stay in media_blobs only while a file row names them: they go too.
    bind = op.get_bind()
    files = sa.table("airlog_files", sa.column("sha256", sa.String))
    blobs = sa.table("media_blobs", sa.column("sha256", sa.String))
    bind.execute(blobs.delete().where(blobs.c.sha256.in_(sa.select(files.c.sha256))))
    op.drop_index(op.f("ix_airlog_marks_airing_id"), table_name="airlog_marks")
    op.drop_table("airlog_marks")
    op.drop_index("ix_airlog_files_zone", table_name="airlog_files")
    op.drop_index("ix_airlog_files_run", table_name="airlog_files")
    op.drop_table("airlog_files")
