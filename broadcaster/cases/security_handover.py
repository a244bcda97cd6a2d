"""The handover with security (与保安部交接班): at the venue's fixed hours (the manuals: 08:00, when the
security control room hands over the night's complaints and service requests, and 18:00, when the
desk hands the handover book to security) the desk records who handed over, the security officer's
name, the cases and items handed over, and notes. One record per fixed hour.

A fixed hour is due from ``DUE_BEFORE`` ahead of it; with no record ``GRACE`` after it, it is missed
(worked out when read, like a complaint's escalation). A missed hour may still be recorded: it then
shows as recorded late. The fixed hours are the venue's setting (``desk_settings.security_times``).
Hours before the venue was installed (its first user) are never due nor missed: nobody was there.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from broadcaster.cases import desk_settings
from broadcaster.cases.numbering import venue_tz
from broadcaster.cases.staff import DESK_ROLES, Actor, session_as
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import FieldErrors
from broadcaster.inputs_cases import SecurityRecord, read, refuse_if
from broadcaster.store.db import Database
from broadcaster.store.models.core import User
from broadcaster.store.models.desk import SecurityHandover

DUE_BEFORE = timedelta(minutes=30)
GRACE = timedelta(hours=1)
SHOWN_DAYS = 7        # the security page lists the fixed hours of this many days
BOARD_DAYS = 2        # the desk board shows what is due and what was missed in this many days


@dataclass
class Slot:
    due_at: datetime
    state: str        # "due", "missed", "done" or "late"
    record: SecurityHandover | None = None

    @property
    def key(self) -> str:
        """The fixed hour as the form names it (UTC, minutes)."""
        return self.due_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def fixed_hours(since: datetime, until: datetime, times: Sequence[time], tz: ZoneInfo) -> list[datetime]:
    """Every fixed hour (UTC) from ``since`` to ``until``, venue-local times of each day."""
    out, day = [], since.astimezone(tz).date() - timedelta(days=1)
    last: date = until.astimezone(tz).date()
    while day <= last:
        out += [datetime.combine(day, t, tz).astimezone(timezone.utc) for t in times]
        day += timedelta(days=1)
    return sorted(at for at in out if since <= at <= until)


def state(due_at: datetime, record: SecurityHandover | None, now: datetime) -> str:
    if record is not None:
        return "done" if record.recorded_at <= due_at + GRACE else "late"
    return "due" if now <= due_at + GRACE else "missed"


class SecurityHandoverService:
    def __init__(self, db: Database, clock: Clock | None = None, tz: ZoneInfo | None = None) -> None:
        self.db, self.clock, self.tz = db, clock or SystemClock(), tz or venue_tz()

    @property
    def times(self) -> list[time]:
        """The venue's fixed hours (read afresh: a change in the panel holds at once)."""
        return desk_settings.security_times()

    def slots(self, days: int = SHOWN_DAYS) -> list[Slot]:
        """The fixed hours of the last ``days`` days up to the next one now due, newest first, with their
        records (and records of hours the venue no longer uses)."""
        now = self.clock.now()
        since = now - timedelta(days=days)
        with self.db.session() as s:
            records = {r.due_at: r for r in s.scalars(
                select(SecurityHandover).options(selectinload(SecurityHandover.desk_user))
                .where(SecurityHandover.due_at >= since))}
            installed = s.scalar(select(func.min(User.created_at))) or now  # the venue's first user
        hours = set(fixed_hours(max(since, installed), now + DUE_BEFORE, self.times, self.tz)) | set(records)
        return [Slot(at, state(at, records.get(at), now), records.get(at)) for at in sorted(hours, reverse=True)]

    def due(self) -> list[Slot]:
        """For the desk board: fixed hours due now or missed lately, soonest first."""
        return sorted((sl for sl in self.slots(BOARD_DAYS) if sl.state in ("due", "missed")), key=lambda sl: sl.due_at)

    def record(self, who: Actor, values: dict) -> SecurityHandover:
        """The handover of one fixed hour. Every bad field at once; nothing stored then."""
        v, errors = read(SecurityRecord, values)
        slot = {sl.key: sl for sl in self.slots() if sl.record is None}.get(v.slot)
        if v.slot and slot is None:
            errors["slot"] = "Choose one of the list."
        refuse_if(errors)
        try:
            with session_as(self.db, who, *DESK_ROLES, action="record the handover with security") as (s, user):
                row = SecurityHandover(due_at=slot.due_at, recorded_at=self.clock.now(), desk_user_id=user.id,
                                       officer=v.officer, items=v.items or "", notes=v.notes or "")
                s.add(row)
        except IntegrityError:
            raise FieldErrors({"slot": "Already recorded."}) from None
        return row
