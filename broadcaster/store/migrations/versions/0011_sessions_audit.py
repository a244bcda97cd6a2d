"""log-in sessions kept on the server, failed log-ins counted per account and address, the audit log of
security events

Revision ID: 0011_sessions_audit
Revises: 0010_track_gain
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0011_sessions_audit"
down_revision = "0010_track_gain"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("last_seen_at", UTC(), nullable=False),
        sa.Column("ended_at", UTC(), nullable=True),
        sa.Column("ended_why", sa.String(20), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    for col in ("at", "account", "address"):
        op.create_index(op.f(f"ix_login_failures_{col}"), "login_failures", [col])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    for col in ("at", "kind", "actor", "account"):
        op.create_index(op.f(f"ix_audit_events_{col}"), "audit_events", [col])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("login_failures")
    op.drop_table("login_sessions")
