"""Case numbers by venue-local date + serial: ``20261122-003``; lost property ``L20261122-001``;
complaints ``TS20261122-001`` (投诉); visitor-injury incidents ``YW20261122-001`` (意外伤害).

The serial comes from a counter row (series, day) bumped in the caller's transaction: the UPDATE locks
the row (PostgreSQL row lock, SQLite write lock) until commit, so two desks never get the same number.
The first number of a day inserts the row; a concurrent insert loses on the primary key and retries
as an update. The case tables also keep ``number`` unique as a last line of defence.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broadcaster.errors import NotFound
from broadcaster.settings import load_settings
from broadcaster.store.models.cases import NumberCounter

#: Numbering series. Person cases carry no prefix; lost property numbers start with "L".
CASE_SERIES = ""
LOST_SERIES = "L"
COMPLAINT_SERIES = "TS"
INCIDENT_SERIES = "YW"


def as_number(text: str | None) -> str:
    """A case number as typed (a URL, a CLI argument), ready to look up: blanks trimmed; one that no
    number can be (a NUL, a control character, too long) becomes "", which finds nothing, instead of
    reaching the database (PostgreSQL refuses a NUL in any text with an error, not "not found")."""
    text = (text or "").strip()
    return "" if len(text) > 40 or any(ord(ch) < 32 or ord(ch) == 127 for ch in text) else text


def by_number(s: Session, model, number: str | None, what: str, *options):
    """The ``model`` row numbered ``number`` (as typed) with its ``options`` loaded; NotFound "no such <what>"."""
    row = s.scalar(select(model).options(*options).where(model.number == as_number(number)))
    if row is None:
        raise NotFound(f"no such {what}: {number}")
    return row


def venue_tz() -> ZoneInfo:
    """The venue's time zone: venue settings (in the database / ``PA_VENUE_TZ``; default
    Asia/Shanghai), the same one the scheduler uses."""
    return load_settings().tz


def venue_date(at: datetime, tz: ZoneInfo | None = None) -> date:
    """The venue-local calendar date of an aware instant."""
    if at.tzinfo is None:
        raise ValueError("venue_date needs an aware datetime")
    return at.astimezone(tz or venue_tz()).date()


def next_number(session: Session, series: str, at: datetime, tz: ZoneInfo | None = None) -> str:
    """Reserve the next number of ``series`` for the venue-local day of ``at`` (in this transaction)."""
    return next_numbers(session, series, at, 1, tz)[0]


def next_numbers(session: Session, series: str, at: datetime, count: int, tz: ZoneInfo | None = None) -> list[str]:
    """Reserve the next ``count`` numbers of ``series`` for the venue-local day of ``at``, in order
    (one UPDATE for them all: several desks' cases opened in one transaction)."""
    if count < 1:
        return []
    day = venue_date(at, tz).strftime("%Y%m%d")
    counters = NumberCounter.__table__  # a plain UPDATE ... RETURNING: no ORM objects to keep in step
    for _ in range(5):
        last = session.scalar(update(counters).where(counters.c.series == series, counters.c.day == day)
                              .values(last=counters.c.last + count).returning(counters.c.last))
        if last is None:
            try:
                with session.begin_nested():
                    session.add(NumberCounter(series=series, day=day, last=count))
                last = count
            except IntegrityError:
                continue  # another desk created today's row first: bump it instead
        return [f"{series}{day}-{serial:03d}" for serial in range(int(last) - count + 1, int(last) + 1)]
    raise RuntimeError(f"could not reserve a {series or 'case'} number for {day}")
