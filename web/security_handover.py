"""The handover with security at the venue's fixed hours (与保安部交接班): the hours of the last days, each
due, recorded or missed, and the record form; and the case-work settings a supervisor sets (the
complaint answer time, the fixed hours). Rules are broadcaster.cases.security_handover's and
desk_settings'."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from broadcaster.cases import desk_settings
from web.auth import DESK, SUPERVISOR, actor, require
from web.caseforms import form_view, saved, work
from web.i18n import N_all, t
from web.views import local

bp = Blueprint("security_handover", __name__, url_prefix="/cases")

STATES = N_all({"due": "due now", "missed": "missed", "done": "recorded", "late": "recorded late"})


@bp.route("/security", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()

    def render(form, errors):
        slots = w.security.slots()
        open_slots = [sl for sl in slots if sl.record is None]
        chosen = form.get("slot") or request.args.get("slot") or next(
            (sl.key for sl in sorted(open_slots, key=lambda sl: sl.due_at) if sl.state == "due"), "")
        states = {state: t(text) for state, text in STATES.items()}
        return render_template("cases/security.html", slots=slots, open_slots=open_slots, chosen=chosen,
                               options=[(sl.key, f"{local(sl.due_at)} · {states[sl.state]}") for sl in open_slots],
                               states=states, values=form, errors=errors,
                               times=", ".join(x.strftime("%H:%M") for x in w.security.times))

    return form_view(lambda form: w.security.record(actor(), form), render,
                     lambda _: saved(t("Handover with security recorded."), "security_handover.index"))


@bp.route("/settings", methods=["GET", "POST"])
@require(*SUPERVISOR)
def settings():
    return form_view(lambda form: desk_settings.save(work().pa.db, actor(), form),
                     lambda form, errors: render_template("cases/settings.html", values=form or desk_settings.current(),
                                                          errors=errors),
                     lambda _: saved(t("Saved."), "security_handover.settings"))
