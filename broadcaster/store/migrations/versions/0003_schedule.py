"""playlists, programmes, schedule rules, closed days, missed slots

Revision ID: 0003_schedule
Revises: 0001_users
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import broadcaster.store.models.base

revision = "0003_schedule"
down_revision = "0001_users"
branch_labels = None
depends_on = None  # announcement ids are validated in the service, no FK to 0002_workflow


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def upgrade() -> None:
    op.create_table(
        "playlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("shuffle", sa.Boolean(), nullable=False),
        sa.Column("crossfade_s", sa.Double(), nullable=False),
        sa.Column("created_at", broadcaster.store.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlists")),
        sa.UniqueConstraint("name", name=op.f("uq_playlists_name")),
    )
    op.create_table(
        "playlist_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("duration", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["playlist_id"], ["playlists.id"], ondelete="CASCADE",
                                name=op.f("fk_playlist_tracks_playlist_id_playlists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_tracks")),
        sa.UniqueConstraint("playlist_id", "position", name=op.f("uq_playlist_tracks_playlist_id")),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("zones", sa.String(length=255), nullable=False),
        sa.Column("background", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", broadcaster.store.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_programmes_name")),
    )
    op.create_table(
        "programme_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("item_kind", "announcement", "recording", "playlist", "silence", "chime"),
                  nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=1024), nullable=True),
        sa.Column("playlist_id", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=True),
        sa.Column("chime", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["playlist_id"], ["playlists.id"], ondelete="RESTRICT",
                                name=op.f("fk_programme_items_playlist_id_playlists")),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="CASCADE",
                                name=op.f("fk_programme_items_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_items")),
        sa.UniqueConstraint("programme_id", "position", name=op.f("uq_programme_items_programme_id")),
    )
    op.create_table(
        "schedule_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("rule_kind", "weekly", "daily", "interval", "once"), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=True),
        sa.Column("days", sa.String(length=32), nullable=False),
        sa.Column("every_minutes", sa.Integer(), nullable=True),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("except_dates", sa.Text(), nullable=False),
        sa.Column("zones", sa.String(length=255), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("created_at", broadcaster.store.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_rules_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_rules")),
    )
    op.create_table(
        "closed_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_closed_days")),
    )
    op.create_table(
        "missed_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_uid", sa.String(length=64), nullable=False),
        sa.Column("slot_at", broadcaster.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("programme_name", sa.String(length=120), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("detected_at", broadcaster.store.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="SET NULL",
                                name=op.f("fk_missed_slots_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_slots")),
        sa.UniqueConstraint("slot_uid", name=op.f("uq_missed_slots_slot_uid")),
    )
    op.create_table(
        "schedule_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_schedule_settings")),
    )


def downgrade() -> None:
    for table in ("schedule_settings", "missed_slots", "closed_days", "schedule_rules", "programme_items",
                  "programmes", "playlist_tracks", "playlists"):
        op.drop_table(table)
