"""Desk sub-commands: ``page``, ``case``, ``lost``, ``templates`` and ``template``.

The CLI never owns the audio device, and pages exactly as the panel and the API do: the paging service
is built from the venue settings (zones, page interval, repeats, escalation; in the database the panel saves them to,
``PA_ZONES``). ``page missing`` stores the case, its page and the page's first airing at URGENT_PAGE in
one transaction; the zone players take the airing at once (woken in memory in their own process, by
their 200 ms poll of the database from another process, or by LISTEN/NOTIFY on PostgreSQL), and the
command says zone by zone whether the page is on air, as the airings report it (NOT ON AIR where no
player runs: the CLI is the desk's fallback when the panel is down, and the service may be down with
it). The leading ``broadcaster serve`` writes the repeats and escalates. ``case resolve`` takes the case's
airings off the air the same way (a page on air stops within a block), and every page re-checks its
case just before it airs.
"""
from __future__ import annotations

import argparse
import sys
import json
import time
from datetime import datetime

from broadcaster.paging.defaults import seed_defaults
from broadcaster.cases.followup import FollowUpService
from broadcaster.cases.lost_property import LostPropertyService
from broadcaster.cases.missing import CaseDetails, CaseService
from broadcaster.errors import FieldErrors
from broadcaster.cases.numbering import venue_tz
from broadcaster.cases.resolution import page_ref
from broadcaster.paging.paging import PagingService
from broadcaster.cases.stats import monthly_stats
from broadcaster.paging.templates import TemplateService
from broadcaster.clock import utcnow
from broadcaster.onair import airings
from broadcaster.onair.nowplaying import now_playing
from broadcaster.settings import load_settings
from broadcaster.store.db import Database
from broadcaster.commands import action, group, local, month, naming_options, zone_list
from broadcaster.inputs import LostItem, PageAgain, PageRequest, Resolve, parse, record_id
from broadcaster.inputs_cases import CaseFilter, CaseNote, Claim, FollowUpCall, HandOver, Unclaimed, Why, when

CONFIRM_S = 5.0  # how long a page command waits to see its page start where a zone player runs


def _paging(db: Database) -> PagingService:
    """Paging as the venue settings say, like the panel's and the API's. A page for every zone also
    reaches the zones the service's players announced (``serve --zone lobby=...`` adds the lobby, as a
    page from that service's panel does), not only those the settings name."""
    settings = load_settings(db)
    with db.session() as s:
        announced = airings.announced_zones(s)
    return PagingService.for_venue(db, None, settings, dict.fromkeys([*settings.zones, *announced]))


def _when(value: str | None, option: str) -> datetime | None:
    """``HH:MM`` (today) or a date and time, venue time (the panel's forms' check); a refusal names the option."""
    return when(option, value, venue_tz(), utcnow())


# -- page ------------------------------------------------------------------------------------------
def _page_new(args) -> int:
    try:
        return _open_and_page(args)
    except FieldErrors as exc:  # "last_seen_place.zh-CN" -> "--said place zh-CN": the option to add
        raise type(exc)({_said_option(k): v for k, v in exc.fields.items()}) from None


def _open_and_page(args) -> int:
    db = Database(args.db)
    d = parse(PageRequest, {  # the API's and the desk form's model
        "kind": args.kind, "person_name": args.name, "age": args.age, "sex": args.sex, "height": args.height,
        "hair": args.hair, "clothing": args.clothing, "shoes": args.shoes, "last_seen_place": args.place,
        "reporter_name": args.reporter, "reporter_contact": args.contact, "meeting_point": args.meeting_point,
        "notes": args.notes, "template": args.template, "extra_text": args.extra})
    details = CaseDetails(**d.model_dump(exclude={"kind", "template", "extra_text", "last_seen_at"}) | {
        "last_seen_at": _when(args.seen_at, "--seen-at"), "is_child": True if args.child else None,
        "notes": d.notes or "", "wording": _wording(args.said)})
    case, page, error = _paging(db).open_and_page(args.user, d.kind, details, template=d.template,
                                                  extra_text=d.extra_text, zones=zone_list(args.zones))
    print(f"case {case.number} opened ({case.kind.value}{', child' if case.is_child else ''})")
    if error is not None:
        print(f"case {case.number} is stored but NOT paged; fix the problem below (the case's details are "
              f"edited on its page in the panel) and run broadcaster page case {case.number} --user {args.user}")
        raise error
    _say_page(page, db)
    return 0


