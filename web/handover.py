"""Shift handover (交接班): start one, run the PA check, play a test tone, tick or cross the staff's lines
and explain crosses, sign with the logged-in user (outgoing first, then incoming). Rules are
broadcaster.cases.handover's."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from broadcaster.errors import FieldErrors
from web.auth import DESK, actor, require
from web.caseforms import form_view, work
from web.i18n import N_all, language_name, t
from web.views import zone_label

bp = Blueprint("handover", __name__, url_prefix="/cases/handover")

LINES = N_all({"desk_tidy": "Work desk tidy", "log_read": "Work log read by the incoming staff",
               "keys": "Key cabinet checked", "lost_store": "Lost-property store matches the register",
               "radios": "Radios and phones charged"})


def label(check) -> str:
    kind, _, what = check.line.partition(":")
    if kind == "player":
        return t("{zone}: its player answers", zone=zone_label(what))
    if kind == "speech":
        return t("Speech in {language}", language=language_name(what))
    if kind == "tone":
        return t("Test tone in {zone}", zone=zone_label(what))
    return t(LINES.get(check.line, check.line))


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()
    return form_view(lambda form: w.handovers.start(actor(), form),
                     lambda form, errors: render_template("cases/handovers.html", handovers=w.handovers.list(),
                                                          values=form, errors=errors),
                     lambda h: redirect(url_for("handover.one", handover_id=h.id), 303))


def apply_lines(handover_id: int, form: dict) -> None:
    """The checklist form's ticks, crosses and explanations, line by line; every line's problem at once."""
    w, found = work(), {}
    for check in w.handovers.get(handover_id).checks:
        if f"explanation-{check.id}" not in form and f"result-{check.id}" not in form:
            continue
        result = form.get(f"result-{check.id}") or None
        explanation = form.get(f"explanation-{check.id}", check.explanation)
        if check.by_system or result == (check.result.value if check.result else None):
            result = None
        if result is None and explanation == check.explanation:
            continue
        try:
            w.handovers.mark(handover_id, actor(), check.id, {"result": result, "explanation": explanation})
        except FieldErrors as exc:
            found.update({f"check-{check.id}": p for p in exc.fields.values()})
    if found:
        raise FieldErrors(found)


def sign(handover_id: int, form: dict) -> str:
    """The checklist as it stands on the page (until the outgoing signature), then the signature."""
    if work().handovers.get(handover_id).outgoing_signed_at is None:
        apply_lines(handover_id, form)
    work().handovers.sign(handover_id, actor())
    return t("Signed.")


def tone(handover_id: int, form: dict) -> str:
    work().handovers.test_tone(handover_id, actor(), form.get("zone", ""))
    return t("Test tone requested: listen in the zone.")


#: what each of the page's forms does; each returns what to say at the top of the page
ACTIONS = {"lines": lambda hid, form: apply_lines(hid, form) or t("Saved."),
           "pa-check": lambda hid, form: work().handovers.run_pa_check(hid, actor()) and "",
           "tone": tone, "sign": sign}


@bp.route("/<int:handover_id>", methods=["GET"])
@bp.route("/<int:handover_id>/<action>", methods=["POST"], endpoint="act")
@require(*DESK)
def one(handover_id: int, action: str | None = None):
    page = url_for("handover.one", handover_id=handover_id)
    if action is not None and action not in ACTIONS:
        return redirect(page, 303)

    def render(form, errors):
        return render_template("cases/handover.html", h=work().handovers.get(handover_id), label=label,
                               errors=errors, values=form, action=action, me=current_user.name,
                               zones=work().handovers.zones)

    def done(message):
        if message:
            flash(message, "ok")
        return redirect(page, 303)

    return form_view(lambda form: ACTIONS[action](handover_id, form), render, done, back=page)
