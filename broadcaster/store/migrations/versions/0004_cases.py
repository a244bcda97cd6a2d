"""desk: missing-person cases, timeline, page templates, pages, escalations, lost property, follow-ups

Revision ID: 0004_cases
Revises: 0001_users
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import broadcaster.store.models.base

revision = "0004_cases"
down_revision = "0001_users"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "number_counters",
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "day", name=op.f("pk_number_counters")),
    )
    op.create_table(
        "person_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", _enum("case_kind", "missing", "found"), nullable=False),
        sa.Column("state", _enum("case_state", "open", "paged", "escalated", "found", "reunited", "closed"),
                  nullable=False),
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("person_name", sa.String(length=120), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("height", sa.String(length=40), nullable=True),
        sa.Column("hair", sa.String(length=120), nullable=True),
        sa.Column("clothing", sa.String(length=200), nullable=True),
        sa.Column("shoes", sa.String(length=120), nullable=True),
        sa.Column("last_seen_place", sa.String(length=120), nullable=True),
        sa.Column("last_seen_at", UTC(), nullable=True),
        sa.Column("reporter_name", sa.String(length=120), nullable=True),
        sa.Column("reporter_contact", sa.String(length=120), nullable=True),
        sa.Column("meeting_point", sa.String(length=120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("first_paged_at", UTC(), nullable=True),
        sa.Column("escalated_at", UTC(), nullable=True),
        sa.Column("found_at", UTC(), nullable=True),
        sa.Column("reunited_at", UTC(), nullable=True),
        sa.Column("closed_at", UTC(), nullable=True),
        _fk("person_cases", "created_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_person_cases_number")),
    )
    op.create_index(op.f("ix_person_cases_state"), "person_cases", ["state"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        _fk("case_events", "case_id", "person_cases"),
        _fk("case_events", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)

    op.create_table(
        "page_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("purpose", _enum("template_purpose", "missing", "found", "all_clear", "security",
                                   "lost_property"), nullable=False),
        sa.Column("audience", _enum("template_audience", "child", "adult", "any"), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("status", _enum("template_status", "pending", "approved", "retired"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTC(), nullable=True),
        _fk("page_templates", "created_by_id", "users"),
        _fk("page_templates", "approved_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_page_templates_key")),
    )

    op.create_table(
        "lost_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("state", _enum("lost_item_state", "stored", "claimed", "handed_over"), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("colour", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("where_found", sa.String(length=120), nullable=False),
        sa.Column("found_at", UTC(), nullable=False),
        sa.Column("finder", sa.String(length=120), nullable=False),
        sa.Column("storage_place", sa.String(length=120), nullable=False),
        sa.Column("photo_path", sa.String(length=255), nullable=True),
        sa.Column("valuable", sa.Boolean(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        _fk("lost_items", "registered_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_items")),
        sa.UniqueConstraint("number", name=op.f("uq_lost_items_number")),
    )
    op.create_index(op.f("ix_lost_items_state"), "lost_items", ["state"], unique=False)

    op.create_table(
        "lost_item_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("owner_identity", sa.String(length=120), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=False),
        sa.Column("claimed_at", UTC(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.Column("handed_over_at", UTC(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        _fk("lost_item_claims", "item_id", "lost_items"),
        _fk("lost_item_claims", "recorded_by_id", "users"),
        _fk("lost_item_claims", "handed_over_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_item_claims")),
        sa.UniqueConstraint("item_id", name=op.f("uq_lost_item_claims_item_id")),
    )

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("lost_item_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("purpose", _enum("page_purpose", "missing", "found", "all_clear", "security",
                                   "lost_property"), nullable=False),
        sa.Column("status", _enum("page_status", "pending_approval", "active", "done", "cancelled",
                                  "rejected"), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("extra_text", sa.Text(), nullable=True),
        sa.Column("zones", sa.String(length=120), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("max_repeats", sa.Integer(), nullable=False),
        sa.Column("times_queued", sa.Integer(), nullable=False),
        sa.Column("times_aired", sa.Integer(), nullable=False),
        sa.Column("first_queued_at", UTC(), nullable=True),
        sa.Column("next_due_at", UTC(), nullable=True),
        sa.Column("playout_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTC(), nullable=True),
        _fk("pages", "case_id", "person_cases"),
        _fk("pages", "lost_item_id", "lost_items"),
        _fk("pages", "template_id", "page_templates"),
        _fk("pages", "created_by_id", "users"),
        _fk("pages", "approved_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
    )
    op.create_index(op.f("ix_pages_case_id"), "pages", ["case_id"], unique=False)
    op.create_index(op.f("ix_pages_status"), "pages", ["status"], unique=False)

    op.create_table(
        "case_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("security_page_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", UTC(), nullable=True),
        _fk("case_escalations", "case_id", "person_cases"),
        _fk("case_escalations", "security_page_id", "pages"),
        _fk("case_escalations", "acknowledged_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_escalations")),
    )
    op.create_index(op.f("ix_case_escalations_case_id"), "case_escalations", ["case_id"], unique=False)

    op.create_table(
        "case_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("called_by_id", sa.Integer(), nullable=False),
        sa.Column("called_at", UTC(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("recorded_at", UTC(), nullable=False),
        _fk("case_follow_ups", "case_id", "person_cases"),
        _fk("case_follow_ups", "called_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_follow_ups")),
    )
    op.create_index(op.f("ix_case_follow_ups_case_id"), "case_follow_ups", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_follow_ups_case_id"), table_name="case_follow_ups")
    op.drop_table("case_follow_ups")
    op.drop_index(op.f("ix_case_escalations_case_id"), table_name="case_escalations")
    op.drop_table("case_escalations")
    op.drop_index(op.f("ix_pages_status"), table_name="pages")
    op.drop_index(op.f("ix_pages_case_id"), table_name="pages")
    op.drop_table("pages")
    op.drop_table("lost_item_claims")
    op.drop_index(op.f("ix_lost_items_state"), table_name="lost_items")
    op.drop_table("lost_items")
    op.drop_table("page_templates")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index(op.f("ix_person_cases_state"), table_name="person_cases")
    op.drop_table("person_cases")
    op.drop_table("number_counters")
