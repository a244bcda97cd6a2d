"""The venue settings move into the database (they were ``var/settings.json``, one file per machine):
one row every machine reads, with a version a process compares to adopt a change saved elsewhere. A
venue's existing file is imported by broadcaster.settings at its first read, not here (the migration
does not know which machine's var/ holds it).

Revision ID: 0022_venue_settings
Revises: 0021_recording_levels
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0022_venue_settings"
down_revision = "0021_recording_levels"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "venue_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("saved_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_settings")),
    )


def downgrade() -> None:
    op.drop_table("venue_settings")
