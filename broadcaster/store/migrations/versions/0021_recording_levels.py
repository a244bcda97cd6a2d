"""Programme recordings keep their measured gain (to the venue's loudness target through the true-peak
limiter) by the sha256 of their bytes and the target, so it is measured once, not after every restart.

Revision ID: 0021_recording_levels
Revises: 0020_claim_contact
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0021_recording_levels"
down_revision = "0020_claim_contact"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "recording_levels",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("target_lufs", sa.Float(), nullable=False),
        sa.Column("gain_db", sa.Float(), nullable=True),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("measured_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "target_lufs", name=op.f("pk_recording_levels")),
    )


def downgrade() -> None:
    op.drop_table("recording_levels")
