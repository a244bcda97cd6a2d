"""desk case work: complaints and their history, visitor-injury incidents and their steps, follow-up
visits of every case kind, shift handovers and their checklist lines

Revision ID: 0007_desk_cases
Revises: 0006_onair
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

import broadcaster.store.models.base

revision = "0007_desk_cases"
down_revision = "0006_onair"
branch_labels = None
depends_on = None

UTC = broadcaster.store.models.base.UTCDateTime


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("state", _enum("complaint_state", "received", "in_handling", "answered", "followed_up",
                                 "closed"), nullable=False),
        sa.Column("channel", _enum("complaint_channel", "in_person", "phone", "letter", "email"), nullable=False),
        sa.Column("category", _enum("complaint_category", "service_attitude", "cleanliness", "safety_hazard",
                                    "facility", "other"), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("visitor_name", sa.String(120), nullable=True),
        sa.Column("visitor_contact", sa.String(120), nullable=True),
        sa.Column("visitor_request", sa.Text(), nullable=False),
        sa.Column("department", sa.String(120), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("received_at", UTC(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", UTC(), nullable=True),
        sa.Column("closed_at", UTC(), nullable=True),
        sa.Column("escalation_closed_at", UTC(), nullable=True),
        sa.Column("escalation_closed_by_id", sa.Integer(), nullable=True),
        sa.Column("escalation_note", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        _fk("complaints", "received_by_id", "users"),
        _fk("complaints", "escalation_closed_by_id", "users"),
        _pk("complaints"),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    op.create_index(op.f("ix_complaints_state"), "complaints", ["state"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        _fk("complaint_events", "complaint_id", "complaints"),
        _fk("complaint_events", "user_id", "users"),
        _pk("complaint_events"),
    )
    op.create_index(op.f("ix_complaint_events_complaint_id"), "complaint_events", ["complaint_id"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("state", _enum("incident_state", "reported", "first_aid", "ambulance", "hospital", "follow_up",
                                 "claim", "closed"), nullable=False),
        sa.Column("visitor_name", sa.String(120), nullable=True),
        sa.Column("visitor_contact", sa.String(120), nullable=True),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("occurred_at", UTC(), nullable=False),
        sa.Column("injury", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("closed_at", UTC(), nullable=True),
        _fk("incidents", "reported_by_id", "users"),
        _pk("incidents"),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    op.create_index(op.f("ix_incidents_state"), "incidents", ["state"])
    op.create_table(
        "incident_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        _fk("incident_steps", "incident_id", "incidents"),
        _fk("incident_steps", "user_id", "users"),
        _pk("incident_steps"),
    )
    op.create_index(op.f("ix_incident_steps_incident_id"), "incident_steps", ["incident_id"])
    op.create_table(
        "follow_up_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_kind", sa.String(16), nullable=False),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("scheduled_at", UTC(), nullable=False),
        sa.Column("done_at", UTC(), nullable=True),
        sa.Column("visited_by_id", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("attitude", sa.Integer(), nullable=True),
        sa.Column("timeliness", sa.Integer(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        _fk("follow_up_visits", "visited_by_id", "users"),
        _pk("follow_up_visits"),
    )
    op.create_index("ix_follow_up_visits_case", "follow_up_visits", ["case_kind", "case_number"])
    op.create_index(op.f("ix_follow_up_visits_due_at"), "follow_up_visits", ["due_at"])
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift", sa.String(60), nullable=False),
        sa.Column("open_cases", sa.Text(), nullable=False),
        sa.Column("items_held", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("outgoing_id", sa.Integer(), nullable=False),
        sa.Column("outgoing_signed_at", UTC(), nullable=True),
        sa.Column("incoming_id", sa.Integer(), nullable=True),
        sa.Column("incoming_signed_at", UTC(), nullable=True),
        _fk("handovers", "outgoing_id", "users"),
        _fk("handovers", "incoming_id", "users"),
        _pk("handovers"),
    )
    op.create_table(
        "handover_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(40), nullable=False),
        sa.Column("by_system", sa.Boolean(), nullable=False),
        sa.Column("result", _enum("check_result", "ok", "cross"), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("airing_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", UTC(), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        _fk("handover_checks", "handover_id", "handovers"),
        _fk("handover_checks", "checked_by_id", "users"),
        _pk("handover_checks"),
    )
    op.create_index(op.f("ix_handover_checks_handover_id"), "handover_checks", ["handover_id"])


def downgrade() -> None:
    for index, table in (("ix_handover_checks_handover_id", "handover_checks"),
                         ("ix_follow_up_visits_due_at", "follow_up_visits"),
                         ("ix_follow_up_visits_case", "follow_up_visits"),
                         ("ix_incident_steps_incident_id", "incident_steps"), ("ix_incidents_state", "incidents"),
                         ("ix_complaint_events_complaint_id", "complaint_events"),
                         ("ix_complaints_state", "complaints")):
        op.drop_index(index, table_name=table)
    for table in ("handover_checks", "handovers", "follow_up_visits", "incident_steps", "incidents",
                  "complaint_events", "complaints"):
        op.drop_table(table)
