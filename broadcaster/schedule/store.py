"""Row <-> rule-spec conversion and the key/value settings, shared by the service and the scheduler; the
old copy of the venue's time zone moved out of them."""
from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcaster.errors import NotFound
from broadcaster.store.models.schedule import MissedSlot, Programme, RuleKind, ScheduleRule, ScheduleSetting
from broadcaster.schedule.rules import WEEKDAYS, RuleSpec, ScheduledRule
from broadcaster.settings import save_settings, stored_settings

log = logging.getLogger(__name__)


def stored_rule(s: Session, rule_id: int) -> ScheduleRule:
    """Rule ``rule_id`` as stored (NotFound when there is none)."""
    row = s.get(ScheduleRule, rule_id)
    if row is None:
        raise NotFound(f"no schedule rule #{rule_id}")
    return row


def rule_row(spec: RuleSpec) -> ScheduleRule:
    return ScheduleRule(
        kind=RuleKind(spec.kind), at_time=spec.at, days=",".join(WEEKDAYS[d] for d in spec.days),
        every_minutes=spec.every_minutes, window_start=spec.window_start, window_end=spec.window_end,
        on_date=spec.on_date, start_date=spec.start_date, end_date=spec.end_date,
        except_dates=",".join(d.isoformat() for d in sorted(spec.except_dates)), enabled=True)


def rule_spec(r: ScheduleRule) -> RuleSpec:
    return RuleSpec(
        kind=r.kind.value, at=r.at_time,
        days=tuple(WEEKDAYS.index(d) for d in r.days.split(",") if d),
        every_minutes=r.every_minutes, window_start=r.window_start, window_end=r.window_end,
        on_date=r.on_date, start_date=r.start_date, end_date=r.end_date,
        except_dates=frozenset(date.fromisoformat(d) for d in r.except_dates.split(",") if d))


def scheduled_rule(r: ScheduleRule) -> ScheduledRule:
    p = r.programme
    zones = tuple(z for z in (r.zones or p.zones).split(",") if z)
    prio = r.priority if r.priority is not None else p.priority
    return ScheduledRule(rule_spec(r), p.name, r.id, p.id, zones, prio, r.length_s)


def get_setting(s: Session, key: str) -> str | None:
    row = s.get(ScheduleSetting, key)
    return row.value if row else None


def set_setting(s: Session, key: str, value: str) -> None:
    s.merge(ScheduleSetting(key=key, value=value))


def log_missed(s: Session, uid: str, at: datetime, programme_id: int | None, programme_name: str,
               rule_id: int | None, reason: str) -> bool:
    """Log the slot ``uid`` as missed, once (False when it already is; a concurrent writer of the same
    uid fails on its unique key, which the caller treats as "already logged")."""
    if s.scalar(select(MissedSlot.id).where(MissedSlot.slot_uid == uid)) is not None:
        return False
    pid = programme_id if programme_id and s.get(Programme, programme_id) else None
    s.add(MissedSlot(slot_uid=uid, slot_at=at, programme_id=pid, programme_name=programme_name[:120],
                     rule_id=rule_id, reason=reason[:500]))
    from broadcaster import logs  # an alarm on every dashboard, to acknowledge
    from broadcaster.cases.numbering import venue_tz

    logs.raise_fault(s, "missed_slot", f"{programme_name} did not air at "
                     f"{at.astimezone(venue_tz()):%Y-%m-%d %H:%M}: {reason}"[:1000], ref=f"slot:{uid}"[:64])
    return True


def adopt_stored_tz(db) -> str | None:
    """The venue's time zone lives in the venue settings (in the database / PA_VENUE_TZ) only: the
    scheduler and the desk's case numbers read the same one, so they never disagree about the date.

    Earlier versions also kept a copy in the schedule database (setting ``venue_tz``): it is moved into
    the settings once (where the settings say nothing) and dropped; where both say something different
    the settings win, with a warning naming both. Returns the zone it found, if any."""
    with db.session() as s:
        stored = get_setting(s, "venue_tz")
    if stored is None:
        return None
    said = stored_settings(db).get("timezone")
    if said is None:
        save_settings({"timezone": stored}, db)
    elif said != stored:
        log.warning("venue time zone: the venue settings say %s, the schedule database said %s; keeping %s",
                    said, stored, said)
    with db.session() as s:
        row = s.get(ScheduleSetting, "venue_tz")
        if row is not None:
            s.delete(row)
    return stored
