"""Merge the sessions and audit log (0011), the security handover and unreachable visits (0012) and
lost-property disposal with the venue's words (0013), written side by side.

Revision ID: 0014_merge
"""
from __future__ import annotations

revision = "0014_merge"
down_revision = ("0011_sessions_audit", "0012_cases_security", "0013_lost_disposal")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
