"""Visitor-injury incidents (意外伤害): the register with its report form, and one incident's steps (each
with when and who) and the next step's form. Rules are broadcaster.cases.incidents'."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from broadcaster.cases.incidents import NEEDS_DETAIL, IncidentService
from web.auth import DESK, actor, require
from web.caseforms import form_view, saved, work
from web.i18n import t

bp = Blueprint("incidents", __name__, url_prefix="/cases/incidents")


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w, show_all = work(), request.args.get("all") == "1"
    return form_view(lambda form: w.incidents.report(actor(), form),
                     lambda form, errors: render_template(
                         "cases/incidents.html", incidents=w.incidents.list(open_only=not show_all),
                         show_all=show_all, values=form, errors=errors),
                     lambda inc: saved(t("Incident {number} recorded.", number=inc.number), "incidents.one",
                                       number=inc.number))


@bp.route("/<number>", methods=["GET", "POST"])
@require(*DESK)
def one(number: str):
    w = work()

    def render(form, errors):
        inc = w.incidents.get(number)
        return render_template("cases/incident.html", inc=inc, steps=IncidentService.next_steps(inc),
                               needs_detail=[s.value for s in NEEDS_DETAIL], values=form, errors=errors,
                               visits=w.visits.for_case("incident", inc.number))

    return form_view(lambda form: w.incidents.step(number, actor(), form), render,
                     lambda _: saved(t("Saved."), "incidents.one", number=number),
                     back=url_for("incidents.one", number=number))