#: ``--said DETAIL LANGUAGE TEXT``: a detail the service cannot translate, given in each page language.
SAID_OPTIONS = {"place": "last_seen_place", "meeting-point": "meeting_point", "clothing": "clothing",
                "shoes": "shoes", "height": "height", "hair": "hair"}


def _wording(said: list | None) -> dict | None:
    """``--said place zh-CN 旋转木马 --said place en Carousel`` as the case's wording (unknown details refused)."""
    out: dict[str, dict[str, str]] = {}
    for detail, lang, text in said or []:
        if detail not in SAID_OPTIONS:
            raise FieldErrors({"--said": f"say which detail: {', '.join(SAID_OPTIONS)} (got {detail[:30]!r})"})
        out.setdefault(SAID_OPTIONS[detail], {})[lang] = text
    return out or None


#: the page's fields as ``page missing|found`` names its options
PAGE_OPTIONS = {"person_name": "--name", "last_seen_place": "--place", "reporter_name": "--reporter",
                "reporter_contact": "--contact", "extra_text": "--extra", "last_seen_at": "--seen-at"}


def _said_option(key: str) -> str:
    """A refusal's field as the option to give: "last_seen_place.zh-CN" -> "--said place zh-CN",
    "reporter_name" -> "--reporter", "meeting_point" -> "--meeting-point"."""
    field, dot, lang = key.partition(".")
    detail = next((o for o, f in SAID_OPTIONS.items() if f == field), None)
    if dot and detail:
        return f"--said {detail} {lang}"
    return PAGE_OPTIONS.get(key) or (f"--{key.replace('_', '-')}" if not dot and key.isidentifier() else key)


def _page_case(args) -> int:
    v = parse(PageAgain, {"template": args.template, "extra_text": args.extra})  # the API's model
    db = Database(args.db)
    page = _paging(db).page_case(args.number, args.user, template=v.template, extra_text=v.extra_text,
                                 zones=zone_list(args.zones))
    _say_page(page, db)
    return 0


def _say_page(page, db: Database) -> None:
    waits = page.status.value == "pending_approval"
    if waits:
        print(f"page #{page.id} has free text: waiting for a supervisor "
              f"(broadcaster page approve {page.id} --user NAME)")
    else:
        print(f"page #{page.id} recorded for {page.zones.replace(',', ', ')} (broadcaster serve repeats it)")
    for lang, text in page.texts.items():
        print(f"  [{lang}] {text}")
    if not waits:
        _on_air(db, page)


def _on_air(db: Database, page) -> None:
    """Say zone by zone whether the page is on air, as its airings report it: wait up to CONFIRM_S for
    the zone players to start it where one runs. Where none runs, the desk is told at once that the page
    is NOT on air (it waits in the queue and airs when a player starts): the CLI is the desk's fallback
    when the panel is down, and the service may be down with it."""
    zones = page.zones.split(",")
    deadline = time.monotonic() + CONFIRM_S
    while True:
        players = now_playing(db, zones=zones)
        with db.session() as s:
            started = {a.zone: a.started_at for a in airings.latest(s, page_ref(page.id)) if a.started_at}
        if time.monotonic() >= deadline or all(z in started or not players[z]["running"] for z in zones):
            break
        time.sleep(0.1)
    for zone in zones:
        if zone in started:
            print(f"  on air in {zone} since {local(started[zone], '%H:%M:%S')}")
        elif not players[zone]["running"]:
            print(f"  NOT ON AIR in {zone}: no zone player is running there. The page waits and airs as soon "
                  "as one starts (./run); page by microphone meanwhile")
        elif players[zone]["device_ok"] is False:
            print(f"  NOT ON AIR in {zone}: its sound device is not working (broadcaster faults); the page "
                  "airs when it is back; page by microphone meanwhile")
        else:
            print(f"  waiting in {zone}: another page or an emergency is on air there; this one airs in turn")


def _page_approve(args) -> int:
    db = Database(args.db)
    page = _paging(db).approve_page(args.page_id, args.user)
    print(f"page #{page.id} approved")
    _on_air(db, page)
    return 0


