"""The air logger: a zone's aired audio kept as compressed hourly files, the proof of what the public
heard, deleted after a retention period (and, optionally, beyond a disk cap).

Files: ``FOLDER/YYYY-MM-DD/HHMMSS.opus`` (UTC, the time of the file's first sample), mono Ogg Opus at
48 kHz, :data:`OPUS_KBPS` kbit/s VBR: about 29 MB an hour of non-stop music, 22 GB a zone in 31 days
(16-bit FLAC, what older versions wrote, took ~214 MB an hour; their ``.flac`` files are still found,
read and pruned alongside: nothing already logged is lost). Opus is lossy: a file decodes to
what aired to within the codec's error (~30 dB SNR on music; it adds to the peaks: a file's true
peak reads 0.3-0.4 dB over what aired, its loudness the same to 0.01 LU), each sample at exactly its place
(libsndfile drops the encoder's pre-skip), so a sample of the logger's count is still found exactly in
its file; a completed file ends with :data:`FLUSH` samples more, past the last logged one (the
encoder's look-ahead, which would otherwise garble the file's last milliseconds).
A new file starts at every hour boundary (a block that spans it is split there), whenever the
logger is opened again (an Ogg Opus file cannot be appended to), after a pause (:class:`AirLogSink` closes the
file when the zone falls silent, so what aired is complete on disk at once), and when asked
(:meth:`AirLog.cut`: an announcement or page that ended under unbroken music is complete at once). The engine writes only while something airs, so
beside each file ``HHMMSS.times`` holds anchors, one line ``SAMPLE UNIX_TIME`` each time the audio
resumes after a pause (:meth:`AirLog.anchors`): a moment is found in its file from them.

Sample time: a logger counts every sample it wrote since it was made (:meth:`AirLog.position`, with
``run``, a token naming this logger), so "the item's first sample went out when the logger had written
N" finds the item in its files exactly, whatever the wall clock did meanwhile. ``on_close`` hears of
every file as it is completed (:class:`LoggedFile`: where it starts in that count, how many samples).
The disk cap is checked while a file is written (every ``cap_check_s`` of audio), not only when one
starts: a long hour cannot run over it. A file over the cap on its own is completed there and the next
audio starts a new one; the file being written is never deleted, and no file is left empty (a logger
closed before its file got a sample removes it). :meth:`AirLog.prune` needs no audio: whoever keeps the
logs calls it at start and every so often (a silent zone's old files go too). A logger may be pruned
from another thread while it writes.

:class:`AirLogSink` puts a logger behind any sink: every block the sink accepted is logged. A
logger that fails (disk full) is reported once and never stops the audio."""
from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf

from audio.pcm import SAMPLE_RATE
from audio.sinks import Sink

log = logging.getLogger(__name__)

DEFAULT_KEEP_DAYS = 31
_HOUR = 3600
#: The bitrate of new files (mono, VBR): speech and music both sound as they aired, ~29 MB an hour.
#: Not lower: below ~56 kbit/s libopus may code a lone tone in its speech modes, shifted a few samples.
OPUS_KBPS = 64
#: The extension of new files, then those still read from older versions (16-bit FLAC).
EXTS = ("opus", "flac")
#: Samples written past a file's last logged one when it is completed (20 ms, a continuation of the
#: audio fading out): the Opus encoder looks 6.5 ms ahead, and libsndfile does not flush it, so without
#: them a file's last ~4 ms decode as garbage (a click at every hour, cut and pause in a playback).
#: Not part of the logger's count: ``LoggedFile.frames`` stops before them.
FLUSH = 960


def opus_level(kbps: float) -> float:
    """libsndfile's compression level for an Ogg Opus bitrate: it maps 0..1 linearly onto
    256..6 kbit/s a channel."""
    return min(1.0, max(0.0, (256 - kbps) / 250))


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


@dataclass(frozen=True)
class LoggedFile:
    """A completed hourly file: its samples are ``first`` .. ``first + frames`` of logger ``run``'s
    count, aired from ``start`` to ``end`` (unix seconds)."""
    path: Path
    name: str  # "YYYY-MM-DD/HHMMSS.opus" (".flac": an older version's), relative to the logger's folder
    run: str
    first: int
    frames: int
    rate: int
    start: float
    end: float


