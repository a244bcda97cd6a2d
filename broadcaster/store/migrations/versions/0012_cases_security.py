"""desk case work: the handover with security at the venue's fixed hours; follow-up visits may record
that the visitor could not be reached

Revision ID: 0012_cases_security
Revises: 0010_track_gain
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0012_cases_security"
down_revision = "0010_track_gain"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "security_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("desk_user_id", sa.Integer(), nullable=False),
        sa.Column("officer", sa.String(120), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["desk_user_id"], ["users.id"],
                                name=op.f("fk_security_handovers_desk_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_handovers")),
        sa.UniqueConstraint("due_at", name=op.f("uq_security_handovers_due_at")),
    )
    with op.batch_alter_table("follow_up_visits") as t:
        t.add_column(sa.Column("unreachable", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("follow_up_visits") as t:
        t.drop_column("unreachable")
    op.drop_table("security_handovers")
