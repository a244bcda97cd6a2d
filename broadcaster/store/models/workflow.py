"""Announcements and their approval, state history, the as-run log and the fault log."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import User, enum_col


class AnnouncementKind(str, enum.Enum):
    SCRIPT = "script"
    RECORDING = "recording"


class AnnouncementState(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    QUEUED = "queued"
    AIRING = "airing"
    AIRED = "aired"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    EXPIRED = "expired"


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AnnouncementKind] = mapped_column(enum_col(AnnouncementKind, "announcement_kind"))
    state: Mapped[AnnouncementState] = mapped_column(enum_col(AnnouncementState, "announcement_state"),
                                                     default=AnnouncementState.DRAFT, index=True)
    priority: Mapped[int] = mapped_column(default=50)
    zones: Mapped[list] = mapped_column(JSON, default=lambda: ["main"])
    chime: Mapped[str] = mapped_column(String(32), default="announcement")
    valid_from: Mapped[datetime | None] = mapped_column(default=None)
    valid_until: Mapped[datetime | None] = mapped_column(default=None)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recording_path: Mapped[str | None] = mapped_column(String(500), default=None)
    recording_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    retry_count: Mapped[int] = mapped_column(default=0)
    max_retries: Mapped[int] = mapped_column(default=3)
    reject_reason: Mapped[str | None] = mapped_column(Text, default=None)
    approved_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_audio: Mapped[str | None] = mapped_column(String(500), default=None)
    approved_engines: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
    texts: Mapped[list["AnnouncementText"]] = relationship(
        back_populates="announcement", order_by="AnnouncementText.position", cascade="all, delete-orphan",
        lazy="selectin")

    def parts(self) -> list[tuple[str, str]]:
        return [(t.lang, t.text) for t in self.texts]


class AnnouncementText(Base):
    __tablename__ = "announcement_texts"
    __table_args__ = (UniqueConstraint("announcement_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)

    announcement: Mapped[Announcement] = relationship(back_populates="texts")


class StateChange(Base):
    __tablename__ = "announcement_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32), default=None)
    to_state: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship(lazy="joined")


class Decision(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Approval(Base):
    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    decision: Mapped[Decision] = mapped_column(enum_col(Decision, "decision"))
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(lazy="joined")


class AsRun(Base):
    """What aired: one row per item per zone per airing attempt."""

    __tablename__ = "as_run"
    __table_args__ = (Index("ix_as_run_started", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)  # "announcement:12", "page:3", "programme:2"
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    zone: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(32), default="airing")  # airing completed interrupted failed
    engines: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[str] = mapped_column(String(80), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    airing_id: Mapped[int | None] = mapped_column(default=None)
    pieces: Mapped[list | None] = mapped_column(JSON, default=None)  # what aired, piece by piece


class FaultState(str, enum.Enum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Fault(Base):
    __tablename__ = "faults"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # device_lost tts_down hash_mismatch escalation
    message: Mapped[str] = mapped_column(Text)
    zone: Mapped[str | None] = mapped_column(String(64), default=None)
    ref: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[FaultState] = mapped_column(enum_col(FaultState, "fault_state"), default=FaultState.RAISED,
                                              index=True)
    occurrences: Mapped[int] = mapped_column(default=1)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")

    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id], lazy="joined")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="joined")
