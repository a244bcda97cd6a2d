"""Between the service process, which owns the audio device, and other processes on the same machine
(the panel's worker processes, the desk CLI).

- The service publishes what is airing (``PlayoutEngine.snapshot``) to ``var/run/now.json`` several
  times a second; :class:`RemoteEngine` reads it back, so a panel worker shows now-playing and device
  health without owning the engine. A file older than ``STALE_S`` means the service is not running.
- Work that another process stores in the database (a page that is due, an announcement put on air)
  reaches the engine on the service's next tick (every second). :func:`ring` makes that tick happen at
  once: a one-byte datagram on ``var/run/doorbell`` saying which part of the tick (paging, the
  station, everything). Losing a ring costs at most one tick; the work itself is in the database,
  never in the ring, so nothing can be lost with it.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

SNAPSHOT = "now.json"
DOORBELL = "doorbell"
STALE_S = 3.0


def run_dir(var: Path) -> Path:
    path = Path(var) / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


#: What a ring asks the service to do now: air due pages / take cancelled ones off (PAGING), put
#: announcements on or off the engine (STATION), or everything a tick does (ALL, also any other byte).
PAGING, STATION, ALL = "paging", "station", "all"
_CODES = {PAGING: b"p", STATION: b"s", ALL: b"!"}
_WORK = {code: work for work, code in _CODES.items()}


def ring(run: Path, work: str = ALL) -> bool:
    """Ask the service to do ``work`` now. False when no service is listening or its doorbell is
    full (it ticks anyway); never waits: a desk's request must not hang on a busy service."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.sendto(_CODES[work], str(Path(run) / DOORBELL))
        return True
    except OSError:  # no listener, or its queue is full: the service's next tick (a second) does it
        return False


class Doorbell:
    """The service side of :func:`ring`: calls ``on_ring(work)`` (from its own thread) for each ring."""

    def __init__(self, run: Path, on_ring: Callable[[str], None]) -> None:
        self.path = Path(run) / DOORBELL
        self.on_ring = on_ring
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Doorbell":
        """Listen. Without a doorbell (a socket path over the kernel's 107 bytes, a read-only var/)
        the service still ticks every second: a warning, never a failed start."""
        self.path.unlink(missing_ok=True)  # left by a service that was killed
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(str(self.path))
        except OSError as exc:
            sock.close()
            log.warning("no doorbell at %s (%s): other processes' work waits for the next tick", self.path, exc)
            return self
        self._sock = sock
        self._thread = threading.Thread(target=self._listen, name="doorbell", daemon=True)
        self._thread.start()
        return self

    def _listen(self) -> None:
        sock = self._sock
        while sock is not None:
            try:
                data = sock.recv(64)
            except OSError:
                return  # closed
            if not data:
                continue
            try:
                self.on_ring(_WORK.get(data[:1], ALL))
            except Exception:
                log.exception("doorbell listener failed")

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            self.path.unlink(missing_ok=True)


class SnapshotPublisher:
    """Writes ``snapshot()`` to ``run/now.json`` every ``interval`` seconds (atomically: readers see the
    old file or the new one, never half of one)."""

    def __init__(self, run: Path, snapshot: Callable[[], dict], interval: float = 0.2) -> None:
        self.path = Path(run) / SNAPSHOT
        self.snapshot, self.interval = snapshot, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self) -> None:
        data = json.dumps({"zones": self.snapshot(), "running": not self._stop.is_set(), "pid": os.getpid()},
                          ensure_ascii=False, default=str)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, self.path)

    def start(self) -> "SnapshotPublisher":
        self._thread = threading.Thread(target=self._run, name="snapshot", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.publish()
            except Exception:
                log.exception("could not publish the engine snapshot")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            self.publish()  # "running": false, so readers see the service stopped at once
        except Exception:
            pass


class RemoteEngine:
    """What a panel worker knows of the engine: the last published snapshot (re-read when the file
    changes). ``running`` is False when the service stopped or its snapshot is older than ``STALE_S``."""

    def __init__(self, run: Path) -> None:
        self.path = Path(run) / SNAPSHOT
        self._seen: tuple[int, int] | None = None
        self._data: dict = {}
        self._lock = threading.Lock()

    def _load(self) -> dict:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._seen:
                try:
                    self._data = json.loads(self.path.read_text(encoding="utf-8"))
                    self._seen = key
                except (OSError, ValueError):
                    pass  # replaced while reading: keep the previous one
            data = dict(self._data)
        data["age"] = time.time() - st.st_mtime
        return data

    def snapshot(self) -> dict | None:
        data = self._load()
        return data.get("zones") if data else None

    @property
    def running(self) -> bool:
        data = self._load()
        return bool(data.get("running")) and data.get("age", STALE_S) < STALE_S