def _page_reject(args) -> int:
    _paging(Database(args.db)).reject_page(args.page_id, args.user, parse(Why, {"reason": args.reason}).reason or "")
    print(f"page #{args.page_id} rejected")
    return 0


# -- case ------------------------------------------------------------------------------------------
def _case_list(args) -> int:
    state = parse(CaseFilter, {"state": args.state}).state
    for c in CaseService(Database(args.db)).list_cases(state=state, open_only=not args.all):
        print(f"{c.number}  {c.kind.value:8} {c.state.value:10} {'child' if c.is_child else 'adult':6} "
              f"{local(c.created_at)}  {c.last_seen_place or c.meeting_point or ''}")
    return 0


def _case_show(args) -> int:
    db = Database(args.db)
    c = CaseService(db).get(args.number)
    fields = ["kind", "state", "is_child", "person_name", "age", "sex", "height", "hair", "clothing", "shoes",
              "last_seen_place", "reporter_name", "reporter_contact", "meeting_point", "notes", "result"]
    print(f"case {c.number}")
    for f in fields:
        v = getattr(c, f)
        print(f"  {f:17} {getattr(v, 'value', v) if v not in (None, '') else '-'}")
    print(f"  {'last_seen_at':17} {local(c.last_seen_at)}\n  timeline:")
    for e in c.events:
        move = f" {e.from_state or ''}->{e.to_state}" if e.to_state else ""
        print(f"    {local(e.at)}  {e.action}{move}  {e.detail}")
    for p in _paging(db).pages(case_number=c.number):
        with db.session() as s:
            last = airings.latest(s, page_ref(p.id))[:len(p.zones.split(","))]
        on_air = ", ".join(f"{a.zone} {a.state.value}" for a in last)
        print(f"  page #{p.id} {p.purpose.value} {p.status.value} queued {p.times_queued}"
              f"{f'/{p.max_repeats}' if p.max_repeats else ' (until resolved)'}"
              f" aired {p.times_aired}" + (f" (last airing: {on_air})" if on_air else ""))
    for f in FollowUpService(db).for_case(c.number):
        print(f"  follow-up {local(f.called_at)}: {f.outcome}")
    return 0


def _case_resolve(args) -> int:
    v = parse(Resolve, {"state": args.state, "result": args.result, "all_clear": not args.no_all_clear})
    c = _paging(Database(args.db)).resolve(args.number, args.user, v.state, result=v.result, all_clear=v.all_clear)
    print(f"case {c.number} is {c.state.value}; its pages are off the air and repeat no more")
    return 0


def _case_note(args) -> int:
    CaseService(Database(args.db)).add_note(args.number, args.user, parse(CaseNote, {"note": args.text}).note)
    return 0


def _case_followup(args) -> int:
    v = parse(FollowUpCall, {"outcome": args.outcome, "satisfied": args.satisfied})  # --at: _when's forms
    FollowUpService(Database(args.db)).record(args.number, args.user, outcome=v.outcome,
                                              called_at=_when(args.at, "--at"), satisfied=v.satisfied)
    print(f"follow-up recorded for {args.number}")
    return 0


def _case_stats(args) -> int:
    print(json.dumps(monthly_stats(Database(args.db), *month(args.month)), ensure_ascii=False, indent=2))
    return 0


# -- lost property ---------------------------------------------------------------------------------
def _lost_add(args) -> int:
    d = parse(LostItem, {"category": args.what, "colour": args.colour, "where_found": args.where,
                         "finder": args.finder, "storage_place": args.storage, "description": args.description,
                         "valuable": args.valuable})  # the API's and the desk form's model
    item = LostPropertyService(Database(args.db)).register(
        args.user, **d.given(), found_at=_when(args.found_at, "--found-at"), photo_path=args.photo)
    print(f"item {item.number} registered ({item.category}, stored at {item.storage_place})")
    return 0


def _lost_announce(args) -> int:
    db = Database(args.db)
    page = LostPropertyService(db).announce(args.number, args.user, _paging(db))
    print(f"page #{page.id} recorded with its airing at announcement priority; the zone players air it at once")
    return 0


