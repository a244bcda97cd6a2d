"""Desk tables: missing-person cases and their timeline, page templates, pages, escalations,
lost property (items and claims), follow-up calls, and the per-day numbering counters."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import User, enum_col


class CaseKind(str, enum.Enum):
    MISSING = "missing"  # a guardian reports someone lost: the description is paged
    FOUND = "found"      # staff found a child: the guardian is paged to the meeting point


class CaseState(str, enum.Enum):
    OPEN = "open"
    PAGED = "paged"
    ESCALATED = "escalated"
    FOUND = "found"
    REUNITED = "reunited"
    CLOSED = "closed"


class TemplateAudience(str, enum.Enum):
    CHILD = "child"
    ADULT = "adult"
    ANY = "any"


class TemplatePurpose(str, enum.Enum):
    MISSING = "missing"
    FOUND = "found"
    ALL_CLEAR = "all_clear"
    SECURITY = "security"
    LOST_PROPERTY = "lost_property"


class TemplateStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    RETIRED = "retired"


class PageStatus(str, enum.Enum):
    PENDING_APPROVAL = "pending_approval"  # free text added: a supervisor must approve it
    ACTIVE = "active"                      # airing / repeating
    DONE = "done"                          # all repeats queued
    CANCELLED = "cancelled"                # case resolved or page withdrawn
    REJECTED = "rejected"


class LostItemState(str, enum.Enum):
    STORED = "stored"
    CLAIMED = "claimed"
    HANDED_OVER = "handed_over"
    DISPOSED = "disposed"  # held past the retention period, then disposed of (models.keeping)


class NumberCounter(Base):
    """Last serial handed out per numbering series and venue-local day."""

    __tablename__ = "number_counters"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, venue-local
    last: Mapped[int] = mapped_column(Integer)


class PersonCase(Base):
    __tablename__ = "person_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[CaseKind] = mapped_column(enum_col(CaseKind, "case_kind"))
    state: Mapped[CaseState] = mapped_column(enum_col(CaseState, "case_state"), index=True)
    is_child: Mapped[bool] = mapped_column(default=False)
    person_name: Mapped[str | None] = mapped_column(String(120), default=None)
    age: Mapped[int | None] = mapped_column(default=None)
    sex: Mapped[str | None] = mapped_column(String(16), default=None)
    height: Mapped[str | None] = mapped_column(String(40), default=None)
    hair: Mapped[str | None] = mapped_column(String(120), default=None)
    clothing: Mapped[str | None] = mapped_column(String(200), default=None)
    shoes: Mapped[str | None] = mapped_column(String(120), default=None)
    last_seen_place: Mapped[str | None] = mapped_column(String(120), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    reporter_name: Mapped[str | None] = mapped_column(String(120), default=None)
    reporter_contact: Mapped[str | None] = mapped_column(String(120), default=None)
    meeting_point: Mapped[str | None] = mapped_column(String(120), default=None)
    #: A detail the desk gave in each page language (one the service cannot translate): field -> {lang: text}
    wording: Mapped[dict | None] = mapped_column(JSON, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(Text, default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_paged_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    found_at: Mapped[datetime | None] = mapped_column(default=None)
    reunited_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    created_by: Mapped[User] = relationship()
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")


class CaseEvent(Base):
    """Timeline: who did what to a case, and when."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("person_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32), default=None)
    to_state: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[PersonCase] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class PageTemplate(Base):
    """Pre-approved bilingual page text with placeholders. A template not yet approved is edited in place;
    a new wording for an approved one waits in ``draft_texts`` while the approved wording airs, until a
    supervisor other than its author approves it (then it is the next version) or sets it aside."""

    __tablename__ = "page_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[TemplatePurpose] = mapped_column(enum_col(TemplatePurpose, "template_purpose"))
    audience: Mapped[TemplateAudience] = mapped_column(enum_col(TemplateAudience, "template_audience"))
    texts: Mapped[dict] = mapped_column(JSON)  # language tag -> text, in airing order
    status: Mapped[TemplateStatus] = mapped_column(enum_col(TemplateStatus, "template_status"))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    draft_texts: Mapped[dict | None] = mapped_column(JSON, default=None)  # the new wording waiting
    draft_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    draft_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def wording(self) -> dict:
        """The wording being worked on: the new one waiting, else the one on air."""
        return self.draft_texts if self.draft_texts is not None else self.texts


