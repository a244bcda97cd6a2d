"""The audit log in the panel: supervisors (and the admin) read who logged in or failed to, who was
locked out, whose password changed, which accounts were added or switched off, and who approved or
rejected what; filtered by kind of event, user and dates. The events are broadcaster.audit's."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request

from broadcaster import audit
from web.auth import SUPERVISOR, require
from web.i18n import N_
from web.views import svc, tz

bp = Blueprint("audit", __name__)
SHOWN = 200


def _day(value: str, errors: dict, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = N_("choose a date")
        return None


@bp.get("/audit")
@require(*SUPERVISOR)
def index():
    args = {k: (request.args.get(k) or "").strip() for k in ("kind", "user", "from", "to")}
    errors: dict[str, str] = {}
    if args["kind"] and args["kind"] not in audit.KINDS:
        errors["kind"] = "choose from the list"
    first, last = _day(args["from"], errors, "from"), _day(args["to"], errors, "to")
    if first and last and last < first:
        errors["to"] = N_("the last day is before the first")
    rows = []
    if not errors:
        since = datetime.combine(first, time(), tz()) if first else None
        until = datetime.combine(last + timedelta(days=1), time(), tz()) if last else None
        with svc().db.session() as s:
            rows = audit.events(s, kind=args["kind"], user=args["user"][:80], since=since, until=until,
                                limit=SHOWN)
            s.expunge_all()
    return render_template("audit.html", rows=rows, values=args, errors=errors, kinds=audit.KINDS,
                           shown=SHOWN), 400 if errors else 200
