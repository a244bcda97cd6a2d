"""playlist tracks keep their measured loudness (integrated LUFS and true peak, NULL: not measured
yet, filled by ``broadcaster music measure``); a schedule rule may give its slots a length of their own

Revision ID: 0015_track_loudness
Revises: 0014_merge
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_track_loudness"
down_revision = "0014_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("playlist_tracks") as t:
        t.add_column(sa.Column("lufs", sa.Float(), nullable=True))
        t.add_column(sa.Column("peak_dbtp", sa.Float(), nullable=True))
    with op.batch_alter_table("schedule_rules") as t:
        t.add_column(sa.Column("length_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_rules") as t:
        t.drop_column("length_s")
    with op.batch_alter_table("playlist_tracks") as t:
        t.drop_column("peak_dbtp")
        t.drop_column("lufs")