def _lost_claim(args) -> int:
    v = parse(Claim, {"owner_name": args.owner, "owner_identity": args.identity, "owner_contact": args.contact,
                      "verification_note": args.verification, "signature": args.signature})
    item = LostPropertyService(Database(args.db)).claim(args.number, args.user, **v.given())
    print(f"item {item.number} is {item.state.value}")
    return 0


def _lost_handover(args) -> int:
    item = LostPropertyService(Database(args.db)).hand_over(args.number, args.user,
                                                            parse(HandOver, {"signature": args.signature}).signature)
    print(f"item {item.number} is {item.state.value}")
    return 0


def _lost_unclaimed(args) -> int:
    lost = LostPropertyService(Database(args.db))
    days = parse(Unclaimed, {"days": args.days}).days
    items = lost.unclaimed(days)
    for i in items:
        print(f"{i.number}  found {local(i.found_at)}  {i.category}  at {i.storage_place}")
    print(f"{len(items)} item(s) unclaimed after {lost.retention_days() if days is None else days} days")
    return 0


# -- templates -------------------------------------------------------------------------------------
def _templates_seed(args) -> int:
    created = seed_defaults(Database(args.db))
    for t in created:
        print(f"#{t.id} {t.key}: pending approval (broadcaster template approve {t.id} --user SUPERVISOR)")
    print(f"{len(created)} template(s) created")
    return 0


def _templates_list(args) -> int:
    for t in TemplateService(Database(args.db)).list():
        waiting = "  (new wording waiting for approval)" if t.draft_texts is not None else ""
        print(f"#{t.id} {t.key:20} {t.purpose.value:13} {t.audience.value:6} {t.status.value} v{t.version}{waiting}")
    return 0


def _template_approve(args) -> int:
    t = TemplateService(Database(args.db)).approve(args.template_id, args.user)
    print(f"template #{t.id} {t.key} approved")
    return 0


def _template_show(args) -> int:
    t = TemplateService(Database(args.db)).get(args.template_id)
    print(f"#{t.id} {t.key} ({t.title}) {t.purpose.value}/{t.audience.value} {t.status.value} v{t.version}")
    for lang, text in t.texts.items():
        print(f"  [{lang}] {text}")
    if t.draft_texts is not None:  # an approved template's new wording: the one above airs until approved
        print(f"new wording waiting for approval (the wording above airs until then), "
              f"since {t.draft_at:%Y-%m-%d %H:%M} UTC:")
        for lang, text in t.draft_texts.items():
            print(f"  [{lang}] {text}")
    return 0


def _templates_demo(args) -> int:
    """A one-person demo: one user approves every pending template (no four-eyes). Refused without the
    explicit flag; loud about it."""
    from broadcaster.venue import step_done

    if not args.i_am_the_only_person:
        print("refused: this approves every page template without a second person (no four-eyes). For a "
              "one-person demo only, add --i-am-the-only-person", file=sys.stderr)
        return 1
    svc = TemplateService(Database(args.db))
    seed_defaults(svc.db)
    approved = [svc.approve(t.id, args.user).key for t in svc.list() if t.status.value == "pending"]
    step_done(load_settings(), "templates")
    print("WARNING: one-person demo: every page template approved by "
          f"{args.user} alone, with no second person (four-eyes is off for these): {', '.join(approved) or 'none'}."
          " Do not use this set-up for a real venue.")
    return 0


