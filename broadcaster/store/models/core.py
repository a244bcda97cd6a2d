"""Core tables: users and roles. (Announcements, approval, as-run and faults live beside them.)"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base


class Role(str, enum.Enum):
    BROADCASTER = "broadcaster"
    SUPERVISOR = "supervisor"
    DESK = "desk"
    ADMIN = "admin"


def enum_col(e: type[enum.Enum], name: str) -> Enum:
    """Store an Enum by its value, as a VARCHAR with a CHECK (portable SQLite/PostgreSQL)."""
    return Enum(e, name=name, native_enum=False, validate_strings=True, length=32,
                values_callable=lambda cls: [m.value for m in cls])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(enum_col(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def can(self, *roles: Role) -> bool:
        """True if this user is active and holds one of ``roles`` (admin holds every role)."""
        return self.active and (self.role is Role.ADMIN or self.role in roles)

    def __repr__(self) -> str:
        return f"<User {self.name} ({self.role.value})>"
