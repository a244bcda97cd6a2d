"""Time source. Services take a Clock so tests can drive time by hand."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol


def utcnow() -> datetime:
    """Timezone-aware UTC now."""
    return datetime.now(timezone.utc)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()

