"""The air logger's files and marks in the database, so the panel plays back what any machine aired.

A zone player's air logger counts the samples it writes (a ``run`` names one logger's count). Each
completed hourly file is stored in ``media_blobs`` by the sha256 of its bytes, with the stretch of the
count it holds (:class:`AirLogFile`); each item that airs gets the count at its first sample and after
its last (:class:`AirMark`). An as-run row finds its audio by sample time, never by wall-clock sums."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base


class AirLogFile(Base):
    """One completed hourly file of a zone's air log (Ogg Opus; 16-bit FLAC from older versions: ``name``
    and the blob's ``ext`` say which), its bytes in ``media_blobs`` (``sha256``)."""

    __tablename__ = "airlog_files"
    __table_args__ = (Index("ix_airlog_files_run", "run", "first"), Index("ix_airlog_files_zone", "zone", "ended_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    zone: Mapped[str] = mapped_column(String(64))
    player: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))   # "2026-11-26/090000.opus" on the player's machine
    run: Mapped[str] = mapped_column(String(32))    # the logger whose sample count ``first`` counts in
    first: Mapped[int] = mapped_column(BigInteger)  # the file's first sample in that count
    frames: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))  # of the file's bytes
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class AirMark(Base):
    """Where one airing of an item sits in its zone's air log: samples ``start`` .. ``end`` of logger
    ``run``'s count (``end`` is None until the item ended). Found from an as-run row by its airing and
    the moment it started."""

    __tablename__ = "airlog_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    airing_id: Mapped[int] = mapped_column(index=True)
    zone: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column()
    run: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int | None] = mapped_column(BigInteger, default=None)
