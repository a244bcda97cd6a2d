"""CLI: playlist, music, programme, rule, closed, plan, ics, venue, missed."""
from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from broadcaster.store.db import Database
from broadcaster.errors import ValidationError
from broadcaster.inputs import Rule, parse, record_id
from broadcaster.inputs_studio import CalendarImport, ClosedDay, PlaylistImport, Programme, VenueZone, option
from broadcaster.schedule import ics
from broadcaster.schedule.plan import day_plan, format_plan
from broadcaster.schedule.programmes import ItemSpec, ProgrammeService
from broadcaster.schedule.rules import RuleSpec, parse_date, rule_from, venue_zone


def _service(args) -> ProgrammeService:
    return ProgrammeService(Database(args.db))


def _seconds(text: str, field: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(h|m|min|s)?\s*", text or "")
    if not m:
        raise ValidationError(f"{field}: expected a duration like 90, 90s, 30m or 1h, got {text!r}")
    return float(m.group(1)) * {"h": 3600, "m": 60, "min": 60}.get(m.group(2) or "s", 1)


class _Item(argparse.Action):
    """Programme items keep the order they were given in on the command line."""

    def __call__(self, parser, ns, value, _option_string=None):
        items = list(getattr(ns, "items", None) or [])
        items.append((self.dest, value))
        ns.items = items


def _to_spec(kind: str, value: str) -> ItemSpec:
    if kind == "announcement":
        if not str(value).isdigit():
            raise ValidationError(f"announcement: expected an announcement id, got {value!r}")
        return ItemSpec("announcement", announcement_id=int(value))
    if kind == "recording":
        return ItemSpec("recording", path=value)
    if kind == "playlist":
        name, _, limit = value.partition(":")
        return ItemSpec("playlist", playlist=name, seconds=_seconds(limit, "playlist limit") if limit else None)
    if kind == "silence":
        return ItemSpec("silence", seconds=_seconds(value, "silence"))
    return ItemSpec("chime", chime=value)


# -- playlist ---------------------------------------------------------------------------------------
def cmd_playlist_import(args) -> int:
    svc = _service(args)
    svc.import_playlist(args.file, args.name, shuffle=args.shuffle, crossfade_s=args.crossfade, replace=args.replace)
    pl = svc.playlist(args.name or Path(args.file).stem)
    print(f"imported playlist {pl.name!r}: {len(pl.tracks)} tracks, {pl.duration / 60:.1f} min")
    return 0


def cmd_playlist_export(args) -> int:
    path = _service(args).export_playlist(args.name, args.file)
    print(f"wrote {path}")
    return 0


def cmd_playlist_list(args) -> int:
    for name, n, secs, shuffle in _service(args).list_playlists():
        print(f"{name:30} {n:4} tracks {secs / 60:7.1f} min  {'shuffle' if shuffle else 'in order'}")
    return 0


# -- programme --------------------------------------------------------------------------------------
def cmd_programme_create(args) -> int:
    v = parse(Programme, {"name": args.name, "priority": args.priority, "zones": args.zones,
                          "description": args.description})  # the programme editor's model
    items = [_to_spec(k, x) for k, x in (args.items or [])]
    p = _service(args).create_programme(v.name, items, priority=v.priority or "programme", zones=v.zones,
                                        background=args.background, description=v.description or "")
    print(f"created programme #{p.id} {p.name!r}: {p.describe()} (~{p.estimated_duration / 60:.1f} min)")
    return 0


def cmd_programme_list(args) -> int:
    for p in _service(args).list_programmes():
        bg = " [background]" if p.background else ""
        print(f"#{p.id:<4} {p.name:28} prio {p.priority:<3} zones {','.join(p.zones):14}{bg}  {p.describe()}")
    return 0


# -- rules ------------------------------------------------------------------------------------------
def _rule(args) -> tuple[Rule, RuleSpec]:
    """The options through the API's and the panel's rule model, then as a rule specification."""
    kind = ("weekly" if args.weekly is not None else "daily" if args.daily else
            "interval" if args.every is not None else "once")
    r = parse(Rule, {"programme": args.programme, "kind": kind, "at": args.at, "every_minutes": args.every,
                     "days": args.weekly if kind == "weekly" else args.days, "window_start": args.window_from,
                     "window_end": args.window_to, "on_date": args.once, "start_date": args.start,
                     "end_date": args.end, "except_dates": args.except_dates, "zones": args.zones,
                     "priority": args.priority})
    return r, rule_from(r.given())


def cmd_rule_add(args) -> int:
    svc = _service(args)
    rule, spec = _rule(args)
    rid = svc.add_rule(rule.programme, spec, zones=rule.zones, priority=rule.priority)
    print(f"added rule #{rid}: {rule.programme!r} {spec.describe()} ({svc.tz})")
    return 0


def cmd_rule_list(args) -> int:
    svc = _service(args)
    print(f"venue time zone: {svc.tz}")
    for r in svc.rules():
        print(f"#{r.rule_id:<4} {r.programme:28} {r.spec.describe()}  zones {','.join(r.zones)} prio {r.priority}")
    return 0


def cmd_rule_remove(args) -> int:
    _service(args).remove_rule(args.id)
    print(f"removed rule #{args.id}")
    return 0


def cmd_closed_add(args) -> int:
    v = parse(ClosedDay, {"date": args.date, "reason": args.reason})
    _service(args).add_closed_day(parse_date(v.date, "date"), v.reason or "")
    print(f"closed on {args.date}")
    return 0


def cmd_closed_list(args) -> int:
    for d, reason in _service(args).closed_days().items():
        print(f"{d}  {reason}")
    return 0


# -- plan / ics / venue -----------------------------------------------------------------------------
def _today(svc: ProgrammeService) -> date:
    return datetime.now(venue_zone(svc.tz)).date()


def cmd_plan(args) -> int:
    svc = _service(args)
    print(format_plan(day_plan(svc, parse_date(args.date, "date") if args.date else _today(svc))), end="")
    return 0


def cmd_ics_export(args) -> int:
    if len(args.rest) not in (1, 2):
        raise ValidationError("usage: ics export [--week] [DATE] FILE")
    svc = _service(args)
    start = parse_date(args.rest[0], "date") if len(args.rest) == 2 else _today(svc)
    if args.week:
        start -= timedelta(days=start.weekday())
    end = start + timedelta(days=6 if args.week else 0)
    slots = svc.expand(start, end)
    durations = {p.name: p.estimated_duration for p in svc.list_programmes()}
    Path(args.rest[-1]).write_text(ics.export_slots(slots, durations=durations, tz=svc.tz,
                                                    calname=f"PA schedule {start}..{end}"), encoding="utf-8")
    print(f"wrote {len(slots)} events ({start} to {end}) to {args.rest[-1]}")
    return 0


def cmd_ics_import(args) -> int:
    svc = _service(args)
    try:
        data = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"file: cannot read {args.file}: {exc}") from None
    events = ics.parse_events(data, svc.tz)  # every event is validated before anything is stored
    prog = svc.programme(args.programme)
    for ev in events:  # the first rule is refused, and none stored, when the programme is not approved
        rid = svc.add_rule(prog.id, ev.spec, source=f"ics:{ev.uid}")
        print(f"added rule #{rid}: {prog.name!r} {ev.spec.describe()}  <- {ev.summary or ev.uid}")
    return 0


