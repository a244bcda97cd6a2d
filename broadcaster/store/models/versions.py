"""Versions of an announcement: each approved version is kept (its audio by hash, who approved it), and
an edit of an announcement whose approval is in force writes a pending version while the approved one
keeps airing until the new one is approved (see :mod:`broadcaster.announcements.versions`)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import User, enum_col


class VersionState(str, enum.Enum):
    PENDING = "pending"  # written, not yet approved (the announcement's state says draft/submitted/rejected)
    APPROVED = "approved"  # the version in force: its audio is what airs
    REPLACED = "replaced"  # was approved; a newer version was approved since


class AnnouncementVersion(Base):
    __tablename__ = "announcement_versions"
    __table_args__ = (UniqueConstraint("announcement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[VersionState] = mapped_column(enum_col(VersionState, "version_state"),
                                                default=VersionState.PENDING)
    title: Mapped[str] = mapped_column(String(200), default="")
    texts: Mapped[list] = mapped_column(JSON, default=list)  # [[lang, text], ...]
    editors: Mapped[list] = mapped_column(JSON, default=list)  # ids of the users who wrote this version
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    audio: Mapped[str | None] = mapped_column(String(500), default=None)
    engines: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    approved_by: Mapped[User | None] = relationship(lazy="joined")
