"""A case keeps the details the desk gave in each page language (a place or clothing the service cannot
translate, typed once per language), so a page never says words of one language inside another's text.
Cases stored before keep none (their details are said as typed).

Revision ID: 0024_case_wording
Revises: 0023_music_progress
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_case_wording"
down_revision = "0023_music_progress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_cases") as t:
        t.add_column(sa.Column("wording", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_cases") as t:
        t.drop_column("wording")
