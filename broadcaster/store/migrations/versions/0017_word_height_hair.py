"""A venue word may be a height band ("about 100-120 cm") or a description of hair ("short black hair"):
the word_kind CHECK allows them. Cases keep their height and hair columns: a picked word is stored there
by its key, what was typed before stays as typed.

Revision ID: 0017_word_height_hair
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_word_height_hair"
down_revision = "0016_word_accessory"
branch_labels = None
depends_on = None

OLD = ("colour", "top", "bottom", "shoes", "accessory")
words = sa.table("venue_words", sa.column("kind", sa.String))


def _kind(*extra: str) -> sa.Enum:
    return sa.Enum(*OLD, *extra, name="word_kind", native_enum=False, length=32, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table("venue_words") as t:
        t.alter_column("kind", type_=_kind("height", "hair"), existing_type=_kind(), existing_nullable=False)


def downgrade() -> None:
    # The venue's height and hair words go; a case that picked one keeps its key as its text.
    op.get_bind().execute(words.delete().where(words.c.kind.in_(("height", "hair"))))
    with op.batch_alter_table("venue_words") as t:
        t.alter_column("kind", type_=_kind(), existing_type=_kind("height", "hair"), existing_nullable=False)
