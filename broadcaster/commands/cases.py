"""Case-work sub-commands, the desk CLI's counterparts of the panel's visitor-services pages:
``complaint`` (new, handle, step, answer, reopen, close, escalation, list, show, escalations),
``incident`` (report, step, list, show), ``visit`` (due, record), ``handover`` (list, show: handovers are
started, checked and signed in the panel, where each side logs in) and ``report`` (a month's figures as
text, CSV or PDF). Times are venue time."""
from __future__ import annotations

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.followup import VISIT_KINDS, VisitService
from broadcaster.cases.handover import HandoverService
from broadcaster.cases.incidents import IncidentService
from broadcaster.cases.numbering import venue_tz
from broadcaster.inputs import record_id
from broadcaster.commands import action, group, local, month, naming_options
from broadcaster.store.db import Database


def _values(args, *names: str) -> dict:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


# -- complaint -------------------------------------------------------------------------------------
COMPLAINT_FIELDS = ("channel", "category", "matter", "visitor_name", "visitor_contact", "visitor_request",
                    "department", "received_at")
COMPLAINT_ACTIONS = {"handle": ("handle", ("department", "note")), "step": ("add_step", ("step",)),
                     "answer": ("answer", ("result",)), "reopen": ("reopen", ("reason",)),
                     "close": ("close", ("note",)), "escalation": ("close_escalation", ("escalation_note",))}


def _complaint_new(args) -> int:
    c = ComplaintService(Database(args.db)).receive(args.user, _values(args, *COMPLAINT_FIELDS))
    print(f"complaint {c.number} received ({c.channel.value}, {c.category.value})")
    return 0


def _complaint_act(args) -> int:
    method, names = COMPLAINT_ACTIONS[args.complaint_command]
    c = getattr(ComplaintService(Database(args.db)), method)(args.number, args.user, _values(args, *names))
    print(f"complaint {c.number}: {c.state.value}")
    return 0


def _complaint_list(args) -> int:
    svc = ComplaintService(Database(args.db))
    for c in svc.list(open_only=not args.all):
        flag = " ESCALATED" if svc.escalation_open(c) else ""
        print(f"{c.number}  {c.state.value:12} {c.category.value:17} {local(c.received_at)}  {c.matter[:50]}{flag}")
    return 0


def _complaint_escalations(args) -> int:
    svc = ComplaintService(Database(args.db))
    rows = svc.escalations()
    for c in rows:
        print(f"{c.number}  received {local(c.received_at)}  {c.state.value}  {c.matter[:60]}")
    if not rows:
        print(f"no complaint unanswered past {svc.hours:g} hours")
    return 0


def _complaint_show(args) -> int:
    db = Database(args.db)
    c = ComplaintService(db).get(args.number)
    print(f"complaint {c.number}  {c.state.value}")
    for f in ("channel", "category", "matter", "visitor_name", "visitor_contact", "visitor_request", "department",
              "result"):
        v = getattr(c, f)
        print(f"  {f:16} {getattr(v, 'value', v) or '-'}")
    print(f"  {'received':16} {local(c.received_at)} by {c.received_by.name}\n  history:")
    for e in c.events:
        move = f" {e.from_state}->{e.to_state}" if e.to_state else ""
        print(f"    {local(e.at)}  {e.user.name if e.user else '-':8} {e.action}{move}  {e.detail}")
    for v in VisitService(db).for_case("complaint", c.number):
        print(f"  visit due {local(v.due_at)}: " + (f"done {local(v.done_at)} {v.satisfaction}/{v.attitude}/"
                                                    f"{v.timeliness} {v.remarks}" if v.done_at else "not yet"))
    return 0


# -- incident --------------------------------------------------------------------------------------
def _incident_report(args) -> int:
    inc = IncidentService(Database(args.db)).report(args.user, _values(args, "place", "injury", "visitor_name",
                                                                       "visitor_contact", "occurred_at"))
    print(f"incident {inc.number} reported")
    return 0


def _incident_step(args) -> int:
    inc = IncidentService(Database(args.db)).step(args.number, args.user, _values(args, "step", "at", "detail"))
    print(f"incident {inc.number}: {inc.state.value}")
    return 0


def _incident_list(args) -> int:
    for inc in IncidentService(Database(args.db)).list(open_only=not args.all):
        print(f"{inc.number}  {inc.state.value:10} {local(inc.occurred_at)}  {inc.place}  {inc.injury[:50]}")
    return 0


def _incident_show(args) -> int:
    inc = IncidentService(Database(args.db)).get(args.number)
    print(f"incident {inc.number}  {inc.state.value}  {inc.place}  {local(inc.occurred_at)}\n  {inc.injury}")
    for st in inc.steps:
        print(f"    {local(st.at)}  {st.user.name:8} {st.step:10} {st.detail}")
    return 0


# -- visit -----------------------------------------------------------------------------------------
def _visit_due(args) -> int:
    rows = VisitService(Database(args.db)).due()
    for v in rows:
        tries = f"  (not reached {v.tries}x)" if v.tries else ""
        print(f"{local(v.due_at)}{' DUE' if v.overdue else '    '}  {v.kind:9} {v.number}  {v.who} {v.contact}{tries}")
    if not rows:
        print("no follow-up visits due")
    return 0


def _visit_record(args) -> int:
    values = _values(args, "satisfaction", "attitude", "timeliness", "remarks")
    v = VisitService(Database(args.db)).record(args.kind, args.number, args.user,
                                               {**values, "outcome": "unreachable" if args.unreachable else "reached"})
    print(f"follow-up visit of {args.kind} {args.number} " + ("not reached: still due" if v.unreachable else "recorded"))
    return 0


