"""A clock that only moves when told to: tests drive the services' time by hand."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class ManualClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **kw: float) -> datetime:
        delta = timedelta(seconds=seconds, **kw)
        with self._lock:
            self._now += delta
            return self._now
