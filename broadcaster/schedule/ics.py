"""iCalendar (RFC 5545) export of slots and import of VEVENTs as rules, read and written by the
``icalendar`` package (folding, escaping, VTIMEZONE, RRULE), so files exported by Google Calendar or
Outlook import as they were meant.

Export: one VEVENT per slot, DTSTART in UTC, UID stable per slot (rule + instant).
Import: DTSTART in UTC, with a TZID (an IANA name, or a name the file's VTIMEZONE defines, as Outlook
writes "China Standard Time") or floating (= venue-local). No RRULE -> one-off rule;
``FREQ=WEEKLY`` (BYDAY, else the start's weekday) -> weekly; ``FREQ=DAILY`` -> daily; ``UNTIL`` or
``COUNT`` -> end date; ``EXDATE`` -> exception dates. A changed occurrence (an event with RECURRENCE-ID,
as Google and Outlook write one) excepts that date from its series and, unless cancelled, airs once
at its new time. Anything else is refused with a message naming the event.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from broadcaster.errors import ValidationError
from broadcaster.schedule.rules import RuleSpec, Slot, parse_days, venue_zone

UTC = timezone.utc
PRODID = "-//PA Broadcaster//Schedule//EN"


def export_slots(slots: Iterable[Slot], *, durations: dict[str, float] | None = None, tz: str = "UTC",
                 calname: str = "PA schedule") -> str:
    """A VCALENDAR with one VEVENT per slot. ``durations`` (programme name -> seconds) sets DTEND."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calname)
    cal.add("x-wr-timezone", tz)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for s in slots:
        ev = icalendar.Event()
        ev.add("uid", f"{s.uid}@pa-broadcaster")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", s.at.astimezone(UTC))
        secs = (durations or {}).get(s.programme)
        if secs:
            ev.add("dtend", s.at.astimezone(UTC) + timedelta(seconds=round(secs)))
        ev.add("summary", s.programme)
        ev.add("location", ", ".join(s.zones))
        ev.add("description", f"zones {','.join(s.zones)}; priority {s.priority}; rule {s.rule_id}; "
                              f"local {s.local:%Y-%m-%d %H:%M:%S %Z}")
        cal.add_component(ev)
    return cal.to_ical().decode("utf-8")


@dataclass(frozen=True)
class ImportedEvent:
    uid: str
    summary: str
    spec: RuleSpec


class EventError(ValidationError):
    """A calendar file this system cannot import: ``event`` names the event at fault (its title, else its
    UID; "" for the whole file), ``problem`` says what is wrong in a word the panel puts in the staff's
    language, ``detail`` the part at fault."""

    def __init__(self, message: str, problem: str, event: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.problem, self.event, self.detail = problem, event, detail


def _local(value, zone: ZoneInfo, what: str) -> datetime:
    """A decoded DTSTART/EXDATE/RECURRENCE-ID as an aware datetime in the venue zone."""
    if not isinstance(value, datetime):
        raise EventError(f"{what}: all-day events are not supported (need a time of day), got {value}", "all_day",
                         _name(what.rsplit(" ", 1)[0]), str(value))
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)  # floating time = venue-local
    return value.astimezone(zone)


def _dates(ev, name: str, zone: ZoneInfo, label: str) -> set[date]:
    found = ev.get(name)
    items = found if isinstance(found, list) else [found] if found is not None else []
    return {_local(d.dt, zone, f"{label} {name}").date() for item in items for d in item.dts}


def _name(label: str) -> str:
    return label.removeprefix("event ").strip("'")