# -- handover, report ------------------------------------------------------------------------------
def _handover_list(args) -> int:
    for h in HandoverService(Database(args.db)).list():
        state = "signed" if h.incoming_signed_at else "outgoing signed" if h.outgoing_signed_at else "open"
        print(f"#{h.id}  {local(h.created_at)}  {h.shift:20} {h.outgoing.name} -> "
              f"{h.incoming.name if h.incoming else '-'}  {state}")
    return 0


def _handover_show(args) -> int:
    h = HandoverService(Database(args.db)).get(args.id)
    print(f"handover #{h.id} {h.shift}: {h.outgoing.name} ({local(h.outgoing_signed_at)}) -> "
          f"{h.incoming.name if h.incoming else '-'} ({local(h.incoming_signed_at)})")
    for c in h.checks:
        mark = {"ok": "√", "cross": "×"}.get(c.result.value if c.result else "", "-")
        print(f"  {mark} {c.line:16} {c.detail}  {c.explanation}")
    return 0


def _report(args) -> int:
    from broadcaster.cases.report import monthly_report, rows

    report = monthly_report(Database(args.db), *month(args.month), venue_tz())
    flat = rows(report)
    if args.csv:
        import csv

        with open(args.csv, "w", newline="", encoding="utf-8-sig") as fh:
            out = csv.writer(fh)
            out.writerow(["month", "case kind", "measure", "value"])
            out.writerows([report["month"], *r] for r in flat)
        print(f"wrote {args.csv}")
    if args.pdf:
        from broadcaster.cases.report_pdf import render_pdf

        data, _ = render_pdf(report, flat, f"Visitor services: monthly report {report['month']}")
        with open(args.pdf, "wb") as fh:
            fh.write(data)
        print(f"wrote {args.pdf}")
    if not (args.csv or args.pdf):
        for kind, measure, value in flat:
            print(f"{report['month']}  {kind:10} {measure:28} {value}")
    return 0


def register(subparsers) -> None:
    complaint = group(subparsers, "complaint", "complaints: receive, handle, answer, close; escalations")
    p = action(complaint, "new", naming_options(_complaint_new), "record a complaint as received", user=True)
    p.add_argument("--channel", required=True, help="in_person, phone, letter or email")
    p.add_argument("--category", required=True,
                   help="service_attitude, cleanliness, safety_hazard, facility or other")
    p.add_argument("--matter", required=True)
    for opt in ("visitor-name", "visitor-contact", "visitor-request", "department"):
        p.add_argument(f"--{opt}")
    p.add_argument("--received-at", help="venue time, HH:MM or YYYY-MM-DDTHH:MM (default now)")
    helps = {"handle": "hand it to the responsible department", "step": "record a handling step",
             "answer": "the result given to the visitor (schedules the follow-up visit)",
             "reopen": "the visitor is not satisfied: handle again", "close": "close a followed-up complaint",
             "escalation": "close its escalation with the manager's instruction (supervisor)"}
    for name, (_, names) in COMPLAINT_ACTIONS.items():
        p = action(complaint, name, naming_options(_complaint_act), helps[name], user=True)
        p.add_argument("number")
        for n in names:
            p.add_argument(f"--{n.replace('_', '-')}", dest=n, required=n not in ("note",))
    p = action(complaint, "list", _complaint_list, "list complaints (open ones unless --all)")
    p.add_argument("--all", action="store_true")
    action(complaint, "escalations", _complaint_escalations, "complaints gone to the manager, not yet closed")
    action(complaint, "show", _complaint_show, "a complaint's handling form, history and visits").add_argument("number")

    incident = group(subparsers, "incident", "visitor-injury incidents")
    p = action(incident, "report", naming_options(_incident_report), "report a visitor injury", user=True)
    p.add_argument("--place", required=True)
    p.add_argument("--injury", required=True)
    for opt in ("visitor-name", "visitor-contact", "occurred-at"):
        p.add_argument(f"--{opt}")
    p = action(incident, "step", naming_options(_incident_step, ("step",)), "record the next step", user=True)
    p.add_argument("number")
    p.add_argument("step", help="first_aid, ambulance, hospital, follow_up, claim or closed")
    p.add_argument("--at", help="when it happened (default now)")
    p.add_argument("--detail")
    p = action(incident, "list", _incident_list, "list incidents (open ones unless --all)")
    p.add_argument("--all", action="store_true")
    action(incident, "show", _incident_show, "an incident and its steps").add_argument("number")

    visit = group(subparsers, "visit", "follow-up visits of complaints, incidents, cases and lost property")
    action(visit, "due", _visit_due, "visits not yet made, soonest due first")
    p = action(visit, "record", naming_options(_visit_record, ("kind",)), "what the visitor said (scores 1-5), or --unreachable", user=True)
    p.add_argument("kind", choices=VISIT_KINDS)
    p.add_argument("number")
    for n in ("satisfaction", "attitude", "timeliness"):
        p.add_argument(f"--{n}")
    p.add_argument("--remarks")
    p.add_argument("--unreachable", action="store_true", help="the visitor could not be reached (no scores; "
                                                              "the visit stays due)")

    handover = group(subparsers, "handover", "shift handovers (started and signed in the panel)")
    action(handover, "list", _handover_list, "the latest handovers")
    action(handover, "show", _handover_show, "a handover's checklist").add_argument("id", type=record_id)

    p = subparsers.add_parser("report", help="the desk's monthly report (text, CSV or PDF)")
    p.set_defaults(func=_report)
    p.add_argument("--month", help="YYYY-MM (default: this month, venue time)")
    p.add_argument("--csv", help="write the figures to this CSV file")
    p.add_argument("--pdf", help="write the printable report to this PDF file")
