"""Desk: the big urgent-page form (opens the case and pages in one step), case list and case pages,
lost property register. All rules (no-name rule, templates, transitions) are the cases services'."""
from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for

from broadcaster.cases.missing import CaseDetails
from broadcaster.errors import ValidationError
from broadcaster.store.models.cases import CaseState, LostItemState
from web import status_of
from web.auth import DESK, actor, require
from web.i18n import t
from web.views import form, svc, tz

bp = Blueprint("desk", __name__, url_prefix="/desk")

CASE_FIELDS = ("person_name", "age", "sex", "height", "hair", "clothing", "shoes", "last_seen_place",
               "reporter_name", "reporter_contact", "meeting_point", "notes")


def parse_when(value: str | None, field: str) -> datetime | None:
    """``HH:MM`` (today, venue time) or ``YYYY-MM-DDTHH:MM`` (venue time) from an <input>."""
    if not value:
        return None
    zone = tz()
    try:
        if len(value) <= 5 and ":" in value:
            return datetime.combine(svc().clock.now().astimezone(zone).date(), time.fromisoformat(value), zone)
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: use HH:MM or YYYY-MM-DDTHH:MM, got {value!r}") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)


def details_from(values: dict) -> CaseDetails:
    return CaseDetails(**{f: values.get(f) for f in CASE_FIELDS if f != "notes"},
                       last_seen_at=parse_when(values.get("last_seen_at"), "last_seen_at"),
                       is_child=True if values.get("is_child") in (True, "1", "on", "true") else None,
                       notes=values.get("notes") or "")


def open_and_page(who: str, kind: str, values: dict, *, template=None, extra=None):
    """The form's or the API's fields to the paging service's one-step open-and-page: (case, page,
    error); when paging is refused the case stays stored and ``error`` says why."""
    details = details_from(values)
    return svc().paging.open_and_page(who, kind, details, template=template or None, extra_text=extra or None)


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def urgent():
    s = svc()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if request.method == "POST":
        try:
            case, page, err = open_and_page(actor(), values.get("kind") or "missing", values,
                                            template=values.get("template"), extra=values.get("extra_text"))
        except ValidationError as exc:
            return render_template("desk/urgent.html", values=values, error=str(exc),
                                   templates=s.templates.list()), 400
        if err is not None:
            flash(f"{t('Case')} {case.number}: {err}", "error")
        elif page.status.value == "pending_approval":
            flash(t("Page waits for a supervisor (free text)."), "info")
        else:
            flash(t("Page queued."), "ok")
        return redirect(url_for("desk.case", number=case.number))
    return render_template("desk/urgent.html", values=values, error=None, templates=s.templates.list())


@bp.get("/cases")
@require(*DESK)
def cases():
    state = request.args.get("state") or None
    show_all = request.args.get("all") == "1"
    return render_template("desk/cases.html", cases=svc().cases.list_cases(state=state, open_only=not show_all),
                           show_all=show_all, states=list(CaseState))


@bp.get("/cases/<number>")
@require(*DESK)
def case(number: str):
    s = svc()
    c = s.cases.get(number)
    pages = s.paging.pages(case_number=c.number)
    return render_template("desk/case.html", case=c, pages=pages, on_air=s.board.page_airings([p.id for p in pages]),
                           followups=s.followups.for_case(c.number), templates=s.templates.list(),
                           states=list(CaseState))


@bp.post("/cases/<number>/page")
@require(*DESK)
def page_again(number: str):
    v = form("template", "extra_text")
    svc().paging.page_case(number, actor(), template=v["template"], extra_text=v["extra_text"])
    flash(t("Page queued."), "ok")
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/resolve")
@require(*DESK)
def resolve(number: str):
    v = form("state", "result")
    svc().paging.resolve(number, actor(), v["state"] or "", result=v["result"],
                         all_clear=request.form.get("all_clear", "1") == "1")
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/transition")
@require(*DESK)
def transition(number: str):
    v = form("state", "result", "note")
    svc().cases.transition(number, actor(), v["state"] or "", result=v["result"], note=v["note"] or "")
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/note")
@require(*DESK)
def note(number: str):
    svc().cases.add_note(number, actor(), request.form.get("note", ""))
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/followup")
@require(*DESK)
def followup(number: str):
    v = form("outcome", "called_at", "satisfied")
    sat = {"yes": True, "no": False}.get(v["satisfied"] or "")
    svc().followups.record(number, actor(), outcome=v["outcome"] or "",
                           called_at=parse_when(v["called_at"], "called_at"), satisfied=sat)
    return redirect(url_for("desk.case", number=number))


# -- lost property -------------------------------------------------------------------------------
@bp.get("/lost")
@require(*DESK)
def lost():
    state = request.args.get("state") or None
    return render_template("desk/lost.html", items=svc().lost.list(state), states=list(LostItemState),
                           values={}, error=None)


@bp.post("/lost")
@require(*DESK)
def lost_register():
    v = form("category", "where_found", "finder", "storage_place", "found_at", "colour", "description")
    try:
        item = svc().lost.register(actor(), category=v["category"] or "", where_found=v["where_found"] or "",
                                   finder=v["finder"] or "", storage_place=v["storage_place"] or "",
                                   found_at=parse_when(v["found_at"], "found_at"), colour=v["colour"],
                                   description=v["description"] or "", valuable=bool(request.form.get("valuable")))
    except ValidationError as exc:
        return render_template("desk/lost.html", items=svc().lost.list(), states=list(LostItemState),
                               values=v, error=str(exc)), status_of(exc)
    flash(f"{item.number} {t('Saved.')}", "ok")
    return redirect(url_for("desk.lost"))


@bp.post("/lost/<number>/announce")
@require(*DESK)
def lost_announce(number: str):
    s = svc()
    s.lost.announce(number, actor(), s.paging)
    flash(t("Page queued."), "ok")
    return redirect(url_for("desk.lost"))


@bp.post("/lost/<number>/claim")
@require(*DESK)
def lost_claim(number: str):
    v = form("owner_name", "owner_identity", "verification_note", "signature")
    svc().lost.claim(number, actor(), owner_name=v["owner_name"] or "", owner_identity=v["owner_identity"] or "",
                     verification_note=v["verification_note"] or "", signature=v["signature"])
    return redirect(url_for("desk.lost"))


@bp.post("/lost/<number>/handover")
@require(*DESK)
def lost_handover(number: str):
    svc().lost.hand_over(number, actor(), request.form.get("signature", ""))
    return redirect(url_for("desk.lost"))
