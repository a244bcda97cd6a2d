"""Merge the desk's case archives (0007) and announcement versions (0008), written side by side.

Revision ID: 0009_merge
"""
from __future__ import annotations

revision = "0009_merge"
down_revision = ("0007_desk_cases", "0008_versions")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
