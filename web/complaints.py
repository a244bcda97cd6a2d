"""Complaints (投诉): the register with its receipt form, and one complaint's handling form, history and
next steps. Rules (states, escalation, follow-up visits) are broadcaster.cases.complaints'."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from broadcaster.cases.complaints import DEPARTMENTS, OPEN, TRANSITIONS
from broadcaster.cases.forms import FormErrors
from broadcaster.errors import BroadcasterError
from broadcaster.store.models.desk import ComplaintCategory, ComplaintChannel, ComplaintState
from web.auth import DESK, SUPERVISOR, actor, require
from web.caseforms import problems, refused, values, work
from web.i18n import t

bp = Blueprint("complaints", __name__, url_prefix="/cases/complaints")

CHOICES = {"channels": list(ComplaintChannel), "categories": list(ComplaintCategory), "departments": DEPARTMENTS}


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()
    show_all = request.args.get("all") == "1"
    form, errors, code = {}, {}, 200
    if request.method == "POST":
        form = values()
        try:
            c = w.complaints.receive(actor(), form)
        except FormErrors as exc:
            errors, code = problems(exc), 400
        else:
            flash(t("Complaint {number} recorded.", number=c.number), "ok")
            return redirect(url_for("complaints.one", number=c.number), 303)
    rows = w.complaints.list(open_only=not show_all)
    return render_template("cases/complaints.html", complaints=rows, values=form, errors=errors,
                           show_all=show_all, escalated={c.id for c in rows if w.complaints.escalation_open(c)},
                           **CHOICES), code


@bp.get("/<number>")
@require(*DESK)
def one(number: str):
    return page(number)


def page(number: str, action: str | None = None, form: dict | None = None, errors: dict | None = None,
         code: int = 200):
    w = work()
    c = w.complaints.get(number)
    nexts = TRANSITIONS[c.state]
    return render_template("cases/complaint.html", c=c, action=action, values=form or {}, errors=errors or {},
                           escalated=w.complaints.is_escalated(c), escalation_open=w.complaints.escalation_open(c),
                           can_close=ComplaintState.CLOSED in nexts, is_open=c.state in OPEN,
                           visits=w.visits.for_case("complaint", c.number), hours=w.complaints.hours,
                           is_supervisor=current_user.can(*SUPERVISOR), **CHOICES), code


ACTIONS = {"handle": "handle", "step": "add_step", "answer": "answer", "reopen": "reopen", "close": "close",
           "escalation": "close_escalation"}


@bp.post("/<number>/<action>")
@require(*DESK)
def act(number: str, action: str):
    method = ACTIONS.get(action)
    if method is None:
        return redirect(url_for("complaints.one", number=number), 303)
    form = values()
    try:
        getattr(work().complaints, method)(number, actor(), form)
    except FormErrors as exc:
        return page(number, action, form, problems(exc), 400)
    except BroadcasterError as exc:
        return refused(exc, "complaints.one", number=number)
    flash(t("Saved."), "ok")
    return redirect(url_for("complaints.one", number=number), 303)
