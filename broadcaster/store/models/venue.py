"""The venue settings (broadcaster.settings): one row every process on every machine reads, so a change
saved on any panel or CLI is the one the leader, the players' machines and the other panels use."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from broadcaster.store.models.base import Base

ROW_ID = 1  # the venue's only row


class StoredSettings(Base):
    """What was saved (a JSON object of the settings that differ from the defaults or were ever set);
    ``version`` goes up by one at each save: a process compares it with the one it read to adopt a
    change saved elsewhere (one read by primary key)."""

    __tablename__ = "venue_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime]
