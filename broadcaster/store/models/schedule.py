"""Schedule tables: playlists, programmes and their items, schedule rules, closed days, missed slots, the
programme recordings' measured gains."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import enum_col


class ItemKind(str, enum.Enum):
    ANNOUNCEMENT = "announcement"
    RECORDING = "recording"
    PLAYLIST = "playlist"
    SILENCE = "silence"
    CHIME = "chime"


class RuleKind(str, enum.Enum):
    WEEKLY = "weekly"
    DAILY = "daily"
    INTERVAL = "interval"
    ONCE = "once"


class PlaylistRecord(Base):
    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    shuffle: Mapped[bool] = mapped_column(default=False)
    crossfade_s: Mapped[float] = mapped_column(default=3.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tracks: Mapped[list["PlaylistTrack"]] = relationship(
        back_populates="playlist", order_by="PlaylistTrack.position", cascade="all, delete-orphan")


class PlaylistTrack(Base):
    __tablename__ = "playlist_tracks"
    __table_args__ = (UniqueConstraint("playlist_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    position: Mapped[int]
    path: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(String(255))
    duration: Mapped[float]
    gain_db: Mapped[float | None] = mapped_column(default=None)  # measured at import (None: plays as it is)
    lufs: Mapped[float | None] = mapped_column(default=None)  # integrated loudness measured (None: not yet)
    peak_dbtp: Mapped[float | None] = mapped_column(default=None)  # true peak measured (None: not yet)
    playlist: Mapped[PlaylistRecord] = relationship(back_populates="tracks")


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    priority: Mapped[int] = mapped_column(default=30)
    zones: Mapped[str] = mapped_column(String(255), default="main")  # comma-separated
    background: Mapped[bool] = mapped_column(default=False)  # the default music that fills silence
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    items: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="programme", order_by="ProgrammeItem.position", cascade="all, delete-orphan")

    @property
    def zone_list(self) -> tuple[str, ...]:
        return tuple(z for z in self.zones.split(",") if z)


class ProgrammeItem(Base):
    __tablename__ = "programme_items"
    __table_args__ = (UniqueConstraint("programme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(enum_col(ItemKind, "item_kind"))
    # announcements live in 0002_workflow; no FK so this area migrates on its own (validated in the service)
    announcement_id: Mapped[int | None] = mapped_column(default=None)
    path: Mapped[str | None] = mapped_column(String(1024), default=None)
    playlist_id: Mapped[int | None] = mapped_column(ForeignKey("playlists.id", ondelete="RESTRICT"), default=None)
    seconds: Mapped[float | None] = mapped_column(default=None)  # silence length / playlist limit
    chime: Mapped[str | None] = mapped_column(String(32), default=None)
    programme: Mapped[Programme] = relationship(back_populates="items")


class RecordingLevel(Base):
    """A programme recording's gain to a loudness target through the true-peak limiter, measured once
    for its content (the sha256 of the file's bytes) and that target (LUFS, to 0.01)."""

    __tablename__ = "recording_levels"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_lufs: Mapped[float] = mapped_column(primary_key=True)
    gain_db: Mapped[float | None] = mapped_column(default=None)  # None: silence (it plays as it is)
    path: Mapped[str] = mapped_column(String(1024), default="")  # where it was measured (for the operator)
    measured_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleRule(Base):
    __tablename__ = "schedule_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    kind: Mapped[RuleKind] = mapped_column(enum_col(RuleKind, "rule_kind"))
    at_time: Mapped[time | None] = mapped_column(Time(), default=None)
    days: Mapped[str] = mapped_column(String(32), default="")  # "mon,wed"
    every_minutes: Mapped[int | None] = mapped_column(default=None)
    window_start: Mapped[time | None] = mapped_column(Time(), default=None)
    window_end: Mapped[time | None] = mapped_column(Time(), default=None)
    on_date: Mapped[date | None] = mapped_column(Date(), default=None)
    start_date: Mapped[date | None] = mapped_column(Date(), default=None)
    end_date: Mapped[date | None] = mapped_column(Date(), default=None)
    except_dates: Mapped[str] = mapped_column(Text(), default="")  # ISO dates, comma-separated
    zones: Mapped[str | None] = mapped_column(String(255), default=None)  # overrides the programme's
    priority: Mapped[int | None] = mapped_column(default=None)  # overrides the programme's
    length_s: Mapped[float | None] = mapped_column(default=None)  # its slots' length (None: the programme's)
    enabled: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(255), default="")  # e.g. "ics:<UID>"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    programme: Mapped[Programme] = relationship()


class ClosedDay(Base):
    __tablename__ = "closed_days"

    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    reason: Mapped[str] = mapped_column(String(255), default="")


class MissedSlot(Base):
    __tablename__ = "missed_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_uid: Mapped[str] = mapped_column(String(64), unique=True)
    slot_at: Mapped[datetime]
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"), default=None)
    programme_name: Mapped[str] = mapped_column(String(120))
    rule_id: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(String(500))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleSetting(Base):
    """Key/value: venue time zone, scheduler heartbeat."""

    __tablename__ = "schedule_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
