"""The visitor-centre desk's other case work: complaints (投诉) and their history, visitor-injury
incidents (意外伤害) and their steps, follow-up visits (回访) of every case kind, shift handovers
(交接班) with their checklist lines, and the handovers with security at fixed hours."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import User, enum_col


class ComplaintChannel(str, enum.Enum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"


class ComplaintCategory(str, enum.Enum):
    SERVICE_ATTITUDE = "service_attitude"
    CLEANLINESS = "cleanliness"
    SAFETY_HAZARD = "safety_hazard"
    FACILITY = "facility"
    OTHER = "other"


class ComplaintState(str, enum.Enum):
    RECEIVED = "received"
    IN_HANDLING = "in_handling"
    ANSWERED = "answered"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"


class IncidentState(str, enum.Enum):
    REPORTED = "reported"
    FIRST_AID = "first_aid"
    AMBULANCE = "ambulance"
    HOSPITAL = "hospital"
    FOLLOW_UP = "follow_up"
    CLAIM = "claim"
    CLOSED = "closed"


class CheckResult(str, enum.Enum):
    OK = "ok"        # ticked (√)
    CROSS = "cross"  # crossed (×): needs an explanation before the handover is signed


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[ComplaintState] = mapped_column(enum_col(ComplaintState, "complaint_state"), index=True)
    channel: Mapped[ComplaintChannel] = mapped_column(enum_col(ComplaintChannel, "complaint_channel"))
    category: Mapped[ComplaintCategory] = mapped_column(enum_col(ComplaintCategory, "complaint_category"))
    matter: Mapped[str] = mapped_column(Text)
    visitor_name: Mapped[str | None] = mapped_column(String(120), default=None)
    visitor_contact: Mapped[str | None] = mapped_column(String(120), default=None)
    visitor_request: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str | None] = mapped_column(String(120), default=None)
    result: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime]
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    escalation_closed_at: Mapped[datetime | None] = mapped_column(default=None)
    escalation_closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    escalation_note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    escalation_closed_by: Mapped[User | None] = relationship(foreign_keys=[escalation_closed_by_id])
    events: Mapped[list["ComplaintEvent"]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(Base):
    """A complaint's history: receipt, each state change, each handling step, the escalation closed."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32), default=None)
    to_state: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class Incident(Base):
    """A visitor injury: report, first aid / ambulance, hospital, follow-up, claim, closed."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[IncidentState] = mapped_column(enum_col(IncidentState, "incident_state"), index=True)
    visitor_name: Mapped[str | None] = mapped_column(String(120), default=None)
    visitor_contact: Mapped[str | None] = mapped_column(String(120), default=None)
    place: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime]
    injury: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text, default=None)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    reported_by: Mapped[User] = relationship()
    steps: Mapped[list["IncidentStep"]] = relationship(back_populates="incident", order_by="IncidentStep.id")


class IncidentStep(Base):
    __tablename__ = "incident_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="steps")
    user: Mapped[User] = relationship()


class FollowUpVisit(Base):
    """A return visit (回访) of a case of any kind: when it is due, and what the visitor said."""

    __tablename__ = "follow_up_visits"
    __table_args__ = (Index("ix_follow_up_visits_case", "case_kind", "case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_kind: Mapped[str] = mapped_column(String(16))    # complaint incident person lost_item
    case_number: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(index=True)
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    satisfaction: Mapped[int | None] = mapped_column(default=None)  # with the result, 1-5
    attitude: Mapped[int | None] = mapped_column(default=None)      # staff attitude, 1-5
    timeliness: Mapped[int | None] = mapped_column(default=None)    # 1-5
    remarks: Mapped[str] = mapped_column(Text, default="")
    #: a call that did not reach the visitor: no scores; the visit stays due and is tried again
    unreachable: Mapped[bool] = mapped_column(default=False, server_default=false())

    visited_by: Mapped[User | None] = relationship()


class Handover(Base):
    """A shift handover: open cases, items held, notes and a checklist, signed by both sides."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift: Mapped[str] = mapped_column(String(60))
    open_cases: Mapped[str] = mapped_column(Text, default="")
    items_held: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outgoing_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outgoing_signed_at: Mapped[datetime | None] = mapped_column(default=None)
    incoming_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    incoming_signed_at: Mapped[datetime | None] = mapped_column(default=None)

    outgoing: Mapped[User] = relationship(foreign_keys=[outgoing_id])
    incoming: Mapped[User | None] = relationship(foreign_keys=[incoming_id])
    checks: Mapped[list["HandoverCheck"]] = relationship(back_populates="handover", order_by="HandoverCheck.id")


class HandoverCheck(Base):
    """One checklist line: ticked or crossed (by staff, or by the system for the PA lines)."""

    __tablename__ = "handover_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    line: Mapped[str] = mapped_column(String(40))      # e.g. "player:lobby", "speech:en", "tone:main", "keys"
    by_system: Mapped[bool] = mapped_column(default=False)
    result: Mapped[CheckResult | None] = mapped_column(enum_col(CheckResult, "check_result"), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")        # what the system found
    explanation: Mapped[str] = mapped_column(Text, default="")   # why a cross is acceptable / what was done
    airing_id: Mapped[int | None] = mapped_column(default=None)  # the test tone's airing
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    handover: Mapped[Handover] = relationship(back_populates="checks")


class SecurityHandover(Base):
    """The handover with security (与保安部交接) at one of the venue's fixed hours: who from the desk, the
    security officer's name, the cases and items handed over, notes. One record per fixed hour."""

    __tablename__ = "security_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    due_at: Mapped[datetime] = mapped_column(unique=True)   # the fixed hour it answers
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    desk_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    officer: Mapped[str] = mapped_column(String(120))
    items: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    desk_user: Mapped[User] = relationship()


__all__ = [
    "CheckResult", "Complaint", "ComplaintCategory", "ComplaintChannel", "ComplaintEvent", "ComplaintState",
    "FollowUpVisit", "Handover", "HandoverCheck", "Incident", "IncidentState", "IncidentStep", "SecurityHandover",
]
