"""Moving one slot in the calendar: a one-off rule is moved itself; one occurrence of a recurring rule
becomes an exception date of that rule plus a one-off slot at the new time (as calendar programs do).
Both changes in one transaction: a refused move changes nothing."""
from __future__ import annotations

from datetime import date, time

from broadcaster.errors import NotFound, ValidationError
from broadcaster.schedule import store
from broadcaster.schedule.playlist_shelf import may_schedule
from broadcaster.schedule.programmes import CHANGED
from broadcaster.schedule.rules import RuleSpec
from broadcaster.store.models.schedule import ScheduleRule


def move(service, rule_id: int, day: date, to_day: date, to_time: time, *, who=None) -> int:
    """Move the slot of rule ``rule_id`` on venue-local ``day`` to ``to_day`` at ``to_time``. Returns the
    id of the rule that airs it now."""
    if not any(sl.rule_id == rule_id and sl.local.date() == day for sl in service.expand(day, day)):
        raise ValidationError(f"day: rule #{rule_id} has no slot on {day}")
    with service.db.session() as s:
        may_schedule(s, who, "change the schedule")
        row = s.get(ScheduleRule, rule_id)
        if row is None:
            raise NotFound(f"no schedule rule #{rule_id}")
        spec = store.rule_spec(row)
        once = RuleSpec("once", at=to_time.replace(second=0, microsecond=0), on_date=to_day).validate()
        if spec.kind == "once":
            row.on_date, row.at_time = once.on_date, once.at
            new_id = row.id
        else:
            row.except_dates = ",".join(sorted(d.isoformat() for d in spec.except_dates | {day}))
            moved = store.rule_row(once)
            moved.programme_id, moved.zones, moved.priority = row.programme_id, row.zones, row.priority
            moved.source = f"moved from rule {row.id} on {day}"[:255]
            s.add(moved)
            s.flush()
            new_id = moved.id
        service.db.signals.send(s, CHANGED)
        return new_id
