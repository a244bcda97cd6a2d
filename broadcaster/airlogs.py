"""The air log of a zone player's zones, kept in the database (``airlog_files``, ``airlog_marks``,
bytes in ``media_blobs`` on PostgreSQL), so the panel plays back what any machine aired
(:mod:`broadcaster.playback`; on SQLite, one box, it reads the logger's own files, checked by hash).

:class:`Keeper` listens to the player's engine: when an item's first sample is about to go out it
notes the zone logger's sample count (the item's first sample is the next one written), and when the
item ends, the count after its last sample; an item's end (an announcement, a page, a music bed handing
over to the next) completes the logger's file there, so it can be played back at once. Each file the logger completes (hourly, or cut so) is
stored by the sha256 of its bytes, with the stretch of the count it holds. The engine's threads only put notes in a
queue; one thread of the keeper writes them (a database away or slow never holds up the audio). Files
and marks older than the retention period, and the oldest files beyond the logger's disk cap, are
deleted from the database as new files are stored, and with the loggers' own files when the keeper
starts and every HOUSEKEEP_S after, whether anything airs or not (a silent zone's old hours go too)."""
from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError

from audio.airlog import DEFAULT_KEEP_DAYS, AirLog, LoggedFile
from audio.airlog_recover import unfinished
from broadcaster.store.models.airlog import AirLogFile, AirMark
from broadcaster.store.models.onair import MediaBlob