def _recur(ev, start: datetime, zone: ZoneInfo, label: str) -> tuple[str, tuple[int, ...], date | None]:
    name = _name(label)
    rule = ev.get("RRULE")
    if isinstance(rule, list):
        raise EventError(f"{label}: more than one RRULE is not supported", "rrule_many", name)
    parts = {k.upper(): v for k, v in rule.items()}
    freq = str((parts.pop("FREQ", None) or ["?"])[0]).upper()
    if freq not in ("WEEKLY", "DAILY"):
        raise EventError(f"{label}: RRULE FREQ={freq} is not supported (only WEEKLY with BYDAY, DAILY)", "freq", name,
                         freq)
    if int((parts.pop("INTERVAL", None) or [1])[0]) != 1:
        raise EventError(f"{label}: RRULE INTERVAL other than 1 is not supported", "interval", name)
    parts.pop("WKST", None)
    days: tuple[int, ...] = ()
    if freq == "WEEKLY":
        byday = [str(d).upper() for d in parts.pop("BYDAY", None) or []]
        if any(ch.isdigit() for d in byday for ch in d):
            raise EventError(f"{label}: RRULE BYDAY with ordinals ({','.join(byday)}) is not supported",
                             "byday_ordinal", name, ",".join(byday))
        days = parse_days(byday) if byday else (start.weekday(),)
    end = None
    if "UNTIL" in parts:
        until = parts.pop("UNTIL")[0]
        end = _local(until, zone, f"{label} UNTIL").date() if isinstance(until, datetime) else until
    if "COUNT" in parts:  # the date of the last occurrence (EXDATEs do not change it: RFC 5545 3.8.5.1)
        text = rule.to_ical().decode()
        naive = start.replace(tzinfo=None)
        end = list(rrulestr(text, dtstart=naive))[-1].date()
        parts.pop("COUNT")
    if parts:
        raise EventError(f"{label}: RRULE part(s) {', '.join(sorted(parts))} not supported", "rrule_parts", name,
                         ", ".join(sorted(parts)))
    return freq, days, end


def _event(ev, zone: ZoneInfo) -> tuple[str, str, RuleSpec]:
    uid = str(ev.get("UID") or "")
    summary = str(ev.get("SUMMARY") or "")
    label = f"event {summary or uid!r}"
    name = _name(label)
    if ev.get("DTSTART") is None:
        raise EventError(f"{label}: VEVENT without DTSTART", "no_start", name)
    start = _local(ev.decoded("DTSTART"), zone, f"{label} DTSTART")
    at = start.time().replace(microsecond=0)
    if ev.get("RDATE") is not None:
        raise EventError(f"{label}: RDATE is not supported; use separate events", "rdate", name)
    try:
        if ev.get("RRULE") is None:
            return uid, summary, RuleSpec("once", at=at, on_date=start.date()).validate()
        freq, days, end = _recur(ev, start, zone, label)
        return uid, summary, RuleSpec("weekly" if freq == "WEEKLY" else "daily", at=at, days=days,
                                      start_date=start.date(), end_date=end,
                                      except_dates=frozenset(_dates(ev, "EXDATE", zone, label))).validate()
    except EventError:
        raise
    except ValidationError as exc:
        raise EventError(f"{label}: {exc}", "rule", name, str(exc)) from None


def parse_events(text: str | bytes, tz: str | ZoneInfo) -> list[ImportedEvent]:
    """Every VEVENT as a rule spec (venue-local). Raises ValidationError naming the first bad event."""
    zone = tz if isinstance(tz, ZoneInfo) else venue_zone(tz)
    raw = text.decode("utf-8") if isinstance(text, bytes) else text
    if not raw.lstrip("\ufeff \r\n\t").upper().startswith("BEGIN:VCALENDAR"):
        raise EventError("ics: file does not start with BEGIN:VCALENDAR", "not_calendar")
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except (ValueError, KeyError) as exc:
        raise EventError(f"ics: not a calendar file this system can read ({exc})", "unreadable") from None
    masters: list[ImportedEvent] = []
    changed: list[tuple[str, str, date, RuleSpec | None]] = []  # (uid, summary, original date, new rule)
    for ev in cal.walk("VEVENT"):
        uid, summary, spec = _event(ev, zone)
        if ev.get("RECURRENCE-ID") is not None:
            label = f"event {summary or uid!r}"
            original = _local(ev.decoded("RECURRENCE-ID"), zone, f"{label} RECURRENCE-ID").date()
            cancelled = str(ev.get("STATUS") or "").upper() == "CANCELLED"
            changed.append((uid, summary, original, None if cancelled else spec))
        else:
            masters.append(ImportedEvent(uid, summary, spec))
    out = list(masters)
    for uid, summary, original, spec in changed:
        for i, m in enumerate(out):
            if m.uid == uid and m.spec.kind in ("weekly", "daily"):
                out[i] = replace(m, spec=replace(m.spec, except_dates=m.spec.except_dates | {original}))
        if spec is not None:
            out.append(ImportedEvent(f"{uid}/{original.isoformat()}", summary, spec))
    if not out:
        raise EventError("ics: no VEVENT found", "no_events")
    return out
