"""Where the schedule uses things: the upcoming slots that air an announcement (the warning before an
edit)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from broadcaster.clock import utcnow
from broadcaster.schedule.rules import Slot
from broadcaster.store.models.schedule import ProgrammeItem

WEEK_H = 7 * 24


def slots_airing(service, announcement_id: int, hours: float = WEEK_H) -> list[Slot]:
    """The next 50 slots (within ``hours`` from now) whose programme airs announcement ``announcement_id``."""
    with service.db.session() as s:
        pids = set(s.scalars(select(ProgrammeItem.programme_id)
                             .where(ProgrammeItem.announcement_id == announcement_id)))
    if not pids:
        return []
    start = utcnow()
    return [sl for sl in service.slots_between(start, start + timedelta(hours=hours)) if sl.programme_id in pids][:50]


def describe_slots(slots: list[Slot]) -> list[dict]:
    """The slots for an answer (API, CLI, panel): venue-local time, programme, zones."""
    return [{"at": sl.local.isoformat(), "day": sl.local.strftime("%a"), "time": sl.local.strftime("%H:%M"),
             "date": sl.local.date().isoformat(), "programme": sl.programme, "zones": list(sl.zones)}
            for sl in slots]