log = logging.getLogger(__name__)
ENDS = ("completed", "interrupted", "failed", "cancelled")
#: seconds between two prunings of the files and rows past retention or the cap (also done at start)
HOUSEKEEP_S = 3600.0
#: the longest wait between two tries to store a note while the database is away
RETRY_MAX_S = 5.0


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def _as_utc(when: datetime) -> datetime:
    """A time read back from the database (SQLite gives it without its zone: it was stored in UTC)."""
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class Keeper:
    """Stores the air logs ``logs`` (zone -> AirLog) of player ``player`` in ``db``."""

    def __init__(self, db, player: str, logs: dict[str, AirLog], *, keep_days: float = DEFAULT_KEEP_DAYS,
                 copy_bytes: bool | None = None) -> None:
        self.db, self.player, self.logs, self.keep_days = db, player, dict(logs), keep_days
        # the files' bytes go into the database where another machine may need them (PostgreSQL); on
        # SQLite (one box) the panel reads the logger's own files, and only their rows are stored
        self.copy_bytes = db.is_postgres if copy_bytes is None else copy_bytes
        self.block_s = 0.02  # the engine's block (its last one holds an item's last sample)
        self._starts: dict[tuple[str, int], tuple[str, int]] = {}  # (zone, airing) -> (run, first sample)
        self._notes: queue.SimpleQueue = queue.SimpleQueue()
        self._pending = 0
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None
        self._quit = threading.Event()
        for zone, airlog in self.logs.items():
            airlog.on_close = lambda done, zone=zone: self._note(("file", zone, done))

    def attach(self, player) -> "Keeper":
        """Listen to ``player``'s engine and store what is left when it stops."""
        self.block_s = player.engine.block_ms / 1000
        player.engine.listeners.append(self.on_event)
        player.on_stop.append(self.close)
        self.recover()
        threading.Thread(target=self._housekeeping, name=f"airlog-prune-{self.player}", daemon=True).start()
        return self

    def _housekeeping(self) -> None:
        while True:
            self.housekeep()
            if self._quit.wait(HOUSEKEEP_S):
                return

    def recover(self) -> None:
        """Store what a crash left of the loggers' files (never completed, so never stored)."""
        self._note(("recover",))

    def housekeep(self) -> None:
        """Prune the loggers' files and their rows past retention or the cap, audio or not (the
        keeper's thread does it, in turn with what it stores)."""
        self._note(("prune",))

    # -- engine threads: notes only -------------------------------------------------------------------
    def on_event(self, ev) -> None:
        airlog = self.logs.get(ev.zone)
        airing = ev.item.meta.get("airing_id")
        if airlog is None or airing is None:
            return
        run, count = airlog.position()
        key = (ev.zone, airing)
        if ev.kind == "started":  # the item's first sample is the next one the logger writes
            self._starts[key] = (run, count)
            self._note(("start", airing, ev.zone, ev.at, run, count))
        elif ev.kind in ENDS and key in self._starts:
            _, first = self._starts.pop(key)
            end = count  # the count after the block that held its last sample (a cut: exactly its end)
            if ev.kind == "completed":  # its last sample is in that block: exactly where, by what it played
                played = first + round(ev.position * airlog.rate)
                if 0 <= count - played < max(1, int(airlog.rate * self.block_s)):  # else the engine padded
                    end = played  # silence in (speech still rendering): up to the end of the block
            self._note(("end", airing, run, first, end))
            airlog.cut()  # its file completes now, not at the hour: playable at once under unbroken music

    def _note(self, note: tuple) -> None:
        with self._done:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=f"airlog-{self.player}", daemon=True)
                self._thread.start()
        self._notes.put(note)

    # -- the keeper's thread ----------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            note = self._notes.get()
            attempt = 0
            while True:  # busy (SQLite: another writer came first) or away (PostgreSQL restarted, a network
                try:     # cut): tried again, in order, until it answers; a note dropped would never be stored
                    self._write(note)
                    break
                except OperationalError as exc:
                    if attempt == 5:
                        log.error("air log: could not store %s: the database is away (%s); trying again",
                                  note[0], str(exc).splitlines()[0])
                    time.sleep(min(0.2 * 2 ** attempt, RETRY_MAX_S))
                    attempt += 1
                except Exception:
                    log.exception("air log: could not store %s", note[0])
                    break
            with self._done:
                self._pending -= 1
                self._done.notify_all()

    def _write(self, note: tuple) -> None:
        what = note[0]
        with self.db.session() as s:
            if what == "start":
                _, airing, zone, at, run, first = note
                s.add(AirMark(airing_id=airing, zone=zone, started_at=at, run=run, start=first))
            elif what == "end":
                _, airing, run, first, end = note
                s.execute(update(AirMark).where(AirMark.airing_id == airing, AirMark.run == run,
                                                AirMark.start == first).values(end=end))
            elif what == "recover":
                for zone, airlog in self.logs.items():
                    known = set(s.scalars(select(AirLogFile.name).where(AirLogFile.zone == zone)))
                    for done in unfinished(airlog, known):
                        log.warning("air log %s: %s was not completed (the service stopped dead); kept "
                                    "as far as it can be read", zone, done.name)
                        self._store(s, zone, done)
            elif what == "prune":
                for zone, airlog in self.logs.items():
                    airlog.prune()
                    self._forget(s, zone, _utc(airlog.clock()) - timedelta(days=self.keep_days))
            else:
                _, zone, done = note
                self._store(s, zone, done)

    def _store(self, s, zone: str, done: LoggedFile) -> None:
        try:  # hashed in blocks (an hour of music is ~29 MB of Opus, an older FLAC ~214 MB), held only to copy
            with open(done.path, "rb") as f:
                sha, size = hashlib.file_digest(f, "sha256").hexdigest(), f.tell()
                data = None
                if self.copy_bytes:
                    f.seek(0)
                    data = f.read()
        except OSError as exc:  # deleted meanwhile (over the disk cap)
            log.warning("air log %s: %s is gone before it was stored (%s)", zone, done.name, exc)
            return
        if data is not None and s.get(MediaBlob, sha) is None:
            s.add(MediaBlob(sha256=sha, ext=done.path.suffix.lstrip(".") or "opus", by_samples=False, data=data))
        s.add(AirLogFile(zone=zone, player=self.player, name=done.name, run=done.run, first=done.first,
                         frames=done.frames, rate=done.rate, started_at=_utc(done.start),
                         ended_at=_utc(done.end), sha256=sha, size=size))
        s.flush()
        self._forget(s, zone, _utc(done.end) - timedelta(days=self.keep_days))

    def _forget(self, s, zone: str, before: datetime) -> None:
        """The zone's files past the retention period, then the oldest while its files take more than
        its logger's disk cap (never the newest); their bytes when no file names them any more; marks
        past retention."""
        cap = self.logs[zone].max_bytes
        rows = list(s.scalars(select(AirLogFile).where(AirLogFile.zone == zone).order_by(AirLogFile.ended_at)))
        total, gone = sum(r.size for r in rows), []
        for i, row in enumerate(rows):
            if not (_as_utc(row.ended_at) < before or (cap is not None and total > cap and i < len(rows) - 1)):
                break
            gone.append(row)
            total -= row.size
        s.execute(delete(AirMark).where(AirMark.zone == zone, AirMark.started_at < before))
        if not gone:
            return
        s.execute(delete(AirLogFile).where(AirLogFile.id.in_([r.id for r in gone])))
        old = {r.sha256 for r in gone}
        named = set(s.scalars(select(AirLogFile.sha256).where(AirLogFile.sha256.in_(old))))
        s.execute(delete(MediaBlob).where(MediaBlob.sha256.in_(old - named)))

    def close(self, timeout: float = 60.0) -> bool:
        """Wait until what was noted is stored (the player stopped: its loggers completed their files)."""
        self._quit.set()
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout)