class LostItem(Base):
    __tablename__ = "lost_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[LostItemState] = mapped_column(enum_col(LostItemState, "lost_item_state"), index=True)
    category: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str | None] = mapped_column(String(40), default=None)
    description: Mapped[str] = mapped_column(Text, default="")  # staff only, never aired
    where_found: Mapped[str] = mapped_column(String(120))
    found_at: Mapped[datetime]
    finder: Mapped[str] = mapped_column(String(120))
    storage_place: Mapped[str] = mapped_column(String(120))
    photo_path: Mapped[str | None] = mapped_column(String(255), default=None)
    valuable: Mapped[bool] = mapped_column(default=False)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped["LostItemClaim | None"] = relationship(back_populates="item")
    disposal = relationship("LostItemDisposal", back_populates="item", uselist=False)  # models.keeping


class LostItemClaim(Base):
    """The owner's claim (identity + how it was verified) and the hand-over record."""

    __tablename__ = "lost_item_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lost_items.id"), unique=True)
    owner_name: Mapped[str] = mapped_column(String(120))
    owner_identity: Mapped[str] = mapped_column(String(120))  # ID document number or contact
    owner_contact: Mapped[str | None] = mapped_column(String(120), default=None)  # the phone the follow-up calls
    verification_note: Mapped[str] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    handed_over_at: Mapped[datetime | None] = mapped_column(default=None)
    signature: Mapped[str | None] = mapped_column(Text, default=None)  # signature / witness text

    item: Mapped[LostItem] = relationship(back_populates="claim")


class Page(Base):
    """One page (about a case or a lost item) and its repeat plan."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("person_cases.id"), index=True, default=None)
    lost_item_id: Mapped[int | None] = mapped_column(ForeignKey("lost_items.id"), default=None)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("page_templates.id"), default=None)
    purpose: Mapped[TemplatePurpose] = mapped_column(enum_col(TemplatePurpose, "page_purpose"))
    status: Mapped[PageStatus] = mapped_column(enum_col(PageStatus, "page_status"), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    texts: Mapped[dict] = mapped_column(JSON)  # language tag -> final text
    extra_text: Mapped[str | None] = mapped_column(Text, default=None)
    zones: Mapped[str] = mapped_column(String(120), default="main")  # comma separated
    interval_s: Mapped[int] = mapped_column(Integer, default=180)
    max_repeats: Mapped[int] = mapped_column(Integer, default=0)  # 0: until its case is resolved
    times_queued: Mapped[int] = mapped_column(Integer, default=0)
    times_aired: Mapped[int] = mapped_column(Integer, default=0)
    first_queued_at: Mapped[datetime | None] = mapped_column(default=None)
    next_due_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)


class Escalation(Base):
    """A case still unresolved after the escalation delay: an alert for supervisors."""

    __tablename__ = "case_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("person_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    security_page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), default=None)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)


class FollowUp(Base):
    """The return visit (回访) after a case is closed: who called, when, and the outcome."""

    __tablename__ = "case_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("person_cases.id"), index=True)
    called_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    called_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(Text)
    satisfied: Mapped[bool | None] = mapped_column(default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "CaseEvent", "CaseKind", "CaseState", "Escalation", "FollowUp", "LostItem", "LostItemClaim",
    "LostItemState", "NumberCounter", "Page", "PageStatus", "PageTemplate", "PersonCase",
    "TemplateAudience", "TemplatePurpose", "TemplateStatus",
]
