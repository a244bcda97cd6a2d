"""Visitor services' overview (follow-up visits due, complaints gone to the manager, open complaints and
incidents) and the follow-up visit form for any case kind."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from broadcaster.cases.followup import VISIT_KINDS
from web.auth import DESK, actor, require
from web.caseforms import form_view, work
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
                           case_url=case_url, hours=w.complaints.hours, security=w.security.due())


@bp.route("/visits/<kind>/<number>", methods=["GET", "POST"])
@require(*DESK)
def visit(kind: str, number: str):
    if kind not in VISIT_KINDS:
        return redirect(url_for("visits.board"), 303)

    def render(form, errors):
        w = work()
        due = next((v for v in w.visits.due() if v.kind == kind and v.number == number), None)
        return render_template("cases/visit.html", kind=kind, number=number, due=due, values=form, errors=errors,
                               case_url=case_url(kind, number), user=current_user)

    def done(visit):
        back = case_url(kind, number) if kind in ("complaint", "incident") else url_for("visits.board")
        message = t("Not reached: the visit stays due.") if visit.unreachable else t("Follow-up visit recorded.")
        flash(message, "info" if visit.unreachable else "ok")
        return redirect(back, 303)

    return form_view(lambda form: work().visits.record(kind, number, actor(), form), render, done,
                     back=url_for("visits.board"))
