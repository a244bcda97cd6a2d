"""A lost item's claim keeps the owner's phone apart from their identity document, so the follow-up call
list shows a number to call and never the ID number. Claims made before keep no phone (shown as "–").

Revision ID: 0020_claim_contact
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_claim_contact"
down_revision = "0019_template_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lost_item_claims") as t:
        t.add_column(sa.Column("owner_contact", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lost_item_claims") as t:
        t.drop_column("owner_contact")
