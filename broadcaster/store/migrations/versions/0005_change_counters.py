"""change counters: a counter per watched table, bumped by triggers on every insert, update, delete

Revision ID: 0005_change_counters
Revises: 0002_workflow, 0003_schedule, 0004_cases
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_change_counters"
down_revision = ("0002_workflow", "0003_schedule", "0004_cases")
branch_labels = None
depends_on = None

WATCHED = ("faults", "person_cases")
EVENTS = ("INSERT", "UPDATE", "DELETE")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pa_bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(sa.table("change_counters", sa.column("name", sa.String), sa.column("n", sa.BigInteger)),
                   [{"name": t, "n": 0} for t in WATCHED])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for t in WATCHED:
            op.execute(f"CREATE TRIGGER {t}_changed AFTER INSERT OR UPDATE OR DELETE ON {t} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION pa_bump_change_counter()")
    else:  # SQLite: row triggers only
        for t in WATCHED:
            for ev in EVENTS:
                op.execute(f"CREATE TRIGGER {t}_changed_{ev.lower()} AFTER {ev} ON {t} BEGIN "
                           f"UPDATE change_counters SET n = n + 1 WHERE name = '{t}'; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for t in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_changed ON {t}")
        op.execute("DROP FUNCTION IF EXISTS pa_bump_change_counter()")
    else:
        for t in WATCHED:
            for ev in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {t}_changed_{ev.lower()}")
    op.drop_table("change_counters")
