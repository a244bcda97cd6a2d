"""A page template's new wording waits beside the approved one: the approved wording keeps airing until a
supervisor approves the new one (a venue never goes without its lost-child page while a change waits).

Revision ID: 0019_template_drafts
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broadcaster.store.models.base

revision = "0019_template_drafts"
down_revision = "0018_airlog_files"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("page_templates") as t:
        t.add_column(sa.Column("draft_texts", sa.JSON(), nullable=True))
        t.add_column(sa.Column("draft_by_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("draft_at", UTC(), nullable=True))
        t.create_foreign_key(op.f("fk_page_templates_draft_by_id_users"), "users", ["draft_by_id"], ["id"])


def downgrade() -> None:
    # A wording still waiting is dropped: the approved wording is what airs, as before the upgrade.
    with op.batch_alter_table("page_templates") as t:
        t.drop_constraint(op.f("fk_page_templates_draft_by_id_users"), type_="foreignkey")
        t.drop_column("draft_at")
        t.drop_column("draft_by_id")
        t.drop_column("draft_texts")
