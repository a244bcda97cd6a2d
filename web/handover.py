"""Shift handover (交接班): start one, run the PA check, play a test tone, tick or cross the staff's lines
and explain crosses, sign with the logged-in user (outgoing first, then incoming). Rules are
broadcaster.cases.handover's."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from broadcaster.cases.forms import FormErrors
from broadcaster.errors import BroadcasterError
from web.auth import DESK, actor, require
from web.caseforms import problems, refused, values, work
from web.i18n import t

bp = Blueprint("handover", __name__, url_prefix="/cases/handover")

LINES = {"desk_tidy": "Work desk tidy", "log_read": "Work log read by the incoming staff",
         "keys": "Key cabinet checked", "lost_store": "Lost-property store matches the register",
         "radios": "Radios and phones charged"}
LANGUAGE_NAMES = {"zh-CN": "Mandarin", "zh-TW": "Mandarin (traditional)", "en": "English", "ru": "Russian",
                  "yue": "Cantonese", "ja": "Japanese", "ko": "Korean"}


def label(check) -> str:
    kind, _, what = check.line.partition(":")
    if kind == "player":
        return t("Zone {zone}: its player answers", zone=what)
    if kind == "speech":
        return t("Speech in {language}", language=t(LANGUAGE_NAMES.get(what, what)))
    if kind == "tone":
        return t("Test tone in zone {zone}", zone=what)
    return t(LINES.get(check.line, check.line))


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def index():
    w = work()
    form, errors, code = {}, {}, 200
    if request.method == "POST":
        form = values()
        try:
            h = w.handovers.start(actor(), form)
        except FormErrors as exc:
            errors, code = problems(exc), 400
        else:
            return redirect(url_for("handover.one", handover_id=h.id), 303)
    return render_template("cases/handovers.html", handovers=w.handovers.list(), values=form, errors=errors), code


def page(handover_id: int, errors: dict | None = None, form: dict | None = None, code: int = 200):
    h = work().handovers.get(handover_id)
    return render_template("cases/handover.html", h=h, label=label, errors=errors or {}, values=form or {},
                           me=current_user.name, zones=work().handovers.zones), code


@bp.get("/<int:handover_id>")
@require(*DESK)
def one(handover_id: int):
    return page(handover_id)


def apply_lines(handover_id: int, form: dict) -> dict[str, str]:
    """The checklist form's ticks, crosses and explanations, line by line; returns each line's problem."""
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
        except FormErrors as exc:
            found.update({f"check-{check.id}": v for v in problems(exc).values()})
    return found


@bp.post("/<int:handover_id>/lines")
@require(*DESK)
def lines(handover_id: int):
    """The checklist form: each line's tick or cross and its explanation."""
    form = values()
    try:
        found = apply_lines(handover_id, form)
    except BroadcasterError as exc:
        return refused(exc, "handover.one", handover_id=handover_id)
    if found:
        return page(handover_id, found, form, 400)
    flash(t("Saved."), "ok")
    return redirect(url_for("handover.one", handover_id=handover_id), 303)


@bp.post("/<int:handover_id>/<action>")
@require(*DESK)
def act(handover_id: int, action: str):
    w = work()
    try:
        if action == "pa-check":
            w.handovers.run_pa_check(handover_id, actor())
        elif action == "tone":
            w.handovers.test_tone(handover_id, actor(), request.form.get("zone", ""))
            flash(t("Test tone requested: listen in the zone."), "info")
        elif action == "sign":  # the checklist as it stands on the page, then the signature
            found = apply_lines(handover_id, values()) if w.handovers.get(handover_id).outgoing_signed_at is None else {}
            if found:
                return page(handover_id, found, values(), 400)
            w.handovers.sign(handover_id, actor())
            flash(t("Signed."), "ok")
    except FormErrors as exc:
        return page(handover_id, problems(exc), values(), code=400)
    except BroadcasterError as exc:
        return refused(exc, "handover.one", handover_id=handover_id)
    return redirect(url_for("handover.one", handover_id=handover_id), 303)
