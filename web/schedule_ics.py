"""Schedule: the week as a calendar file (.ics) to download, and a calendar file imported in two steps:
what it will change first, then, once confirmed, the change. Reading, checking and writing are the
schedule service's (broadcaster.schedule.ics_import)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from broadcaster.errors import ValidationError
from broadcaster.schedule import ics_import
from web.auth import SCHEDULE, actor, require
from web.i18n import t
from web.schedule import bp, describe, week_start
from web.views import svc

MAX_ICS = 2 * 1024 * 1024


@bp.get("/week.ics")
@require(*SCHEDULE)
def week_ics():
    start = week_start(request.args.get("week"))
    text = ics_import.week_file(svc().programmes, start)
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="schedule-{start.isoformat()}.ics"'})


def _page(values, errors=None, changes=None, text="", status=200):
    programmes = [p.name for p in svc().programmes.list_programmes() if not p.background]
    return render_template("schedule/import.html", values=values, errors=errors or {}, changes=changes,
                           text=text, programmes=programmes, describe=describe), status


def _errors(exc: ValidationError) -> dict:
    msg = str(exc)
    if msg.startswith("programme:"):
        return {"programme": t("Some events name no programme: choose the programme they air.")}
    return {"file": t("This calendar file cannot be imported: {why}", why=msg)}


@bp.route("/import", methods=["GET", "POST"])
@require(*SCHEDULE)
def ics_preview():
    """Step 1: the file read and every change it would make shown; nothing stored."""
    if request.method == "GET":
        return _page({})
    values = request.form.to_dict()
    f = request.files.get("file")
    data = f.read(MAX_ICS + 1) if f is not None else b""
    if not data:
        return _page(values, {"file": t("Choose the calendar file (.ics) to import.")}, status=400)
    if len(data) > MAX_ICS:
        return _page(values, {"file": t("The file is too large for a calendar.")}, status=400)
    try:
        text = data.decode("utf-8-sig")
        changes = ics_import.plan(svc().programmes, text, values.get("programme") or None)
    except UnicodeDecodeError:
        return _page(values, {"file": t("This calendar file cannot be imported: {why}", why="UTF-8")}, status=400)
    except ValidationError as exc:
        return _page(values, _errors(exc), status=400)
    return _page(values, changes=changes, text=text)


@bp.post("/import/confirm")
@require(*SCHEDULE)
def ics_confirm():
    """Step 2: the same file, confirmed: the rules written."""
    values = request.form.to_dict()
    try:
        changes = ics_import.apply(svc().programmes, values.get("ics") or "", values.get("programme") or None,
                                   who=actor())
    except ValidationError as exc:
        return _page(values, _errors(exc), status=400)
    added = sum(c.action == ics_import.ADD for c in changes)
    replaced = sum(c.action == ics_import.REPLACE for c in changes)
    flash(t("Calendar imported: {added} new rules, {changed} changed.", added=added, changed=replaced), "ok")
    return redirect(url_for("schedule.rules"))
