"""Programme recordings' gains, measured once and kept.

A programme's recording airs at the gain that brings it to the venue's loudness target through the
true-peak limiter (:func:`playlists.library.recording_gain`: seconds of CPU for a long recording).
That gain is kept in ``recording_levels`` by the sha256 of the file's bytes and the target, so a
restart, another machine or another programme with the same file reads it instead of measuring again.

When: a recording entering a programme (:meth:`ProgrammeService._item`, a programme created or
changed) is measured in the background right after (:func:`soon`); the leader looks every few minutes
(:func:`sweep_soon`) for programme recordings with no gain at the venue's target as it is now (a
target changed, a file changed in place, a database from before this table) and measures those in
the background too. Writing a slot's airings reads the stored gain (:func:`gain_for`); only when
it is still missing (a recording saved moments before its slot, a target changed since the last
look) is it measured there and then, as before, and kept; a measurement already under way for the
same file and target (the background's) is waited for, never done twice.
"""
from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from broadcaster.clock import utcnow
from broadcaster.store.models.schedule import ItemKind, ProgrammeItem, RecordingLevel

log = logging.getLogger(__name__)

_known: dict[tuple[str, float], float | None] = {}  # (sha256, target) -> gain: this process's copy
_measuring: dict[tuple[str, float], threading.Lock] = {}
_lock = threading.Lock()


def venue_target() -> float:
    """The venue's loudness target as the levels are keyed by it (LUFS, to 0.01)."""
    from broadcaster.settings import load_settings

    return round(float(load_settings().loudness_lufs), 2)


def forget() -> None:
    """Drop this process's copy (as a restart does); the stored gains stay."""
    with _lock:
        _known.clear()


def stored(s: Session, sha256: str, target: float) -> tuple[bool, float | None]:
    """(found, gain) for the content ``sha256`` at ``target``: this process's copy, else the table."""
    key = (sha256, round(target, 2))
    with _lock:
        if key in _known:
            return True, _known[key]
    row = s.get(RecordingLevel, key)
    if row is None:
        return False, None
    with _lock:
        _known[key] = row.gain_db
    return True, row.gain_db


def keep(s: Session, sha256: str, target: float, gain_db: float | None, path: str = "") -> None:
    """Store a measured gain, once: one INSERT that does nothing when another process (or this one's
    background) stored it meanwhile (no read before it in the transaction: a writer's snapshot stays
    fresh on SQLite)."""
    key = (sha256, round(target, 2))
    with _lock:
        _known[key] = gain_db
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    s.execute(dialect.insert(RecordingLevel).values(
        sha256=key[0], target_lufs=key[1], gain_db=gain_db, path=str(path)[:1024], measured_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["sha256", "target_lufs"]))


def _measure(path: str, sha256: str, target: float) -> float | None:
    """Measure once per (content, target) in this process: a second caller waits for the first.
    Raises :class:`playlists.library.LibraryError` when the file cannot be measured."""
    from playlists.library import recording_gain

    key = (sha256, round(target, 2))
    with _lock:
        busy = _measuring.setdefault(key, threading.Lock())
    with busy:
        with _lock:
            if key in _known:
                return _known[key]
        gain = recording_gain(path, key[1])
        with _lock:
            _known[key] = gain
            _measuring.pop(key, None)
    return gain


def gain_for(s: Session, path: str, sha256: str, target: float | None = None) -> float | None:
    """The gain a recording airs at (None: it cannot be measured, or is silence; it plays as
    recorded): stored, else measured now and kept in ``s``'s transaction."""
    from playlists.library import LibraryError

    target = venue_target() if target is None else target
    if not sha256:
        log.warning("recording %s: cannot be read; it plays as recorded", path)
        return None
    found, gain = stored(s, sha256, target)
    if found:
        return gain
    log.info("recording %s: no gain at %s LUFS stored yet; measured now", path, target)
    try:
        gain = _measure(path, sha256, target)
    except LibraryError as exc:
        log.warning("recording %s: not measured (%s); it plays as recorded", path, exc)
        return None
    keep(s, sha256, target, gain, path)
    return gain


def level(db, path: str, target: float | None = None) -> bool:
    """Measure and store a recording's gain at ``target`` (default: the venue's) unless stored
    (``db`` None: in this process's copy only). Returns whether it measured."""
    from broadcaster.store.media import file_sha256
    from playlists.library import LibraryError

    target = venue_target() if target is None else target
    sha = file_sha256(path)
    if not sha:
        return False
    if db is not None:
        with db.session() as s:
            if stored(s, sha, target)[0]:
                return False
    try:
        gain = _measure(path, sha, target)
    except LibraryError as exc:
        log.warning("recording %s: not measured (%s)", path, exc)
        return False
    if db is not None:
        with db.session() as s:
            keep(s, sha, target, gain, path)
    return True


def missing(db, target: float | None = None) -> list[str]:
    """The programmes' recordings with no gain stored at ``target`` (default: the venue's)."""
    from broadcaster.store.media import file_sha256

    target = venue_target() if target is None else target
    with db.session() as s:
        paths = sorted(set(s.scalars(select(ProgrammeItem.path).where(
            ProgrammeItem.kind == ItemKind.RECORDING, ProgrammeItem.path.is_not(None)))))
        out = []
        for path in paths:
            sha = file_sha256(path)
            if sha and not stored(s, sha, target)[0]:
                out.append(path)
    return out


class Leveller:
    """One background thread per process measuring what :func:`soon` and :func:`sweep_soon` hand
    it, one recording at a time; it ends when it has nothing left and starts again when given more."""

    def __init__(self) -> None:
        self.jobs: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def put(self, job) -> None:
        self.jobs.put(job)
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="recording-levels", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                db, path = self.jobs.get(timeout=1.0)
            except queue.Empty:
                with self.lock:
                    if self.jobs.empty():
                        self.thread = None
                        return
                continue
            try:
                if path is None:
                    for found in missing(db):
                        level(db, found)
                else:
                    level(db, path)
            except (SQLAlchemyError, OSError, ValueError):
                log.exception("recording levels: %s not measured", path or "the look for missing ones")

    def idle(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is left to measure (the tests)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)
        return self.thread is None or not self.thread.is_alive()


leveller = Leveller()


def soon(db, paths) -> None:
    """Measure these recordings in the background (the ones already stored are only looked up)."""
    for path in paths:
        if path:
            leveller.put((db, str(path)))


def sweep_soon(db) -> None:
    """Look for the programmes' recordings with no gain at the venue's target, in the background,
    and measure them."""
    leveller.put((db, None))
