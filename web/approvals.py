"""Supervisor: the approval inbox (announcements, page templates, pages with free text), listen before
approving, reject with a reason, and the as-run and fault logs with CSV export."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from broadcaster import inputs, logs as logs_mod, playback
from broadcaster.inputs_cases import Why
from broadcaster.errors import FieldErrors
from broadcaster.settings import var_dir
from web.auth import SUPERVISOR, actor, require
from web.i18n import t
from web.annwords import state
from web.views import svc, tz
from web import workflow

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


# -- in the supervisors' words: no ids, priority numbers, language codes or internal states ----------


def language(code: str) -> str:
    from web.i18n import language_name

    return language_name(code)


def urgency(priority: int) -> str:
    return t("urgent") if priority >= 80 else t("high") if priority > 50 else t("normal")


def version_words(number: int, on_air: int | None) -> str:
    if on_air is None or on_air == number:
        return t("version {n}, new", n=number)
    return t("version {n}, replaces version {old} on air", n=number, old=on_air)


def _announcement_versions(ids) -> dict[int, str]:
    from broadcaster.announcements import versions
    from broadcaster.store.models.workflow import Announcement

    out = {}
    with svc().db.session() as s:
        for aid in ids:
            ann = s.get(Announcement, aid)
            row, on = versions.pending(s, ann), versions.airing(s, ann)
            number = row.number if row is not None else (on.number + 1 if on is not None else 1)
            out[aid] = version_words(number, on.number if on is not None else None)
    return out


def _template_versions(waiting) -> dict[int, str]:
    """Which version each waiting template is: a new wording of an approved one replaces it once approved
    (until then the approved one airs); an edited template not approved yet replaced the one before."""
    return {x.id: t("version {n}, replaces version {old} on air", n=x.version + 1, old=x.version)
            if x.draft_texts is not None else t("version {n}, replaces version {old}", n=x.version, old=x.version - 1)
            if x.version > 1 else version_words(1, None) for x in waiting}


WORDS = {"language": language, "urgency": urgency, "state": state}


@bp.get("/")
@require(*SUPERVISOR)
def inbox():
    s = svc()
    anns = workflow.pending()
    waiting = s.templates.waiting()
    return render_template("approvals/inbox.html", announcements=anns,
                           versions=_announcement_versions([a.id for a in anns]), templates=waiting,
                           template_versions=_template_versions(waiting),
                           pages=s.paging.pages(status="pending_approval"), **WORDS)


# -- announcements ---------------------------------------------------------------------------------
@bp.get("/announcements/<int:announcement_id>")
@require(*SUPERVISOR)
def announcement(announcement_id: int):
    return render_template("approvals/announcement.html", a=workflow.get(announcement_id),
                           own=workflow.wrote(announcement_id, actor()),
                           version=_announcement_versions([announcement_id])[announcement_id],
                           history=workflow.history(announcement_id), **WORDS)


@bp.post("/announcements/<int:announcement_id>/approve")
@require(*SUPERVISOR)
def approve(announcement_id: int):
    listened = inputs.parse(inputs.Approve, {"sha256": request.form.get("sha256")}).sha256
    workflow.approve(announcement_id, actor(), listened)
    flash(t("Saved."), "ok")
    return redirect(url_for("approvals.inbox"))


@bp.post("/announcements/<int:announcement_id>/reject")
@require(*SUPERVISOR)
def reject(announcement_id: int):
    workflow.reject(announcement_id, actor(), inputs.parse(Why, {"reason": request.form.get("reason")}).reason or "")
    flash(t("Saved."), "ok")
    return redirect(url_for("approvals.inbox"))


# -- page templates and pages ----------------------------------------------------------------------
@bp.post("/templates/<int:template_id>/approve")
@require(*SUPERVISOR)
def template_approve(template_id: int):
    svc().templates.approve(template_id, actor())
    return redirect(url_for("approvals.inbox"))


@bp.post("/templates/<int:template_id>/set-aside")
@require(*SUPERVISOR)
def template_set_aside(template_id: int):
    svc().templates.set_aside(template_id, actor())
    flash(t("Turned down: the wording on air stays."), "ok")
    return redirect(url_for("approvals.inbox"))


@bp.post("/templates/<int:template_id>/retire")
@require(*SUPERVISOR)
def template_retire(template_id: int):
    svc().templates.retire(template_id, actor())
    return redirect(url_for("approvals.inbox"))


@bp.get("/templates")
@require(*SUPERVISOR)
def templates():
    from broadcaster.paging.defaults import lacks_looks

    tpls = svc().templates.list()
    return render_template("approvals/templates.html", templates=tpls, **WORDS,
                           looks=[x for x in tpls if x.status.value != "retired" and lacks_looks(x)])


@bp.post("/pages/<int:page_id>/approve")
@require(*SUPERVISOR)
def page_approve(page_id: int):
    svc().paging.approve_page(page_id, actor())
    return redirect(url_for("approvals.inbox"))


@bp.post("/pages/<int:page_id>/reject")
@require(*SUPERVISOR)
def page_reject(page_id: int):
    svc().paging.reject_page(page_id, actor(), inputs.parse(Why, {"reason": request.form.get("reason")}).reason or "")
    return redirect(url_for("approvals.inbox"))


# -- logs ------------------------------------------------------------------------------------------
def _range(errors: dict | None = None) -> tuple[datetime | None, datetime | None]:
    """?day=YYYY-MM-DD (venue-local) or ?days=N back from now; default: the last 7 days. A bad value is
    refused (FieldErrors), or with ``errors`` given, said there and the default shown."""
    from broadcaster.inputs_studio import LogRange

    try:
        v = inputs.parse(LogRange, {"day": request.args.get("day"), "days": request.args.get("days")})
    except FieldErrors as exc:
        if errors is None:
            raise
        errors.update(exc.fields)
        v = LogRange()
    if v.day:
        start = datetime.fromisoformat(v.day).replace(tzinfo=tz())
        return start, start + timedelta(days=1)
    return svc().clock.now() - timedelta(days=v.days or 7), None


@bp.get("/logs")
@require(*SUPERVISOR)
def logs():
    errors = {}
    since, until = _range(errors)  # a day that does not exist: said beside the day field, the last 7 days shown
    with svc().db.session() as s:
        rows = logs_mod.as_run_rows(s, since, until, limit=500)
        faults = logs_mod.faults(s)[:200]
        recorded = playback.playable(s, rows)
    return render_template("approvals/logs.html", rows=rows, faults=faults, recorded=recorded, errors=errors,
                           query="" if errors else request.query_string.decode()), 400 if errors else 200


@bp.get("/logs/asrun/<int:row_id>/aired.flac")
@require(*SUPERVISOR)
def aired(row_id: int):
    """What the public heard of one as-run row, cut from the air logger (FLAC)."""
    from broadcaster.store.models.workflow import AsRun

    with svc().db.session() as s:
        row = s.get(AsRun, row_id)
        if row is None:
            abort(404)
    try:
        samples = playback.aired(svc().db, row, var_dir() / "cache" / "airlog")
    except playback.Tampered:
        abort(409, t("The air recording of this item was changed after it was stored; it is not played"))
    if not samples.size:
        abort(404, t("The air recording of this item is not kept"))
    return Response(playback.as_flac(samples), mimetype="audio/flac",
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/logs/asrun.csv")
@require(*SUPERVISOR)
def asrun_csv():
    since, until = _range()
    with svc().db.session() as s:
        text = logs_mod.as_run_csv(logs_mod.as_run_rows(s, since, until))
    return _csv(text, "as-run.csv")


@bp.get("/logs/faults.csv")
@require(*SUPERVISOR)
def faults_csv():
    with svc().db.session() as s:
        text = logs_mod.faults_csv(logs_mod.faults(s))
    return _csv(text, "faults.csv")


def _csv(text: str, name: str) -> Response:
    # a leading BOM so spreadsheet programs read the Chinese text as UTF-8
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
