"""Importing a calendar file: first what it will change (a preview), then the change itself.

Each event becomes a rule of the programme its title names (else of the programme chosen for the file).
An event imported before (same UID: the rule's source is ``ics:<UID>``) replaces its rule when it
changed and is left alone when it did not. Nothing is stored unless every event can be imported."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from broadcaster.schedule import ics, store
from broadcaster.schedule.rules import RuleSpec, ScheduledRule
from broadcaster.store.models.schedule import ScheduleRule

ADD, REPLACE, SAME = "add", "replace", "same"


@dataclass(frozen=True)
class Change:
    uid: str
    title: str
    programme: str
    spec: RuleSpec
    action: str  # add / replace / same
    rule_id: int | None = None  # the rule replaced or left alone
    old: RuleSpec | None = None


def plan(service, text: str | bytes, programme: str | None = None) -> list[Change]:
    """What importing ``text`` would do; raises ValidationError (naming the event) if any event cannot
    be imported: a bad event, or no programme for it."""
    events = ics.parse_events(text, service.tz)
    names = {p.name.casefold(): p.name for p in service.list_programmes() if not p.background}
    default = service.programme(int(programme) if str(programme).isdigit() else programme).name if programme else None
    existing = _imported_rules(service)
    out: list[Change] = []
    for ev in events:
        name = names.get(ev.summary.strip().casefold()) or default
        if name is None:
            raise ics.EventError(f"programme: no programme is called {ev.summary or ev.uid!r}; "
                                 "choose the programme these events air", "no_programme", ev.summary or ev.uid)
        old = existing.get(f"ics:{ev.uid}"[:255])
        if old is None:
            out.append(Change(ev.uid, ev.summary, name, ev.spec, ADD))
        else:
            same = old.spec == ev.spec and old.programme == name
            out.append(Change(ev.uid, ev.summary, name, ev.spec, SAME if same else REPLACE, old.rule_id, old.spec))
    return out


def _imported_rules(service) -> dict[str, ScheduledRule]:
    """The rules imported from calendars, by their source (``ics:<UID>``)."""
    with service.db.session() as s:
        rows = s.scalars(select(ScheduleRule).where(ScheduleRule.source.like("ics:%")))
        return {r.source: store.scheduled_rule(r) for r in rows}


def apply(service, text: str | bytes, programme: str | None = None, *, who=None) -> list[Change]:
    """Import: every event checked first (:func:`plan`, and each programme approved to air), then the
    rules written. Returns the changes made."""
    changes = plan(service, text, programme)
    for name in {c.programme for c in changes if c.action != SAME}:
        service.check_approved(service.programme(name))
    for c in changes:
        if c.action == ADD:
            service.add_rule(c.programme, c.spec, source=f"ics:{c.uid}"[:255], who=who)
        elif c.action == REPLACE:
            service.add_rule(c.programme, c.spec, source=f"ics:{c.uid}"[:255], who=who, replaces=c.rule_id)
    return changes


def week_file(service, start: date) -> str:
    """The week from ``start`` (a Monday) as a calendar file."""
    end = start + timedelta(days=6)
    durations = {p.name: p.estimated_duration for p in service.list_programmes()}
    return ics.export_slots(service.expand(start, end), durations=durations, tz=service.tz,
                            calname=f"PA schedule {start}..{end}")
