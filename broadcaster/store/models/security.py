"""Security tables: log-in sessions kept on the server, failed log-ins (the throttle) and the audit log
of security events. Every panel process reads the same rows, so a logout or a lock-out holds in all."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base


class LoginSession(Base):
    """One log-in in one browser. The browser's signed cookie holds a random token; only its SHA-256 is
    stored. Ended at logout, after the venue's idle time, or when the password changes."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_why: Mapped[str | None] = mapped_column(String(20), default=None)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A wrong user name or password (form or API): counted per account and per address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    account: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class AuditEvent(Base):
    """A security event: who (``actor``) did what (``kind``) to which account or item, when, from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(80), default="", index=True)
    account: Mapped[str] = mapped_column(String(80), default="", index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
