"""Visitor services' overview (follow-up visits due, complaints gone to the manager, open complaints and
incidents) and the follow-up visit form for any case kind."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from broadcaster.cases.followup import VISIT_KINDS
from broadcaster.cases.forms import FormErrors
from broadcaster.errors import BroadcasterError
from web.auth import DESK, actor, require
from web.caseforms import problems, refused, values, work
from web.i18n import t

bp = Blueprint("visits", __name__, url_prefix="/cases")

#: where each kind of case is shown
CASE_PAGES = {"complaint": ("complaints.one", "number"), "incident": ("incidents.one", "number"),
              "person": ("desk.case", "number"), "lost_item": ("desk.lost", None)}


def case_url(kind: str, number: str) -> str:
    endpoint, arg = CASE_PAGES[kind]
    return url_for(endpoint, **({arg: number} if arg else {}))


@bp.get("/")
@require(*DESK)
def board():
    w = work()
    return render_template("cases/board.html", due=w.visits.due(), escalations=w.complaints.escalations(),
                           complaints=w.complaints.list(open_only=True), incidents=w.incidents.list(open_only=True),
                           case_url=case_url, hours=w.complaints.hours)


@bp.route("/visits/<kind>/<number>", methods=["GET", "POST"])
@require(*DESK)
def visit(kind: str, number: str):
    if kind not in VISIT_KINDS:
        return redirect(url_for("visits.board"), 303)
    form, errors, code = {}, {}, 200
    if request.method == "POST":
        form = values()
        try:
            work().visits.record(kind, number, actor(), form)
        except FormErrors as exc:
            errors, code = problems(exc), 400
        except BroadcasterError as exc:
            return refused(exc, "visits.board")
        else:
            flash(t("Follow-up visit recorded."), "ok")
            return redirect(case_url(kind, number) if kind in ("complaint", "incident") else url_for("visits.board"), 303)
    due = next((v for v in work().visits.due() if v.kind == kind and v.number == number), None)
    return render_template("cases/visit.html", kind=kind, number=number, due=due, values=form, errors=errors,
                           case_url=case_url(kind, number), user=current_user), code

