"""Complaints (投诉): the register with its receipt form, and one complaint's handling form, history and
next steps. Rules (states, escalation, follow-up visits) are broadcaster.cases.complaints'."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from broadcaster.cases.complaints import DEPARTMENTS, OPEN, TRANSITIONS
from broadcaster.store.models.desk import ComplaintCategory, ComplaintChannel, ComplaintState
from web.auth import DESK, SUPERVISOR, actor, require
from web.caseforms import form_view, saved, work
from web.i18n import t

bp = Blueprint("complaints", __name__, url_prefix="/cases/complaints")

CHOICES = {"channels": list(ComplaintChannel), "categories": list(ComplaintCategory), "departments": DEPARTMENTS}


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()
    show_all = request.args.get("all") == "1"

    def render(form, errors):
        rows = w.complaints.list(open_only=not show_all)
        return render_template("cases/complaints.html", complaints=rows, values=form, errors=errors,
                               show_all=show_all, escalated={c.id for c in rows if w.complaints.escalation_open(c)},
                               **CHOICES)

    return form_view(lambda form: w.complaints.receive(actor(), form), render,
                     lambda c: saved(t("Complaint {number} recorded.", number=c.number), "complaints.one",
                                     number=c.number))


ACTIONS = {"handle": "handle", "step": "add_step", "answer": "answer", "reopen": "reopen", "close": "close",
           "escalation": "close_escalation"}


@bp.route("/<number>", methods=["GET"])
@bp.route("/<number>/<action>", methods=["POST"], endpoint="act")
@require(*DESK)
def one(number: str, action: str | None = None):
    w = work()
    method = ACTIONS.get(action or "")
    if request.method == "POST" and method is None:
        return redirect(url_for("complaints.one", number=number), 303)

    def render(form, errors):
        c = w.complaints.get(number)
        return render_template("cases/complaint.html", c=c, action=action, values=form, errors=errors,
                               escalated=w.complaints.is_escalated(c), escalation_open=w.complaints.escalation_open(c),
                               can_close=ComplaintState.CLOSED in TRANSITIONS[c.state], is_open=c.state in OPEN,
                               visits=w.visits.for_case("complaint", c.number), hours=w.complaints.hours,
                               is_supervisor=current_user.can(*SUPERVISOR), **CHOICES)

    return form_view(lambda form: getattr(w.complaints, method)(number, actor(), form), render,
                     lambda _: saved(t("Saved."), "complaints.one", number=number),
                     back=url_for("complaints.one", number=number))
