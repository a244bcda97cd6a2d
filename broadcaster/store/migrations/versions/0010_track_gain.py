"""playlist tracks keep the gain measured when they were imported (replay-gain style)

Revision ID: 0010_track_gain
Revises: 0009_merge
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_track_gain"
down_revision = "0009_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("playlist_tracks") as t:
        t.add_column(sa.Column("gain_db", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("playlist_tracks") as t:
        t.drop_column("gain_db")
