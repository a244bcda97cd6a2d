"""iCalendar (RFC 5545) export of slots and import of VEVENTs as rules. Written by hand, no package.

Export: one VEVENT per slot, DTSTART in UTC, UID stable per slot (rule + instant).
Import: DTSTART (UTC ``Z``, ``TZID=...`` or floating = venue-local); no RRULE -> one-off rule;
``RRULE:FREQ=WEEKLY;BYDAY=..`` -> weekly; ``FREQ=DAILY`` -> daily; ``UNTIL`` -> end date;
``EXDATE`` -> exception dates. Anything else is refused with a message naming the event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from broadcaster.errors import ValidationError
from broadcaster.schedule.rules import RuleSpec, Slot, parse_days, venue_zone

UTC = timezone.utc
PRODID = "-//PA Broadcaster//Schedule//EN"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            out.append("\n" if n in "nN" else n)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, cur, size = [], [], 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > (75 if not parts else 74):
            parts.append("".join(cur))
            cur, size = [], 0
        cur.append(ch)
        size += n
    parts.append("".join(cur))
    return "\r\n ".join(parts)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def export_slots(slots: Iterable[Slot], *, durations: dict[str, float] | None = None, tz: str = "UTC",
                 calname: str = "PA schedule", now: datetime | None = None) -> str:
    """A VCALENDAR with one VEVENT per slot. ``durations`` (programme name -> seconds) sets DTEND."""
    stamp = _utc(now or datetime.now(UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(calname)}", f"X-WR-TIMEZONE:{tz}"]
    for s in slots:
        lines += ["BEGIN:VEVENT", f"UID:{s.uid}@pa-broadcaster", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(s.at)}"]
        secs = (durations or {}).get(s.programme)
        if secs:
            lines.append(f"DTEND:{_utc(s.at + timedelta(seconds=round(secs)))}")
        lines += [f"SUMMARY:{_escape(s.programme)}", f"LOCATION:{_escape(', '.join(s.zones))}",
                  f"DESCRIPTION:{_escape(f'zones {chr(44).join(s.zones)}; priority {s.priority}; rule {s.rule_id}; local {s.local:%Y-%m-%d %H:%M:%S %Z}')}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


@dataclass(frozen=True)
class _Prop:
    name: str
    params: dict[str, str]
    value: str


def _unfold(text: str) -> list[str]:
    out: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and out:
            out[-1] += raw[1:]
        elif raw.strip():
            out.append(raw)
    return out


def _prop(line: str, n: int) -> _Prop:
    head, sep, value = line.partition(":")
    if not sep:
        raise ValidationError(f"ics line {n}: not a property line: {line[:60]!r}")
    name, *params = head.split(";")
    p = {}
    for item in params:
        k, _, v = item.partition("=")
        p[k.upper()] = v.strip('"')
    return _Prop(name.upper(), p, value)


def _when(prop: _Prop, zone: ZoneInfo, what: str) -> datetime:
    """A DTSTART/EXDATE value as an aware datetime in the venue zone."""
    v = prop.value.strip()
    if prop.params.get("VALUE") == "DATE" or len(v) == 8:
        raise ValidationError(f"{what}: all-day events are not supported (need a time of day), got {v!r}")
    try:
        naive = datetime.strptime(v.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        raise ValidationError(f"{what}: bad date-time {v!r}") from None
    if v.endswith("Z"):
        return naive.replace(tzinfo=UTC).astimezone(zone)
    if "TZID" in prop.params:
        return naive.replace(tzinfo=venue_zone(prop.params["TZID"])).astimezone(zone)
    return naive.replace(tzinfo=zone)  # floating time = venue-local


@dataclass(frozen=True)
class ImportedEvent:
    uid: str
    summary: str
    spec: RuleSpec


def _event_rule(props: list[_Prop], zone: ZoneInfo, label: str) -> RuleSpec:
    byname: dict[str, list[_Prop]] = {}
    for p in props:
        byname.setdefault(p.name, []).append(p)
    if "DTSTART" not in byname:
        raise ValidationError(f"{label}: VEVENT without DTSTART")
    start = _when(byname["DTSTART"][0], zone, f"{label} DTSTART")
    exdates: set[date] = set()
    for p in byname.get("EXDATE", []):
        for v in p.value.split(","):
            exdates.add(_when(_Prop("EXDATE", p.params, v), zone, f"{label} EXDATE").date())
    if "RDATE" in byname:
        raise ValidationError(f"{label}: RDATE is not supported; use separate events")
    rrules = byname.get("RRULE", [])
    if not rrules:
        return RuleSpec("once", at=start.time().replace(microsecond=0), on_date=start.date()).validate()
    if len(rrules) > 1:
        raise ValidationError(f"{label}: more than one RRULE is not supported")
    parts = {}
    for item in rrules[0].value.split(";"):
        k, _, v = item.partition("=")
        parts[k.upper()] = v.upper()
    freq = parts.pop("FREQ", "")
    if freq not in ("WEEKLY", "DAILY"):
        raise ValidationError(f"{label}: RRULE FREQ={freq or '?'} is not supported (only WEEKLY with BYDAY, DAILY)")
    if parts.pop("INTERVAL", "1") != "1":
        raise ValidationError(f"{label}: RRULE INTERVAL other than 1 is not supported")
    end = None
    if "UNTIL" in parts:
        u = parts.pop("UNTIL")
        end = (_when(_Prop("UNTIL", {}, u), zone, f"{label} UNTIL").date() if "T" in u
               else datetime.strptime(u, "%Y%m%d").date())
    days: tuple[int, ...] = ()
    if freq == "WEEKLY":
        byday = parts.pop("BYDAY", "")
        if any(ch.isdigit() for ch in byday):
            raise ValidationError(f"{label}: RRULE BYDAY with ordinals ({byday}) is not supported")
        days = parse_days(byday) if byday else (start.weekday(),)
    parts.pop("WKST", None)
    if parts:
        raise ValidationError(f"{label}: RRULE part(s) {', '.join(sorted(parts))} not supported")
    at = start.time().replace(microsecond=0)
    return RuleSpec("weekly" if freq == "WEEKLY" else "daily", at=at, days=days, start_date=start.date(),
                    end_date=end, except_dates=frozenset(exdates)).validate()


def parse_events(text: str, tz: str | ZoneInfo) -> list[ImportedEvent]:
    """Every VEVENT as a rule spec (venue-local). Raises ValidationError naming the first bad event."""
    zone = tz if isinstance(tz, ZoneInfo) else venue_zone(tz)
    lines = _unfold(text)
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise ValidationError("ics: file does not start with BEGIN:VCALENDAR")
    events: list[ImportedEvent] = []
    props: list[_Prop] | None = None
    depth = 0
    for n, line in enumerate(lines, 1):
        p = _prop(line, n)
        if p.name == "BEGIN" and p.value.upper() == "VEVENT":
            props, depth = [], 0
        elif props is not None and p.name == "BEGIN":
            depth += 1  # e.g. VALARM inside the event: ignored
        elif props is not None and p.name == "END" and p.value.upper() != "VEVENT":
            depth -= 1
        elif p.name == "END" and p.value.upper() == "VEVENT":
            if props is None:
                raise ValidationError(f"ics line {n}: END:VEVENT without BEGIN")
            uid = next((q.value for q in props if q.name == "UID"), f"event-{len(events) + 1}")
            summary = _unescape(next((q.value for q in props if q.name == "SUMMARY"), ""))
            label = f"event {summary or uid!r}"
            events.append(ImportedEvent(uid, summary, _event_rule(props, zone, label)))
            props = None
        elif props is not None and depth == 0:
            props.append(p)
    if props is not None:
        raise ValidationError("ics: VEVENT not closed (missing END:VEVENT)")
    if not events:
        raise ValidationError("ics: no VEVENT found")
    return events
