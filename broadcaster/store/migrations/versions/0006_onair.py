"""on-air path: airings (the broadcast queue), zone players, media shared by hash, as-run pieces;
the change counters and pages' engine item ids go (airings replace them)

Revision ID: 0006_onair
Revises: 0005_change_counters
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_onair"
down_revision = "0005_change_counters"
branch_labels = None
depends_on = None

WATCHED = ("faults", "person_cases")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "airings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("pieces", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("not_before", UTC, nullable=True),
        sa.Column("not_after", UTC, nullable=True),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("requested_at", UTC, nullable=False),
        sa.Column("player", sa.String(80), nullable=True),
        sa.Column("claimed_at", UTC, nullable=True),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("resumable", sa.Boolean(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_airings")),
        sa.UniqueConstraint("key", name=op.f("uq_airings_key")),
    )
    op.create_index("ix_airings_queue", "airings", ["state", "zone", "priority"])
    op.create_index(op.f("ix_airings_ref"), "airings", ["ref"])
    op.create_index(op.f("ix_airings_player"), "airings", ["player"])
    op.create_table(
        "players",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("host", sa.String(120), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("heartbeat_at", UTC, nullable=False),
        sa.Column("now", sa.JSON(), nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_players")),
    )
    op.create_table(
        "media_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("ext", sa.String(8), nullable=False),
        sa.Column("by_samples", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media_blobs")),
    )
    with op.batch_alter_table("as_run") as batch:
        batch.add_column(sa.Column("airing_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pieces", sa.JSON(), nullable=True))
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("playout_item_id")
    if op.get_bind().dialect.name == "postgresql":
        for t in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_changed ON {t}")
        op.execute("DROP FUNCTION IF EXISTS pa_bump_change_counter()")
    else:
        for t in WATCHED:
            for ev in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_changed_{ev}")
    op.drop_table("change_counters")


def downgrade() -> None:
    raise NotImplementedError("0006_onair cannot be undone: restore the backup taken before the upgrade")
