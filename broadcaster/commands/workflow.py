"""Workflow commands: users, announcements, approval, queue, as-run and fault logs."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from broadcaster.store.db import Database
from broadcaster.errors import ValidationError
from broadcaster.inputs import Script, parse, record_id
from broadcaster.inputs_cases import Why
from broadcaster.inputs_studio import AsRunQuery, NewUser, RoleChange, ScriptEdit, option
from broadcaster.settings import load_settings
from broadcaster.store.media import MediaStore
from broadcaster.users import add_user, change_role, get_user, list_users
from broadcaster.commands import local, zone_list


def _services():
    from broadcaster.voices import venue_renderer
    from broadcaster.announcements.scripts import AnnouncementService
    from broadcaster.announcements.approval import ApprovalService, renderer_for

    media = MediaStore()
    settings = load_settings()
    anns = AnnouncementService(settings, media)
    return anns, ApprovalService(renderer_for(venue_renderer(settings), media), media)


def _station(db):
    """The station as the panel has it: airings written here, aired by the zone players."""
    from broadcaster.announcements.station import Station

    return Station(db, MediaStore(), venue_zones=load_settings().zones)


def _when(value: str | None):
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"time: {value!r} is not ISO 8601 (e.g. 2026-11-23T18:00+08:00)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=load_settings().tz)
    return dt


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="manage users")
    us = p.add_subparsers(dest="user_cmd", required=True)
    a = us.add_parser("add", help="add a user")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["broadcaster", "supervisor", "desk", "admin"])
    a.add_argument("--password", help="for the web panel (8+ characters); asked for when not given")
    a.add_argument("--no-login", action="store_true",
                   help="an account for the command line only, that cannot log in to the panel")
    a.set_defaults(func=cmd_user_add)
    us.add_parser("list").set_defaults(func=cmd_user_list)
    a = us.add_parser("role", help="give a user another role (their log-ins end; the last admin stays admin)")
    a.add_argument("name")
    a.add_argument("role", help="broadcaster, supervisor, desk or admin")
    a.set_defaults(func=cmd_user_role)

    p = sub.add_parser("announce", help="write announcements")
    an = p.add_subparsers(dest="ann_cmd", required=True)
    a = an.add_parser("create", help="a bilingual script or a recording")
    a.add_argument("--title", required=True)
    a.add_argument("--text", action="append", default=[], metavar="LANG=TEXT", help="repeat per language")
    a.add_argument("--recording", help="an audio file instead of text")
    a.add_argument("--author", required=True)
    a.add_argument("--priority", default="announcement")
    a.add_argument("--zone", action="append", dest="zones", metavar="ZONE[,ZONE]",
                   help="repeat or comma-separate (default: every zone of the venue)")
    a.add_argument("--valid-from")
    a.add_argument("--valid-until")
    a.set_defaults(func=cmd_announce_create)
    a = an.add_parser("list")
    a.add_argument("--state")
    a.set_defaults(func=cmd_announce_list)
    a = an.add_parser("show")
    a.add_argument("id", type=record_id)
    a.set_defaults(func=cmd_announce_show)
    a = an.add_parser("edit", help="a new version (the approved one keeps airing until it is approved)")
    a.add_argument("id", type=record_id)
    a.add_argument("--user", required=True)
    a.add_argument("--title")
    a.add_argument("--text", action="append", default=[], metavar="LANG=TEXT", help="repeat per language")
    a.set_defaults(func=cmd_announce_edit)

    for name, helptext in (("submit", "submit for approval"), ("approve", "approve (supervisor, not the author)")):
        a = sub.add_parser(name, help=helptext)
        a.add_argument("id", type=record_id)
        a.add_argument("--user", required=True)
        a.set_defaults(func=cmd_submit if name == "submit" else cmd_approve)
    a = sub.add_parser("reject", help="reject with a reason (supervisor)")
    a.add_argument("id", type=record_id)
    a.add_argument("--user", required=True)
    a.add_argument("--reason", required=True)
    a.set_defaults(func=cmd_reject)

    a = sub.add_parser("queue", help="what airs and waits in each zone (pages, announcements, programmes, music); with ID, put an approved announcement on air")
    a.add_argument("id", type=record_id, nargs="?")
    a.add_argument("--user")
    a.set_defaults(func=cmd_queue)
    a = sub.add_parser("unqueue", help="take an announcement off the air (queued or airing)")
    a.add_argument("id", type=record_id)
    a.add_argument("--user", required=True)
    a.set_defaults(func=cmd_unqueue)

    p = sub.add_parser("log", help="as-run log")
    lg = p.add_subparsers(dest="log_cmd", required=True)
    a = lg.add_parser("asrun")
    a.add_argument("--csv", help="write CSV to this file")
    a.add_argument("--limit", type=option(AsRunQuery, "limit"), default=50)
    a.set_defaults(func=cmd_log_asrun)

    a = sub.add_parser("faults", help="fault log; --ack / --resolve ID with --user")
    a.add_argument("--ack", type=record_id, metavar="ID")
    a.add_argument("--resolve", type=record_id, metavar="ID")
    a.add_argument("--user")
    a.add_argument("--note", default="")
    a.add_argument("--all", action="store_true", help="include resolved faults")
    a.add_argument("--csv")
    a.set_defaults(func=cmd_faults)


def cmd_user_add(args) -> int:
    parse(NewUser, {"name": args.name, "role": args.role})  # the password is taken as typed
    password = args.password
    if password is None and not args.no_login:
        if not sys.stdin.isatty():
            raise ValidationError("password: give --password (8+ characters), or --no-login for an account "
                                  "that cannot log in to the panel")
        import getpass

        try:
            password = getpass.getpass(f"password for {args.name} (8+ characters): ")
            again = getpass.getpass("the same again: ")
        except EOFError:  # Ctrl-D at the prompt: no password typed
            print(file=sys.stderr)
            raise ValidationError("password: no password was typed (input ended); nothing was saved") from None
        if again != password:
            raise ValidationError("password: the two passwords differ; nothing was saved")
    with Database(args.db).session() as s:
        u = add_user(s, args.name, args.role, password=password)
        print(f"user {u.name} ({u.role.value}) added" + ("" if password else "; it cannot log in to the panel"))
    return 0


def cmd_user_list(args) -> int:
    with Database(args.db).session() as s:
        for u in list_users(s):
            print(f"{u.name:<20} {u.role.value:<12} {'active' if u.active else 'inactive'}")
    return 0


def cmd_user_role(args) -> int:
    with Database(args.db).session() as s:
        v = parse(RoleChange, {"name": args.name, "role": args.role})
        u = change_role(s, None, v.name, v.role)
        print(f"user {u.name} is now {u.role.value}")
    return 0


def cmd_announce_create(args) -> int:
    anns, _ = _services()
    texts = {}
    for item in args.text:
        lang, sep, text = item.partition("=")
        if not sep:
            raise ValidationError(f"--text {item!r}: write LANG=TEXT, e.g. --text en=\"Welcome\"")
        texts[lang.strip()] = text
    checked = parse(Script, {"title": args.title, "texts": texts or {"-": "-"}, "priority": args.priority,
                             "zones": zone_list(args.zones)})  # the API's and the editor's model ({"-": "-"}: a recording)
    texts = checked.texts if texts else {}
    kw = dict(priority=checked.priority, zones=checked.zones, valid_from=_when(args.valid_from),
              valid_until=_when(args.valid_until))
    with Database(args.db).session() as s:
        author = get_user(s, args.author)
        if args.recording:
            if texts:
                raise ValidationError("give --text or --recording, not both")
            ann = anns.create_recording(s, author, checked.title, Path(args.recording).read_bytes(), **kw)
        else:
            ann = anns.create_script(s, author, checked.title, texts, **kw)
        print(f"announcement #{ann.id} created (draft)")
    return 0


def cmd_announce_list(args) -> int:
    from broadcaster.store.models.workflow import AnnouncementState

    anns, _ = _services()
    with Database(args.db).session() as s:
        states = [AnnouncementState(args.state)] if args.state else []
        for a in anns.list(s, *states):
            print(f"#{a.id:<5} {a.state.value:<11} p{a.priority:<3} {a.title}  (by {a.author.name})")
    return 0


def cmd_announce_show(args) -> int:
    anns, _ = _services()
    with Database(args.db).session() as s:
        a = anns.get(s, args.id)
        print(f"#{a.id} {a.title} [{a.kind.value}] {a.state.value}, priority {a.priority}, zones {', '.join(a.zones)}")
        for lang, text in a.parts():
            print(f"  {lang}: {text}")
        if a.approved_hash:
            print(f"  approved by {a.approved_by.name} at {a.approved_at:%Y-%m-%d %H:%M} UTC, sha256 {a.approved_hash}")
        if a.reject_reason:
            print(f"  rejected: {a.reject_reason}")
        for h in anns.history(s, a.id):
            print(f"  {h.at:%Y-%m-%d %H:%M:%S} {h.from_state or '-'} -> {h.to_state} "
                  f"{h.user.name if h.user else 'engine'} {h.note}")
    return 0


def cmd_announce_edit(args) -> int:
    """Edit: says which upcoming slots air the announcement and which version stays on air meanwhile."""
    from broadcaster.announcements.versions import summary
    from broadcaster.schedule.programmes import ProgrammeService
    from broadcaster.schedule.uses import slots_airing

    db = Database(args.db)
    anns, _ = _services()
    v = parse(ScriptEdit, {"title": args.title, "texts": dict(item.partition("=")[::2] for item in args.text) or None})
    with db.session() as s:
        ann = anns.edit(s, args.id, get_user(s, args.user), title=v.title, texts=v.texts)
        version = summary(s, ann)
    slots = slots_airing(ProgrammeService(db), args.id)
    print(f"announcement #{args.id} edited: version {version['pending'] or '?'} needs approval")
    if slots:
        kept = f"version {version['airing']} keeps airing" if version["airing"] else "they will not air it"
        print(f"  {len(slots)} upcoming slot(s) air it; until the new version is approved {kept}:")
        for sl in slots:
            print(f"  {sl.local:%a %Y-%m-%d %H:%M}  {sl.programme}")
    return 0


def cmd_submit(args) -> int:
    anns, _ = _services()
    with Database(args.db).session() as s:
        anns.submit(s, args.id, get_user(s, args.user))
    print(f"announcement #{args.id} submitted for approval")
    return 0


def cmd_approve(args) -> int:
    _, approval = _services()
    with Database(args.db).session() as s:
        a = approval.approve(s, args.id, get_user(s, args.user))
        print(f"announcement #{a.id} approved; audio sha256 {a.approved_hash} (spoken by {a.approved_engines})")
    return 0


def cmd_reject(args) -> int:
    _, approval = _services()
    with Database(args.db).session() as s:
        approval.reject(s, args.id, get_user(s, args.user), parse(Why, {"reason": args.reason}).reason or "")
    print(f"announcement #{args.id} rejected")
    return 0


def cmd_queue(args) -> int:
    from broadcaster.onair.nowplaying import now_playing

    db = Database(args.db)
    if args.id is not None:
        if not args.user:
            raise ValidationError("--user: who puts it on air?")
        ids = _station(db).queue(args.id, args.user)
        print(f"announcement #{args.id} queued ({len(ids)} zone{'s' if len(ids) != 1 else ''}); "
              "the zone players air it")
        return 0
    zones = now_playing(db, zones=load_settings().zones)
    lines = []
    for zone, z in zones.items():
        shown = [("on air", z["now"]), ("music", z["music"])] + [(w["state"], w) for w in z["waiting"]]
        lines += [f"{zone:<8} {state:<12} p{x['priority']:<3} {x['kind']:<12} {x['title']}" for state, x in shown if x]
        if z["waiting_count"] > len(z["waiting"]):
            lines.append(f"{zone:<8} ... and {z['waiting_count'] - len(z['waiting'])} more waiting")
        if not z["running"] and z["waiting_count"]:
            lines.append(f"{zone:<8} (no zone player is running: nothing airs here until one starts)")
    print("\n".join(lines) or "queue empty: nothing airs or waits in any zone")
    return 0


def cmd_unqueue(args) -> int:
    _station(Database(args.db)).unqueue(args.id, args.user)
    print(f"announcement #{args.id} taken off the air")
    return 0


def cmd_log_asrun(args) -> int:
    from broadcaster import logs

    with Database(args.db).session() as s:
        rows = logs.as_run_rows(s, limit=None if args.csv else args.limit)
        if args.csv:
            Path(args.csv).write_text(logs.as_run_csv(rows), encoding="utf-8")
            print(f"{len(rows)} rows written to {args.csv}")
            return 0
        for r in rows:
            print(f"{local(r.started_at, '%Y-%m-%d %H:%M:%S')} {r.zone:<8} {r.outcome:<11} {r.ref:<18} {r.title}")
    return 0


def cmd_faults(args) -> int:
    from broadcaster import logs

    with Database(args.db).session() as s:
        if args.ack or args.resolve:
            if not args.user:
                raise ValidationError("--user: who acknowledges / resolves?")
            user = get_user(s, args.user)
            if args.ack:
                logs.acknowledge(s, args.ack, user, args.note)
                print(f"fault #{args.ack} acknowledged")
            if args.resolve:
                logs.resolve(s, args.resolve, user, args.note)
                print(f"fault #{args.resolve} resolved")
            return 0
        rows = logs.faults(s) if args.all else logs.faults(s, attention=True)
        if args.csv:
            Path(args.csv).write_text(logs.faults_csv(rows), encoding="utf-8")
            print(f"{len(rows)} rows written to {args.csv}")
            return 0
        for f in rows:
            print(f"#{f.id:<4} {local(f.raised_at)} {f.state.value:<12} {f.kind:<14} x{f.occurrences} {f.message}")
        if not rows:
            print("no faults need attention")
    return 0
