"""A venue word may be an accessory ("с рюкзаком"): the word_kind CHECK allows it, and the rows kept
until now as kind "top" marked ``forms["accessory"]`` take the kind.

Revision ID: 0016_word_accessory
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_word_accessory"
down_revision = "0015_track_loudness"
branch_labels = None
depends_on = None

OLD = ("colour", "top", "bottom", "shoes")
words = sa.table("venue_words", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                 sa.column("forms", sa.JSON))


def _kind(*extra: str) -> sa.Enum:
    return sa.Enum(*OLD, *extra, name="word_kind", native_enum=False, length=32, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table("venue_words") as t:
        t.alter_column("kind", type_=_kind("accessory"), existing_type=_kind(), existing_nullable=False)
    bind = op.get_bind()
    for row in bind.execute(sa.select(words.c.id, words.c.forms)).all():
        forms = dict(row.forms or {})
        if forms.pop("accessory", None):
            bind.execute(words.update().where(words.c.id == row.id).values(kind="accessory", forms=forms))


def downgrade() -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(words.c.id, words.c.forms).where(words.c.kind == "accessory")).all():
        bind.execute(words.update().where(words.c.id == row.id).values(kind="top",
                                                                        forms={**(row.forms or {}), "accessory": True}))
    with op.batch_alter_table("venue_words") as t:
        t.alter_column("kind", type_=_kind(), existing_type=_kind("accessory"), existing_nullable=False)
