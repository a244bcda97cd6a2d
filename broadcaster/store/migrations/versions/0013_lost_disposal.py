"""lost property: the "disposed" state and the disposal record; venue words for the desk's pick-lists

Revision ID: 0013_lost_disposal
Revises: 0010_track_gain
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0013_lost_disposal"
down_revision = "0010_track_gain"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime
OLD_STATES = ("stored", "claimed", "handed_over")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def _states(*extra: str) -> sa.Enum:
    return _enum("lost_item_state", *OLD_STATES, *extra)


def upgrade() -> None:
    with op.batch_alter_table("lost_items") as t:
        t.alter_column("state", type_=_states("disposed"), existing_type=_states(), existing_nullable=False)
    op.create_table(
        "lost_item_disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("method", _enum("disposal_method", "police", "donated", "destroyed", "returned_to_finder"),
                  nullable=False),
        sa.Column("handled_by", sa.String(120), nullable=False),
        sa.Column("disposed_at", UTC(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["lost_items.id"], name=op.f("fk_lost_item_disposals_item_id_lost_items")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_lost_item_disposals_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_item_disposals")),
        sa.UniqueConstraint("item_id", name=op.f("uq_lost_item_disposals_item_id")),
    )
    op.create_table(
        "venue_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("word_kind", "colour", "top", "bottom", "shoes"), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("retired_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_venue_words_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_words")),
        sa.UniqueConstraint("key", name=op.f("uq_venue_words_key")),
    )


def downgrade() -> None:
    op.drop_table("venue_words")
    op.drop_table("lost_item_disposals")
    op.execute("UPDATE lost_items SET state = 'stored' WHERE state = 'disposed'")
    with op.batch_alter_table("lost_items") as t:
        t.alter_column("state", type_=_states(), existing_type=_states("disposed"), existing_nullable=False)