class AirLog:
    """Hourly Ogg Opus files of one zone in ``folder``. ``clock`` gives the wall time (unix seconds) at
    which a block written now starts to air."""

    def __init__(self, folder: str | Path, *, rate: int = SAMPLE_RATE, keep_days: float = DEFAULT_KEEP_DAYS,
                 max_bytes: int | None = None, clock: Callable[[], float] = time.time,
                 resume_after_s: float = 0.02, cap_check_s: float = 5.0,
                 on_close: Callable[[LoggedFile], None] | None = None) -> None:
        if keep_days <= 0:
            raise ValueError(f"keep_days must be > 0, got {keep_days}")
        self.folder = Path(folder)
        self.rate = rate
        self.keep_days = keep_days
        self.max_bytes = max_bytes
        self.clock = clock
        # A block handed over later than the audio before it ran out (by more than this jitter) starts a
        # new anchor: the output ran dry meanwhile (an underrun, a stall), and the public heard silence.
        # Re-anchoring keeps every logged sample at the wall time it aired, so an as-run row's times
        # find its audio however loaded the machine was.
        self.resume_after_s = resume_after_s
        self._file: sf.SoundFile | None = None
        self._path: Path | None = None
        self._hour_end = 0.0
        self._frames = 0  # samples in the current file
        self._tail = np.zeros(0, np.int16)  # its last samples (the flush continues them)
        self._anchor_t, self._anchor_at = 0.0, 0  # the last anchor: wall time, sample position
        self.run = secrets.token_hex(8)  # names this logger's sample count (another process: another run)
        self.written = 0  # samples written since the logger was made
        self._first = 0   # ... when the current file started
        self._start_t = 0.0
        self.on_close = on_close
        self._cut = False
        self.cap_check_every = max(1, int(cap_check_s * rate))
        self._unchecked = 0  # samples written since the disk cap was last checked
        self._lock = threading.RLock()  # the writer's thread and a pruning one

    def position(self) -> tuple[str, int]:
        """(run, samples written so far): the next sample written is that one of the run's count."""
        return self.run, self.written

    # -- writing ----------------------------------------------------------------------------------
    def write(self, samples: np.ndarray, at: float | None = None) -> None:
        """Log mono int16 ``samples`` that start to air at ``at`` (default: now)."""
        samples = np.asarray(samples, dtype=np.int16).reshape(-1)
        if samples.size == 0:
            return
        with self._lock:
            self._write(samples, self.clock() if at is None else at)

    def _write(self, samples: np.ndarray, t: float | None) -> None:
        if self._cut:  # asked to complete the file: what aired before this block can be played back now
            self._cut = False
            self.close()
        if self._file is not None and t <= self._next_t + self.resume_after_s:
            t = None  # continuing: the sample count is the clock (no drift by jitter)
        while samples.size:
            if self._file is None or (t or self._next_t) >= self._hour_end:
                self._open(self._next_t if t is None else t)
            elif t is not None:
                self._anchor(t)
            t = None
            room = int(round((self._hour_end - self._anchor_t) * self.rate)) - (self._frames - self._anchor_at)
            part, samples = samples[:max(1, room)], samples[max(1, room):]
            self._file.write(part)
            self._tail = np.concatenate([self._tail, part])[-(FLUSH + 1):]
            self._frames += part.size
            self.written += part.size
            self._unchecked += part.size
        if self.max_bytes is not None and self._unchecked >= self.cap_check_every:
            self._unchecked = 0
            self._keep_under_cap()

    def cut(self) -> None:
        """Complete the open file before the next block (a new one starts with it): an item that just
        ended can be played back at once, not only when the hour's file ends. Any thread."""
        self._cut = True

    def _keep_under_cap(self) -> None:
        """While writing: the oldest files go when the folder holds more than the cap; a file that is
        over the cap on its own is completed (so it can go in turn); the next audio starts a new one."""
        self.prune(self._next_t)
        if self._path is not None and self._path.stat().st_size > self.max_bytes:
            self.close()

    @property
    def _next_t(self) -> float:
        """Wall time the next sample would air at, continuing the last block."""
        return self._anchor_t + (self._frames - self._anchor_at) / self.rate

    def _open(self, start: float) -> None:
        self.close()
        when = _utc(start)
        day = self.folder / when.strftime("%Y-%m-%d")
        day.mkdir(parents=True, exist_ok=True)
        path = day / f"{when.strftime('%H%M%S')}.{EXTS[0]}"
        n = 1
        while any(path.with_suffix(f".{x}").exists() for x in (*EXTS, "times")):  # reopened within the second
            n += 1
            path = day / f"{when.strftime('%H%M%S')}-{n}.{EXTS[0]}"
        self._file = sf.SoundFile(str(path), "w", samplerate=self.rate, channels=1, format="OGG", subtype="OPUS",
                                  compression_level=opus_level(OPUS_KBPS))
        self._path, self._frames, self._first, self._start_t = path, 0, self.written, start
        self._tail = np.zeros(0, np.int16)
        self._hour_end = (start // _HOUR + 1) * _HOUR
        with path.with_suffix(".times").open("a", encoding="ascii") as f:  # whose count: found again after a crash
            f.write(f"# run {self.run} {self.written}\n")
        self._anchor(start)
        self.prune(start)

    def _anchor(self, t: float) -> None:
        self._anchor_t, self._anchor_at = t, self._frames
        with self._path.with_suffix(".times").open("a", encoding="ascii") as f:
            f.write(f"{self._frames} {t:.6f}\n")

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        file, self._file = self._file, None
        path, self._path = self._path, None  # closed: no longer spared by prune
        if file is None:
            return
        if self._frames and path.suffix == f".{EXTS[0]}":
            file.write(_flush(self._tail))
        file.close()
        with path.with_suffix(".times").open("a", encoding="ascii") as f:
            f.write(f"# frames {self._frames}\n")  # completed (its logged samples; the flush after them)
        if not self._frames:  # never a sample: no empty (unreadable) file is left
            _remove(path)
            return
        if self.on_close is not None:
            done = LoggedFile(path, f"{path.parent.name}/{path.name}", self.run, self._first,
                              self._frames, self.rate, self._start_t, self._next_t)
            try:
                self.on_close(done)
            except Exception:  # whoever keeps the files must never stop the log
                log.exception("air log: on_close failed for %s", done.name)

    # -- reading ----------------------------------------------------------------------------------
    def files(self) -> list[Path]:
        """Every logged file (Opus, and FLAC from older versions), oldest first."""
        return sorted((p for ext in EXTS for p in self.folder.glob(f"*/*.{ext}")), key=_in_order)

    @staticmethod
    def anchors(path: Path) -> list[tuple[int, float]]:
        try:
            lines = path.with_suffix(".times").read_text("ascii").split("\n")
        except OSError:
            return []
        return [(int(a), float(b)) for a, b in (line.split() for line in lines if line.strip() and not line.startswith("#"))]

    # -- retention --------------------------------------------------------------------------------
    def prune(self, now: float | None = None) -> list[Path]:
        """Delete files whose hour ended more than ``keep_days`` ago, then the oldest while the
        folder holds more than ``max_bytes``; never the file being written. Returns the files deleted.
        Any thread."""
        with self._lock:
            return self._prune(self.clock() if now is None else now)

    def _prune(self, now: float) -> list[Path]:
        cutoff = _utc(now) - timedelta(days=self.keep_days)
        gone = []
        files = self.files()
        for path in files:
            if path == self._path:
                continue
            try:
                start = datetime.strptime(f"{path.parent.name} {path.stem[:6]}", "%Y-%m-%d %H%M%S")
            except ValueError:
                continue  # not ours
            hour_end = start.replace(minute=0, second=0, tzinfo=timezone.utc) + timedelta(hours=1)
            if hour_end <= cutoff:
                gone.append(path)
        if self.max_bytes is not None:
            kept = [p for p in files if p not in gone and p != self._path]
            total = sum(p.stat().st_size for p in files if p not in gone)
            for path in kept:
                if total <= self.max_bytes:
                    break
                total -= path.stat().st_size
                gone.append(path)
        for path in gone:
            _remove(path)
        return gone


def _flush(tail: np.ndarray) -> np.ndarray:
    """:data:`FLUSH` samples that continue ``tail`` smoothly (its odd reflection: no step in value or
    slope) and fade to silence: the encoder codes the file's last samples as well as any others."""
    x = tail.astype(np.float64)
    pad = np.zeros(FLUSH)
    if len(x) >= 2:
        mirror = 2 * x[-1] - x[-2::-1][:FLUSH]
        pad[:len(mirror)] = mirror
    pad *= np.linspace(1.0, 0.0, FLUSH)
    return np.clip(np.rint(pad), -32768, 32767).astype(np.int16)


def _in_order(path: Path) -> tuple[str, str, int]:
    """A file's place among the logged ones: its day, its time, then "-2", "-3"... (opened again within
    that second; "HHMMSS-2" would sort before "HHMMSS.flac" by name)."""
    stem, _, n = path.stem.partition("-")
    return path.parent.name, stem, int(n) if n.isdigit() else 1


def _remove(path: Path) -> None:
    """A logged file, its anchors, and its day's folder when nothing else is in it."""
    path.unlink(missing_ok=True)
    path.with_suffix(".times").unlink(missing_ok=True)
    if path.parent.is_dir() and not any(path.parent.iterdir()):
        shutil.rmtree(path.parent, ignore_errors=True)


def read_span(path: Path, start: int, stop: int) -> np.ndarray:
    """Samples ``start``..``stop`` of a file, or as many as are on disk yet (a file still being written
    has its last frames in the encoder)."""
    got = []
    with sf.SoundFile(str(path)) as f:
        f.seek(start)
        left = stop - start
        while left > 0:
            try:
                chunk = f.read(min(left, 4096), dtype="int16")
            except (sf.LibsndfileError, RuntimeError):
                break
            if not len(chunk):
                break
            got.append(chunk.reshape(-1))
            left -= len(chunk)
    return np.concatenate(got) if got else np.zeros(0, np.int16)


class AirLogSink(Sink):
    """``inner`` (the zone's output) with every block it accepted logged to ``airlog``. After
    ``idle_close_s`` without audio the hour's file is closed (complete on disk: every sample that aired
    can be played back at once); the next audio starts a new file."""

    def __init__(self, inner: Sink, airlog: AirLog, *, idle_close_s: float = 1.0) -> None:
        super().__init__(inner.rate, inner.channels)
        self.inner = inner
        self.airlog = airlog
        self.name = f"{inner.name}+airlog"
        self.idle_close_s = idle_close_s
        self._failed = False
        self._lock = threading.Lock()
        self._last = 0.0  # monotonic time of the last block logged into the open file (0: none open)
        self._quit = threading.Event()
        self._watch: threading.Thread | None = None

    def _open(self) -> None:
        self.inner.open()
        if self._watch is None or not self._watch.is_alive():
            self._quit.clear()
            self._watch = threading.Thread(target=self._close_when_idle, name=f"airlog-{self.inner.name}", daemon=True)
            self._watch.start()

    def _close_when_idle(self) -> None:
        while not self._quit.wait(self.idle_close_s / 4):
            with self._lock:
                if self._last and time.monotonic() - self._last > self.idle_close_s:
                    self._last = 0.0
                    self.airlog.close()

    def room(self) -> int:
        return self.inner.room()

    def _write(self, block: np.ndarray) -> None:
        at = self.airlog.clock()
        self.inner.write(block)  # raises DeviceLost: nothing aired, nothing logged
        with self._lock:
            try:
                self.airlog.write(block[:, 0], at)
                self._failed, self._last = False, time.monotonic()
            except Exception as exc:  # the log must never stop the audio
                if not self._failed:
                    log.error("%s: air log failed: %s", self.name, exc)
                self._failed = True
                self.airlog.close()

    def _close(self) -> None:
        self._quit.set()
        try:
            self.inner.close()
        finally:
            with self._lock:
                self._last = 0.0
                self.airlog.close()
