"""announcement versions: an approved version keeps airing while an edit awaits approval

Revision ID: 0008_versions
Revises: 0006_onair
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

import broadcaster.store.models.base

revision = "0008_versions"
down_revision = "0006_onair"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "announcement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("pending", "approved", "replaced", name="version_state", native_enum=False,
                                   length=32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("editors", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("audio", sa.String(500), nullable=True),
        sa.Column("engines", sa.String(200), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTC(timezone=True), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcements.id"], ondelete="CASCADE",
                                name=op.f("fk_announcement_versions_announcement_id_announcements")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"],
                                name=op.f("fk_announcement_versions_approved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_versions")),
        sa.UniqueConstraint("announcement_id", "number", name=op.f("uq_announcement_versions_announcement_id")),
    )
    op.create_index(op.f("ix_announcement_versions_announcement_id"), "announcement_versions", ["announcement_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_announcement_versions_announcement_id"), table_name="announcement_versions")
    op.drop_table("announcement_versions")
