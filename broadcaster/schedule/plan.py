"""Day plan: what airs when (venue-local), in which zones; background music fills the gaps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from broadcaster.priorities import Priority
from broadcaster.schedule.programmes import ProgrammeService
from broadcaster.schedule.rules import venue_zone


@dataclass(frozen=True)
class PlanEntry:
    start: datetime  # venue-local, aware
    end: datetime
    programme: str
    zones: tuple[str, ...]
    priority: int
    background: bool = False


@dataclass(frozen=True)
class DayPlan:
    day: date
    tz: str
    entries: list[PlanEntry]
    closed: str | None = None  # reason, if the venue is closed that day

    def at(self, when: datetime) -> PlanEntry | None:
        """What plays at ``when``: the scheduled item, else the background entry covering it."""
        hits = [e for e in self.entries if e.start <= when < e.end]
        return max(hits, key=lambda e: (not e.background, e.priority), default=None)


def day_plan(service: ProgrammeService, day: date) -> DayPlan:
    zone = venue_zone(service.tz)
    closed = service.closed_days()
    if day in closed:
        return DayPlan(day, service.tz, [], closed[day] or "closed")
    durations: dict[int | None, float] = {}
    entries: list[PlanEntry] = []
    for s in service.expand(day, day):
        if s.programme_id not in durations:
            durations[s.programme_id] = service.programme(s.programme_id or s.programme).estimated_duration
        end = (s.at + timedelta(seconds=max(1.0, s.length_s or durations[s.programme_id]))).astimezone(zone)
        entries.append(PlanEntry(s.local, end, s.programme, s.zones, s.priority))
    bg = service.background()
    if bg is not None:
        cursor = datetime.combine(day, time(0), zone)
        day_end = datetime.combine(day + timedelta(days=1), time(0), zone)
        gaps = []
        for e in sorted(entries, key=lambda e: e.start):
            if e.start > cursor:
                gaps.append((cursor, e.start))
            cursor = max(cursor, e.end)
        if cursor < day_end:
            gaps.append((cursor, day_end))
        entries += [PlanEntry(a, b, bg.name, bg.zones, bg.priority, True) for a, b in gaps]
    entries.sort(key=lambda e: (e.start, e.background))
    return DayPlan(day, service.tz, entries)


def format_plan(plan: DayPlan) -> str:
    head = f"Plan for {plan.day:%a %Y-%m-%d} ({plan.tz})"
    if plan.closed is not None:
        return f"{head}\nvenue closed: {plan.closed}\n"
    lines = [head, f"{'start':8}  {'end':8}  {'programme':28} {'zones':16} priority"]
    for e in plan.entries:
        name = ("(background) " if e.background else "") + e.programme
        prio = Priority.class_of(e.priority).label
        end = "24:00:00" if e.end.date() > plan.day else f"{e.end:%H:%M:%S}"
        lines.append(f"{e.start:%H:%M:%S}  {end:8}  {name[:28]:28} {','.join(e.zones)[:16]:16} {e.priority} ({prio})")
    if len(lines) == 2:
        lines.append("(nothing scheduled and no background programme: silence)")
    return "\n".join(lines) + "\n"