def register(subparsers) -> None:
    page = group(subparsers, "page", "urgent pages: missing/found persons")
    for kind, help in (("missing", "a guardian reports someone lost: open a case and page the description"),
                       ("found", "staff found a child: open a case and page the guardian to the meeting point")):
        p = action(page, kind, _page_new, help, user=True)
        p.set_defaults(kind=kind)
        for opt in ("name", "sex", "height", "hair", "clothing", "shoes", "place", "meeting-point", "reporter",
                    "contact", "notes", "template", "extra"):
            p.add_argument(f"--{opt}")
        p.add_argument("--age")
        p.add_argument("--seen-at", help="last seen, HH:MM venue time or ISO date-time")
        p.add_argument("--child", action="store_true", help="a child whatever the age (no name on air)")
        p.add_argument("--said", nargs=3, action="append", metavar=("DETAIL", "LANGUAGE", "TEXT"),
                       help="a detail in one page language, for what the service cannot translate: "
                            "--said place zh-CN 旋转木马 --said place en Carousel (DETAIL: "
                            + ", ".join(SAID_OPTIONS) + ")")
        p.add_argument("--zones", help="comma-separated zones (default: every zone of the venue)")
    p = action(page, "case", _page_case, "page again about an existing case", user=True)
    p.add_argument("number")
    p.add_argument("--template")
    p.add_argument("--zones", help="comma-separated zones (default: every zone of the venue)")
    p.add_argument("--extra", help="free text (needs a supervisor's approval before airing)")
    p = action(page, "approve", _page_approve, "approve a page with free text (supervisor)", user=True)
    p.add_argument("page_id", type=record_id)
    p = action(page, "reject", _page_reject, "reject a page with free text (supervisor)", user=True)
    p.add_argument("page_id", type=record_id)
    p.add_argument("--reason", required=True)

    case = group(subparsers, "case", "missing-person cases")
    p = action(case, "list", naming_options(_case_list), "list cases (open ones unless --all)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--state", help="open, paged, escalated, found, reunited or closed")
    p = action(case, "show", _case_show, "a case with its timeline, pages and follow-ups")
    p.add_argument("number")
    p = action(case, "resolve", _case_resolve, "found / reunited / closed: its pages stop and come off the air",
             user=True)
    p.add_argument("number")
    p.add_argument("--state", required=True, choices=["found", "reunited", "closed"])
    p.add_argument("--result", help="what happened (required to close)")
    p.add_argument("--no-all-clear", action="store_true", help="do not air the all-clear page")
    p = action(case, "note", _case_note, "add a note to the timeline", user=True)
    p.add_argument("number")
    p.add_argument("text")
    p = action(case, "followup", _case_followup, "record the follow-up call of a closed case", user=True)
    p.add_argument("number")
    p.add_argument("--outcome", required=True)
    p.add_argument("--at", help="when the call was made (default now)")
    p.add_argument("--satisfied", action=argparse.BooleanOptionalAction, default=None)
    p = action(case, "stats", _case_stats, "monthly statistics per case kind")
    p.add_argument("--month", required=True, help="YYYY-MM")

    lost = group(subparsers, "lost", "lost property")
    p = action(lost, "add", _lost_add, "register a found item", user=True)
    for opt, req in (("what", True), ("where", True), ("finder", True), ("storage", True), ("colour", False),
                     ("description", False), ("photo", False), ("found-at", False)):
        p.add_argument(f"--{opt}", required=req)
    p.add_argument("--valuable", action="store_true")
    p = action(lost, "announce", _lost_announce, "announce a valuable item (approved template)", user=True)
    p.add_argument("number")
    p = action(lost, "claim", _lost_claim, "record the owner's claim (and hand over with --signature)", user=True)
    p.add_argument("number")
    p.add_argument("--owner", required=True)
    p.add_argument("--identity", required=True, help="ID document number or contact")
    p.add_argument("--contact", help="the owner's phone, for the follow-up call")
    p.add_argument("--verification", required=True, help="how the owner proved it is theirs")
    p.add_argument("--signature", help="signature / witness text: hands the item over now")
    p = action(lost, "handover", _lost_handover, "hand a claimed item over", user=True)
    p.add_argument("number")
    p.add_argument("--signature", required=True)
    p = action(lost, "unclaimed", naming_options(_lost_unclaimed), "items still stored after N days")
    p.add_argument("--days", help="whole days, 0 to 3650 (default: the venue's retention period)")

    tpls = group(subparsers, "templates", "page templates")
    action(tpls, "seed", _templates_seed, "create the default templates (pending approval)")
    action(tpls, "list", _templates_list, "list page templates")
    p = action(tpls, "demo-approve", _templates_demo, "ONE-PERSON DEMO ONLY: approve every pending template "
             "yourself (no four-eyes)", user=True)
    p.add_argument("--i-am-the-only-person", action="store_true", help="confirm: no second person approves")
    tpl = group(subparsers, "template", "one page template")
    p = action(tpl, "approve", _template_approve, "approve a template (supervisor, not its author)", user=True)
    p.add_argument("template_id")
    p = action(tpl, "show", _template_show, "show a template")
    p.add_argument("template_id")
