"""Moving one slot in the calendar: a one-off rule is moved itself; one occurrence of a recurring rule
becomes an exception date of that rule plus a one-off slot at the new time (as calendar programs do).
Both changes in one transaction: a refused move changes nothing. Resizing a slot gives its rule a
length of its own (the venue plays the same music for an hour on weekdays and two on Saturdays)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from broadcaster.errors import ValidationError
from broadcaster.schedule import store
from broadcaster.schedule.playlist_shelf import may_schedule
from broadcaster.schedule.programmes import CHANGED
from broadcaster.schedule.rules import RuleSpec


def move(service, rule_id: int, day: date, to_day: date, to_time: time, *, who=None) -> int:
    """Move the slot of rule ``rule_id`` on venue-local ``day`` to ``to_day`` at ``to_time``. Returns the
    id of the rule that airs it now."""
    if not any(sl.rule_id == rule_id and sl.local.date() == day for sl in service.expand(day, day)):
        raise ValidationError(f"day: rule #{rule_id} has no slot on {day}")
    with service.db.session() as s:
        may_schedule(s, who, action="change the schedule")
        row = store.stored_rule(s, rule_id)
        spec = store.rule_spec(row)
        once = RuleSpec("once", at=to_time.replace(second=0, microsecond=0), on_date=to_day).validate()
        if spec.kind == "once":
            row.on_date, row.at_time = once.on_date, once.at
            new_id = row.id
        else:
            row.except_dates = ",".join(sorted(d.isoformat() for d in spec.except_dates | {day}))
            moved = store.rule_row(once)
            moved.programme_id, moved.zones, moved.priority, moved.length_s = (row.programme_id, row.zones,
                                                                             row.priority, row.length_s)
            moved.source = f"moved from rule {row.id} on {day}"[:255]
            s.add(moved)
            s.flush()
            new_id = moved.id
        service.db.signals.send(s, CHANGED)
        return new_id


def fit(programme, seconds: float):
    """``programme`` (a ProgrammeView) made to last ``seconds``: its last playlist (else its last silence)
    plays for what is left after its other pieces. A programme of fixed pieces only (announcements,
    chimes) cannot change its length, and a playlist cannot play longer than its music
    (ValidationError)."""
    items = list(programme.items)
    timed = ([i for i, it in enumerate(items) if it.kind == "playlist"]
             or [i for i, it in enumerate(items) if it.kind == "silence"])
    if not timed:
        raise ValidationError("length: its pieces have fixed lengths; add music or silence to change it")
    k = timed[-1]
    rest = sum(it.estimate for i, it in enumerate(items) if i != k)
    left = round(float(seconds) - rest)
    music = sum(t.duration for t in items[k].tracks) if items[k].kind == "playlist" else 3600.0
    if left < 1:
        raise ValidationError(f"length: at least {rest + 1:.0f} s (its other pieces take {rest:.0f} s)")
    if left > music + 0.5:
        raise ValidationError(f"length: at most {rest + music:.0f} s (the music lasts {music:.0f} s)")
    items[k] = replace(items[k], seconds=float(left))
    return replace(programme, items=tuple(items))


def resize(service, rule_id: int, seconds: float, *, who=None) -> float:
    """A slot's lower edge dragged in the calendar: the slots of rule ``rule_id`` last ``seconds`` (its
    programme's music or silence fills them, see :func:`fit`); the programme itself and the other
    rules that play it keep their length. Returns the slots' new length."""
    with service.db.session() as s:
        may_schedule(s, who, action="change the schedule")
        programme_id = store.stored_rule(s, rule_id).programme_id
    length = fit(service.programme(programme_id), seconds).estimated_duration
    with service.db.session() as s:
        store.stored_rule(s, rule_id).length_s = length
        service.db.signals.send(s, CHANGED)
    return length
