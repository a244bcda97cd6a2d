"""The venue's own chimes, for every player of the venue: a chime set here (``broadcaster chime set``,
the panel's chime page) is kept in this machine's ``var/chimes`` (:mod:`audio.chimes`, what renders
use) and in the database by the sha256 of its samples (``media_blobs``, the key ``chime:KIND``), so a
zone player on another machine rings the same chime, checked against its hash."""
from __future__ import annotations

import io
import logging
import threading
import time

import soundfile as sf
from sqlalchemy import select

from audio import chimes
from audio.pcm import Pcm
from broadcaster.store.models.onair import MediaBlob
from broadcaster.store.models.schedule import ScheduleSetting

log = logging.getLogger(__name__)
_PREFIX = "chime:"


def _wav(pcm: Pcm) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, pcm.to_int16(), pcm.rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def set_chime(db, ready: Pcm, kind: str) -> str:
    """Make the prepared chime ``ready`` (:func:`audio.chimes.read_chime`) the venue's chime for
    ``kind``, here and for every player. Returns its hash."""
    chimes.keep_chime(ready, kind)
    sha = ready.sha256()
    with db.session() as s:
        if s.get(MediaBlob, sha) is None:
            s.add(MediaBlob(sha256=sha, ext="wav", by_samples=True, data=_wav(ready)))
        row = s.get(ScheduleSetting, _PREFIX + kind)
        if row is None:
            s.add(ScheduleSetting(key=_PREFIX + kind, value=sha))
        else:
            row.value = sha
    return sha


def reset_chime(db, kind: str) -> bool:
    """Back to the built-in chime for ``kind`` here and for every player; True if the venue had one."""
    removed = chimes.reset_chime(kind)
    with db.session() as s:
        row = s.get(ScheduleSetting, _PREFIX + kind)
        if row is not None:
            s.delete(row)
            removed = True
    return removed


def venue_chimes(s) -> dict[str, str]:
    """Kind -> hash of every chime the venue set."""
    rows = s.scalars(select(ScheduleSetting).where(ScheduleSetting.key.like(_PREFIX + "%")))
    return {r.key[len(_PREFIX):]: r.value for r in rows}


def sync_local(db) -> None:
    """This machine's ``var/chimes`` as the database says (renders here use the venue's chimes even
    when they were set on another machine)."""
    with db.session() as s:
        wanted = venue_chimes(s)
        for kind, sha in wanted.items():
            if kind not in chimes.KINDS:
                continue
            path = chimes.chime_dir() / f"{kind}.wav"
            try:
                if path.exists() and Pcm.from_int16(*sf.read(str(path), dtype="int16")).sha256() == sha:
                    continue
            except Exception:
                pass
            blob = s.get(MediaBlob, sha)
            if blob is not None:
                data, rate = sf.read(io.BytesIO(blob.data), dtype="int16")
                chimes.keep_chime(Pcm.from_int16(data, rate), kind)


class Lookup:
    """Which chime hash the venue set for a kind. A zone player refreshes it from its heartbeat's own
    session (:meth:`refresh`, every second), so claiming a page never waits for a query of its own;
    anyone else (or a player whose beat stalled) asks the database when it is older than ``ttl_s``."""

    def __init__(self, db, ttl_s: float = 3.0) -> None:
        self.db, self.ttl_s = db, ttl_s
        self._at, self._known = float("-inf"), {}
        self._lock = threading.Lock()

    def refresh(self, s) -> None:
        known = venue_chimes(s)
        with self._lock:
            self._known, self._at = known, time.monotonic()

    def __call__(self, kind: str) -> str | None:
        if self.db is None:
            return None
        with self._lock:
            if time.monotonic() - self._at > self.ttl_s:
                try:
                    with self.db.session() as s:
                        self._known = venue_chimes(s)
                    self._at = time.monotonic()
                except Exception as exc:  # the database away: the chimes known last still ring
                    log.warning("venue chimes: %s", exc)
            return self._known.get(kind)


def venue_chimes_of(db) -> dict[str, str]:
    with db.session() as s:
        return venue_chimes(s)
