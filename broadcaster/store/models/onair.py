"""The broadcast queue: airings (what to air, where, how urgent, and what became of it), the zone players
that claim and air them, and media shared by content hash with players on other machines."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broadcaster.clock import utcnow
from broadcaster.store.models.base import Base
from broadcaster.store.models.core import enum_col


class AiringState(str, enum.Enum):
    QUEUED = "queued"            # waiting for its zone's player (claimed or not)
    AIRING = "airing"            # its first sample went out
    DONE = "done"                # aired to the end
    INTERRUPTED = "interrupted"  # cut too often, or its player died while airing it and it was not re-queued
    FAILED = "failed"            # refused (hash mismatch, no longer approved) or could not be rendered
    EXPIRED = "expired"          # its not-after passed before it could air
    CANCELLED = "cancelled"      # taken off the air by staff or by the case being resolved


OPEN_STATES = (AiringState.QUEUED, AiringState.AIRING)


class Airing(Base):
    """One item for one zone. Services only ever write these rows; zone players claim them.

    ``pieces`` says exactly what airs, in order (JSON list): ``{"type": "audio", "sha256", "ref",
    "approved_by", "engines"}`` (stored audio by the sha256 of its samples), ``{"type": "chime", "name"}``,
    ``{"type": "speech", "parts": [[lang, text], ...]}`` (rendered by the player: a page's approved
    template wording), ``{"type": "silence", "seconds"}``, ``{"type": "music", "tracks": [{"sha256",
    "title", "ext"}], "seconds", "crossfade"}`` (files by the sha256 of their bytes). ``progress``: how
    far its music has aired (``{"track", "offset"}``: index and seconds, written with its player's
    heartbeat); a claim after a restart carries on there."""

    __tablename__ = "airings"
    __table_args__ = (Index("ix_airings_queue", "state", "zone", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # idempotency: one row per request and zone
    ref: Mapped[str] = mapped_column(String(64), index=True)     # "announcement:12", "page:3", "programme:2"
    kind: Mapped[str] = mapped_column(String(16))                # announcement page programme music
    title: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(default=50)
    pieces: Mapped[list] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[AiringState] = mapped_column(enum_col(AiringState, "airing_state"), default=AiringState.QUEUED)
    not_before: Mapped[datetime | None] = mapped_column(default=None)
    not_after: Mapped[datetime | None] = mapped_column(default=None)
    requested_by: Mapped[str] = mapped_column(String(80), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    player: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    resumable: Mapped[bool] = mapped_column(default=False)
    retries: Mapped[int] = mapped_column(default=0)
    max_retries: Mapped[int] = mapped_column(default=3)
    detail: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[dict | None] = mapped_column(JSON, default=None)


class PlayerStatus(Base):
    """A zone player's heartbeat and what it airs now (written on change and every couple of seconds)."""

    __tablename__ = "players"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    zones: Mapped[list] = mapped_column(JSON, default=list)
    host: Mapped[str] = mapped_column(String(120), default="")
    pid: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    now: Mapped[dict] = mapped_column(JSON, default=dict)  # zone -> {now, music, queue, device_ok, sink}
    stopped: Mapped[bool] = mapped_column(default=False)   # said goodbye (not lost)


class MediaBlob(Base):
    """Audio shared with players on other machines, by content hash (players keep a local cache)."""

    __tablename__ = "media_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    ext: Mapped[str] = mapped_column(String(8))      # wav (hash of its int16 samples) or the file's own
    by_samples: Mapped[bool] = mapped_column(default=True)  # hash of the samples (audio) or of the bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)
