"""Schedule rules and their expansion into slots, in the venue's time zone.

Rule kinds: ``weekly`` (days + time), ``daily`` (time), ``interval`` (every N minutes from window start
to window end, both edges included when they land on the step), ``once`` (a date + time). Any rule may
have a validity range and exception dates; venue-wide closed days suppress every rule.

Daylight saving: a local time that does not exist (spring forward) airs once at the next valid instant
(the moment the clocks jump); an ambiguous local time (fall back) airs once, at its first occurrence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcaster.errors import ValidationError

UTC = timezone.utc
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("weekly", "daily", "interval", "once")
DAY_NUMBERS = {name: i for i, w in enumerate(WEEKDAYS) for name in (w, w[:2])}


def venue_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"tz: unknown IANA time zone {name!r} (e.g. Asia/Shanghai, Europe/London)") from None


def parse_days(text: str | Iterable[str | int]) -> tuple[int, ...]:
    """``"mon,wed,fri"`` / ``["MO", "WE"]`` / ``[0, 2]`` -> sorted weekday numbers (Monday = 0)."""
    items = text.replace(" ", "").split(",") if isinstance(text, str) else list(text)
    out: set[int] = set()
    for it in items:
        if it == "":
            continue
        if isinstance(it, int):
            if not 0 <= it <= 6:
                raise ValidationError(f"days: weekday number must be 0-6, got {it}")
            out.add(it)
            continue
        key = it.strip().lower()[:3]  # "monday", "mon" and iCalendar's "MO"
        if key not in DAY_NUMBERS:
            raise ValidationError(f"days: unknown weekday {it!r}; use mon,tue,wed,thu,fri,sat,sun")
        out.add(DAY_NUMBERS[key])
    return tuple(sorted(out))


def parse_time(text: str | time, field_name: str = "at") -> time:
    if isinstance(text, time):
        return text
    try:
        return time.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{field_name}: expected a local time HH:MM[:SS], got {text!r}") from None


def parse_date(text: str | date, field_name: str = "date") -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{field_name}: expected a date YYYY-MM-DD, got {text!r}") from None


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    at: time | None = None
    days: tuple[int, ...] = ()  # weekly: required; interval: optional filter (empty = every day)
    every_minutes: int | None = None
    window_start: time | None = None
    window_end: time | None = None
    on_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    except_dates: frozenset[date] = field(default_factory=frozenset)

    def validate(self) -> "RuleSpec":
        """Every problem at once (FieldErrors by field), in the words of the schedule form."""
        from broadcaster.errors import FieldErrors

        if self.kind not in KINDS:
            raise FieldErrors({"kind": "choose how often it airs"})
        errors: dict[str, str] = {}
        if self.kind in ("weekly", "daily", "once") and self.at is None:
            errors["at"] = "give the time it airs"
        if self.kind == "weekly" and not self.days:
            errors["days"] = "tick at least one weekday"
        if self.kind == "once" and self.on_date is None:
            errors["on_date"] = "give the date"
        if self.kind == "interval":
            if not self.every_minutes or self.every_minutes < 1 or self.every_minutes > 24 * 60:
                errors["every_minutes"] = "give the minutes between airings (1 to 1440)"
            if self.window_start is None or self.window_end is None:
                errors["window_start"] = "give the hours it airs in (e.g. 10:00 to 17:00)"
            elif self.window_end <= self.window_start:
                errors["window_end"] = "the end must be after the start"
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "the last day must be after the first"
        if errors:
            raise FieldErrors(errors)
        return self

    def wall_times(self) -> list[timedelta]:
        """Local wall-clock offsets from midnight at which this rule fires on an active day."""
        if self.kind == "interval":
            assert self.window_start and self.window_end and self.every_minutes
            t = _td(self.window_start)
            end, step = _td(self.window_end), timedelta(minutes=self.every_minutes)
            out = []
            while t <= end:
                out.append(t)
                t += step
            return out
        assert self.at is not None
        return [_td(self.at)]

    def active_on(self, d: date) -> bool:
        if self.start_date and d < self.start_date or self.end_date and d > self.end_date:
            return False
        if d in self.except_dates:
            return False
        if self.kind == "once":
            return d == self.on_date
        if self.kind == "weekly" or (self.kind == "interval" and self.days):
            return d.weekday() in self.days
        return True

    def describe(self) -> str:
        ex = f" except {','.join(str(d) for d in sorted(self.except_dates))}" if self.except_dates else ""
        rng = ""
        if self.start_date or self.end_date:
            rng = f" from {self.start_date or '...'} to {self.end_date or '...'}"
        days = ",".join(WEEKDAYS[d] for d in self.days)
        if self.kind == "weekly":
            s = f"weekly {days} at {self.at:%H:%M}"
        elif self.kind == "daily":
            s = f"daily at {self.at:%H:%M}"
        elif self.kind == "interval":
            s = f"every {self.every_minutes} min {self.window_start:%H:%M}-{self.window_end:%H:%M}"
            s += f" on {days}" if days else ""
        else:
            s = f"once on {self.on_date} at {self.at:%H:%M}"
        return s + rng + ex


def rule_from(values: dict) -> RuleSpec:
    """A RuleSpec from the fields of the Rule input model (checked there; ``validate`` is the schedule
    service's): the panel's form, the API's body and ``broadcaster rule add``."""
    opt = lambda k, fn: fn(values[k], k) if values.get(k) is not None else None  # noqa: E731
    return RuleSpec(kind=values["kind"], at=opt("at", parse_time), days=parse_days(values.get("days") or ""),
                    every_minutes=values.get("every_minutes"), window_start=opt("window_start", parse_time),
                    window_end=opt("window_end", parse_time), on_date=opt("on_date", parse_date),
                    start_date=opt("start_date", parse_date), end_date=opt("end_date", parse_date),
                    except_dates=frozenset(parse_date(x, "except_dates") for x in values.get("except_dates") or []))


def _td(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second)


@dataclass(frozen=True)
class ScheduledRule:
    """A rule plus what it airs: the expansion input."""

    spec: RuleSpec
    programme: str
    rule_id: int | None = None
    programme_id: int | None = None
    zones: tuple[str, ...] = ("main",)
    priority: int = 30
    length_s: float | None = None  # its slots' length (None: the programme's own)


class Slot(NamedTuple):
    at: datetime  # aware UTC instant
    local: datetime  # the same instant, venue-local
    programme: str
    rule_id: int | None
    zones: tuple[str, ...]
    priority: int
    programme_id: int | None = None
    length_s: float | None = None  # the rule's length for its slots (None: the programme's own)

    @property
    def uid(self) -> str:
        """Stable per slot: the same rule at the same instant always has the same uid."""
        return f"r{self.rule_id if self.rule_id is not None else 0}-{self.at:%Y%m%dT%H%M%SZ}"


def parse_uid(uid: str) -> tuple[int | None, datetime]:
    """(rule id, instant) of a slot's uid (:attr:`Slot.uid` the other way round)."""
    rule_part, _, stamp = uid.partition("-")
    rule_id = int(rule_part[1:]) if rule_part[1:].isdigit() and rule_part[1:] != "0" else None
    return rule_id, datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def resolve_local(naive: datetime, tz: ZoneInfo) -> datetime:
    """UTC instant for a venue-local wall time: first occurrence if ambiguous, next valid instant if it
    does not exist."""
    u0 = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if u0.astimezone(tz).replace(tzinfo=None) == naive:
        return u0  # exists; fold=0 is the first occurrence when ambiguous
    u1 = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(u0, u1), max(u0, u1)
    target = hi.astimezone(tz).utcoffset()
    while (hi - lo) > timedelta(seconds=1):  # bisect for the transition instant
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _day_offset(d: date, tz: ZoneInfo) -> timedelta | None:
    """The day's UTC offset if it is the same all day (no DST change that day), else None."""
    o1 = datetime.combine(d, time(0), tz).utcoffset()
    o2 = datetime.combine(d, time(23, 59, 59), tz).utcoffset()
    return o1 if o1 == o2 else None


def expand(rules: Iterable[ScheduledRule], start: date, end: date, tz: str | ZoneInfo,
           closed: Iterable[date] = ()) -> list[Slot]:
    """All slots from ``start`` to ``end`` (venue-local dates, inclusive), sorted by instant, then higher
    priority first."""
    zone = tz if isinstance(tz, ZoneInfo) else venue_zone(tz)
    if end < start:
        raise ValidationError(f"end: {end} is before start {start}")
    closed_days = set(closed)
    ndays = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(ndays)]
    open_days = [d for d in days if d not in closed_days]
    # per day: UTC and local midnight when the offset is constant all day (the fast path), else None
    fast: dict[date, tuple[datetime, datetime] | None] = {}
    for d in open_days:
        off = _day_offset(d, zone)
        mid = datetime(d.year, d.month, d.day)
        fast[d] = None if off is None else ((mid - off).replace(tzinfo=UTC), mid.replace(tzinfo=zone))
    slots: list[Slot] = []
    append = slots.append
    make = tuple.__new__
    # ties on the same instant: higher priority first, then rule id (the final sort is stable)
    for r in sorted(rules, key=lambda r: (-int(r.priority), r.rule_id or 0)):
        spec = r.spec
        wall = spec.wall_times()
        meta = (r.programme, r.rule_id, tuple(r.zones), int(r.priority), r.programme_id, r.length_s)
        for d in open_days:
            if not spec.active_on(d):
                continue
            base = fast[d]
            if base is not None:
                utc_mid, local_mid = base
                for w in wall:
                    append(make(Slot, (utc_mid + w, local_mid + w) + meta))
            else:
                seen: set[datetime] = set()
                mid = datetime(d.year, d.month, d.day)
                for w in wall:
                    at = resolve_local(mid + w, zone)
                    if at not in seen:
                        seen.add(at)
                        append(make(Slot, (at, at.astimezone(zone)) + meta))
    slots.sort(key=itemgetter(0))
    return slots
