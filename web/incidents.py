"""Visitor-injury incidents (意外伤害): the register with its report form, and one incident's steps (each
with when and who) and the next step's form. Rules are broadcaster.cases.incidents'."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from broadcaster.cases.forms import FormErrors
from broadcaster.cases.incidents import NEEDS_DETAIL, IncidentService
from broadcaster.errors import BroadcasterError
from web.auth import DESK, actor, require
from web.caseforms import problems, refused, values, work
from web.i18n import t

bp = Blueprint("incidents", __name__, url_prefix="/cases/incidents")


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()
    form, errors, code = {}, {}, 200
    if request.method == "POST":
        form = values()
        try:
            inc = w.incidents.report(actor(), form)
        except FormErrors as exc:
            errors, code = problems(exc), 400
        else:
            flash(t("Incident {number} recorded.", number=inc.number), "ok")
            return redirect(url_for("incidents.one", number=inc.number), 303)
    show_all = request.args.get("all") == "1"
    return render_template("cases/incidents.html", incidents=w.incidents.list(open_only=not show_all),
                           show_all=show_all, values=form, errors=errors), code


@bp.route("/<number>", methods=["GET", "POST"])
@require(*DESK)
def one(number: str):
    w = work()
    form, errors, code = {}, {}, 200
    if request.method == "POST":
        form = values()
        try:
            w.incidents.step(number, actor(), form)
        except FormErrors as exc:
            errors, code = problems(exc), 400
        except BroadcasterError as exc:
            return refused(exc, "incidents.one", number=number)
        else:
            flash(t("Saved."), "ok")
            return redirect(url_for("incidents.one", number=number), 303)
    inc = w.incidents.get(number)
    return render_template("cases/incident.html", inc=inc, steps=IncidentService.next_steps(inc),
                           needs_detail=[s.value for s in NEEDS_DETAIL], values=form, errors=errors,
                           visits=w.visits.for_case("incident", inc.number)), code
