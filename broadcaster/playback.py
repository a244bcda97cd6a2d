"""Playback of what aired: an as-run row's samples cut from its zone's air log as stored in the
database (:mod:`broadcaster.airlogs`), whatever machine aired it, the proof of what the public heard.

The row's place in the log is in sample time: the logger's count at the item's first sample and after
its last (``airlog_marks``), found in the completed files that hold that stretch of the count
(``airlog_files``). Each file is fetched by the sha256 of its bytes as players fetch audio
(:class:`MediaSource`: a local copy, else the database, into a small cache) and refused when its bytes
no longer have that hash."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf
from sqlalchemy import select

from audio.airlog import EXTS, read_span
from audio.pcm import SAMPLE_RATE
from broadcaster import logs
from broadcaster.onair.pieces import HashMismatch, MediaSource
from broadcaster.settings import var_dir
from broadcaster.store.models.airlog import AirLogFile, AirMark

#: The longest stretch one playback gives (a music bed's row may span hours): its first hour.
MAX_PLAY_S = 3600.0
#: Stored files kept in the panel's cache (an hour of music is ~29 MB of Opus, ~214 MB of an older FLAC).
CACHED_FILES = 6


class Tampered(Exception):
    """A stored air log file whose bytes are not those stored: not played back."""


def air_log_folder(var: str | Path, zone: str) -> Path:
    return Path(var) / "air" / zone


def _mark(s, airing_id: int | None, zone: str, started_at: datetime) -> AirMark | None:
    """The mark of the airing attempt that started at ``started_at`` (an airing cut and restarted has
    one per attempt, as it has one as-run row each)."""
    if airing_id is None:
        return None
    marks = list(s.scalars(select(AirMark).where(AirMark.airing_id == airing_id, AirMark.zone == zone)))
    marks = [m for m in marks if abs((m.started_at - started_at).total_seconds()) < 2.0]
    return min(marks, key=lambda m: abs((m.started_at - started_at).total_seconds()), default=None)


def playable(s, rows) -> set[int]:
    """The ids of the as-run ``rows`` whose audio the air log keeps (a play control is worth showing)."""
    ids = {r.airing_id for r in rows if r.airing_id is not None}
    if not ids:
        return set()
    marks: dict[int, list[AirMark]] = {}
    for m in s.scalars(select(AirMark).where(AirMark.airing_id.in_(ids))):
        marks.setdefault(m.airing_id, []).append(m)
    runs = {m.run for ms in marks.values() for m in ms}
    stored = set(s.scalars(select(AirLogFile.run).where(AirLogFile.run.in_(runs)).distinct())) if runs else set()
    return {r.id for r in rows if any(m.zone == r.zone and m.run in stored and
                                      abs((m.started_at - r.started_at).total_seconds()) < 2.0
                                      for m in marks.get(r.airing_id, ()))}


def aired(db, row, cache_dir: Path, var: Path | None = None) -> np.ndarray:
    """The int16 samples the as-run ``row`` aired (at most :data:`MAX_PLAY_S`), from the stored files
    that hold them; empty when the log keeps none of it (yet: a file is stored once it is complete).
    Raises :class:`Tampered` when a file's bytes do not have the hash it was stored by."""
    with db.session() as s:
        mark = _mark(s, row.airing_id, row.zone, row.started_at)
        if mark is None:
            return np.zeros(0, np.int16)
        run, start, end = mark.run, mark.start, mark.end
        longest = int(MAX_PLAY_S * SAMPLE_RATE)
        if end is None:  # its player went away while it aired: as long as the row says, if it ended
            seconds = (row.ended_at - row.started_at).total_seconds() if row.ended_at else MAX_PLAY_S
            end = start + int(max(0.0, seconds) * SAMPLE_RATE)
        end = min(end, start + longest)
        files = list(s.scalars(select(AirLogFile).where(AirLogFile.run == run, AirLogFile.first < end,
                                                        AirLogFile.first + AirLogFile.frames > start)
                               .order_by(AirLogFile.first)))
        spans = [(f.sha256, air_log_folder(var or var_dir(), f.zone) / f.name, max(start, f.first) - f.first,
                  min(end, f.first + f.frames) - f.first) for f in files]
    media = MediaSource(db, None, cache_dir)
    out = []
    for sha, local, a, b in spans:
        try:
            path = _fetch(media, sha, local)
        except Tampered as exc:  # the proof of what aired was changed: staff must hear of it
            with db.session() as s:
                logs.raise_fault(s, "hash_mismatch", f"zone {row.zone}: air log file {local.name} was changed "
                                 f"after it was stored ({exc})", zone=row.zone, ref=f"airlog:{sha[:16]}")
            raise
        if path is not None:
            out.append(read_span(path, a, b))
    _trim_cache(cache_dir)
    return np.concatenate(out) if out else np.zeros(0, np.int16)


def _fetch(media: MediaSource, sha: str, local: Path) -> Path | None:
    """The stored file ``sha``: from the database (through the cache), else this machine's logger file
    ``local`` (SQLite: its bytes are not copied), checked against ``sha`` either way."""
    try:
        path = media.path(sha)
    except HashMismatch:  # no bytes in the database: the logger's own file on this box, if it is kept
        if not local.is_file():
            return None
        path = local
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != sha:
        if path != local:
            path.unlink(missing_ok=True)  # a bad copy in the cache: fetched again next time, checked again
        raise Tampered(f"air log file {sha[:16]}: its bytes have the hash {digest[:16]}")
    if path != local:
        path.touch()
    return path


def _trim_cache(cache_dir: Path) -> None:
    cached = sorted((p for ext in EXTS for p in Path(cache_dir).glob(f"*/*/*.{ext}")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in cached[CACHED_FILES:]:
        old.unlink(missing_ok=True)


def as_flac(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="FLAC", subtype="PCM_16")
    return buf.getvalue()
