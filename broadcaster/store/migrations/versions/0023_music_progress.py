"""A music airing's progress: the track it airs and the second within it, written by its player with
its heartbeat, so a player that claims it after a restart (or another player of the zone) carries on
there instead of from the playlist's first track.

Revision ID: 0023_music_progress
Revises: 0022_venue_settings
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_music_progress"
down_revision = "0022_venue_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("airings") as t:
        t.add_column(sa.Column("progress", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("airings") as t:
        t.drop_column("progress")