def cmd_venue(args) -> int:
    svc = _service(args)
    if args.tz:
        svc.set_tz(args.tz)  # the venue settings: the desk numbers cases by the same venue date
    print(f"venue time zone: {svc.tz}")
    return 0


def cmd_missed(args) -> int:
    svc = _service(args)
    zone = venue_zone(svc.tz)
    for m in svc.missed():
        print(f"{m.slot_at.astimezone(zone):%Y-%m-%d %H:%M:%S}  {m.programme_name:28} {m.reason}")
    return 0


def cmd_music_measure(args) -> int:
    done = _service(args).measure_tracks(limit=args.limit)
    for playlist, title in done:
        print(f"measured {playlist!r}: {title}")
    print(f"{len(done)} track{'' if len(done) == 1 else 's'} measured")
    return 0


def register(sub) -> None:
    pl = sub.add_parser("playlist", help="music playlists (M3U/M3U8)").add_subparsers(dest="action", required=True)
    p = pl.add_parser("import", help="import an .m3u/.m3u8 file")
    p.add_argument("file")
    p.add_argument("--name", type=option(PlaylistImport, "name"))
    p.add_argument("--shuffle", action="store_true")
    p.add_argument("--crossfade", type=option(PlaylistImport, "crossfade_s"), default=3.0,
                   help="seconds, 0 to 30 (default 3)")
    p.add_argument("--replace", action="store_true")
    p.set_defaults(func=cmd_playlist_import)
    p = pl.add_parser("export", help="write a playlist as .m3u/.m3u8 (UTF-8)")
    p.add_argument("name")
    p.add_argument("file")
    p.set_defaults(func=cmd_playlist_export)
    pl.add_parser("list").set_defaults(func=cmd_playlist_list)
    mu = sub.add_parser("music", help="the music library").add_subparsers(dest="action", required=True)
    p = mu.add_parser("measure", help="measure the loudness of tracks stored before it was kept")
    p.add_argument("--limit", type=int, help="at most this many tracks")
    p.set_defaults(func=cmd_music_measure)

    pr = sub.add_parser("programme", help="programmes").add_subparsers(dest="action", required=True)
    p = pr.add_parser("create", help="items in the order given: --chime --announcement ID --playlist NAME:30m ...")
    p.add_argument("name")
    p.add_argument("--chime", nargs="?", const="programme", action=_Item, dest="chime")
    p.add_argument("--announcement", action=_Item, metavar="ID")
    p.add_argument("--recording", action=_Item, metavar="FILE")
    p.add_argument("--playlist", action=_Item, metavar="NAME[:LIMIT]")
    p.add_argument("--silence", action=_Item, metavar="SECONDS")
    p.add_argument("--priority", default="programme")
    p.add_argument("--zones", default="main")
    p.add_argument("--background", action="store_true", help="the default music that fills silence")
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_programme_create, items=[])
    pr.add_parser("list").set_defaults(func=cmd_programme_list)

    ru = sub.add_parser("rule", help="schedule rules").add_subparsers(dest="action", required=True)
    p = ru.add_parser("add", help="schedule a programme")
    p.add_argument("programme")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--weekly", metavar="DAYS", help="e.g. mon,wed,fri")
    kind.add_argument("--daily", action="store_true")
    kind.add_argument("--every", type=int, metavar="MINUTES")
    kind.add_argument("--once", metavar="DATE")
    p.add_argument("--at", metavar="HH:MM")
    p.add_argument("--from", dest="window_from", metavar="HH:MM")
    p.add_argument("--to", dest="window_to", metavar="HH:MM")
    p.add_argument("--days", help="limit --every to these weekdays")
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--except", dest="except_dates", action="append", metavar="DATE")
    p.add_argument("--zones")
    p.add_argument("--priority")
    p.set_defaults(func=cmd_rule_add)
    ru.add_parser("list").set_defaults(func=cmd_rule_list)
    p = ru.add_parser("remove")
    p.add_argument("id", type=record_id)
    p.set_defaults(func=cmd_rule_remove)

    cl = sub.add_parser("closed", help="closed days (no programmes)").add_subparsers(dest="action", required=True)
    p = cl.add_parser("add")
    p.add_argument("date")
    p.add_argument("reason", nargs="?", default="")
    p.set_defaults(func=cmd_closed_add)
    cl.add_parser("list").set_defaults(func=cmd_closed_list)

    p = sub.add_parser("plan", help="what airs on a day (default today)")
    p.add_argument("date", nargs="?")
    p.set_defaults(func=cmd_plan)

    ic = sub.add_parser("ics", help="iCalendar export/import").add_subparsers(dest="action", required=True)
    p = ic.add_parser("export", help="ics export [--week] [DATE] FILE")
    p.add_argument("--week", action="store_true", help="the Monday-Sunday week containing DATE")
    p.add_argument("rest", nargs="+", metavar="[DATE] FILE")
    p.set_defaults(func=cmd_ics_export)
    p = ic.add_parser("import", help="create rules from VEVENTs")
    p.add_argument("file")
    p.add_argument("--programme", required=True, type=option(CalendarImport, "programme"))
    p.set_defaults(func=cmd_ics_import)

    p = sub.add_parser("venue", help="show or set the venue time zone")
    p.add_argument("--tz", type=option(VenueZone, "timezone"), help="IANA name, e.g. Asia/Shanghai")
    p.set_defaults(func=cmd_venue)
    sub.add_parser("missed", help="slots that did not air, and why").set_defaults(func=cmd_missed)
