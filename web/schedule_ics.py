"""Schedule: the week as a calendar file (.ics) to download, and a calendar file imported in two steps:
what it will change first, then, once confirmed, the change. Reading, checking and writing are the
schedule service's (broadcaster.schedule.ics_import)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from broadcaster.errors import ValidationError
from broadcaster.schedule import ics_import
from web.auth import SCHEDULE, actor, require
from web.i18n import N_all, t
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


#: what is wrong with an event (broadcaster.schedule.ics.EventError's ``problem``), in the staff's words
PROBLEMS = N_all({
    "all_day": "it lasts all day ({detail}): give it a time of day",
    "rrule_many": "it has more than one repeat rule",
    "freq": "it repeats {detail}: only events that repeat every day or every week can be imported",
    "interval": "it repeats every few days or weeks: only every day or every week can be imported",
    "byday_ordinal": "it repeats on days such as “{detail}” (the first Monday…): only plain weekdays can be imported",
    "rrule_parts": "its repeat rule uses {detail}, which this system cannot schedule",
    "no_start": "it has no start time",
    "rdate": "it has extra dates (RDATE): make each of them an event of its own",
    "rule": "its dates do not make a schedule (does it end before it starts?)",
    "not_calendar": "this is not a calendar file (.ics)",
    "unreadable": "the file is damaged, or not a calendar file",
    "no_events": "the file has no events",
})
FREQUENCIES = N_all({"MONTHLY": "every month", "YEARLY": "every year", "HOURLY": "every hour",
                     "MINUTELY": "every minute", "SECONDLY": "every second"})


def _errors(exc: ValidationError) -> dict:
    """The refusal beside its field, with which event and what is wrong with it, in the UI language."""
    fields = getattr(exc, "fields", None)
    if fields and "programme" in fields:  # the calendar import model
        what = fields["programme"]
        return {"programme": t(what)}
    problem = getattr(exc, "problem", None)
    if problem == "no_programme":
        return {"programme": t("No programme is called “{event}”: choose the programme its events air.",
                               event=exc.event)}
    if problem not in PROBLEMS:
        from web.refusals import refusal_of  # the service's other refusals, in the UI language

        return {"file": t("This calendar file cannot be imported: {why}", why=refusal_of(exc))}
    detail = t(FREQUENCIES[exc.detail]) if problem == "freq" and exc.detail in FREQUENCIES else exc.detail
    why = t(PROBLEMS[problem], detail=detail)
    if exc.event:
        why = t("event “{event}”: {why}", event=exc.event, why=why)
    return {"file": t("This calendar file cannot be imported: {why}", why=why)}


def _programme(values: dict) -> str | None:
    """The programme chosen for the file's events (the calendar import model), or None: each event's own."""
    from broadcaster.inputs import parse
    from broadcaster.inputs_studio import CalendarImport

    return parse(CalendarImport, {"programme": values.get("programme")}).programme


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
        changes = ics_import.plan(svc().programmes, text, _programme(values))
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
        changes = ics_import.apply(svc().programmes, values.get("ics") or "", _programme(values), who=actor())
    except ValidationError as exc:
        return _page(values, _errors(exc), status=400)
    added = sum(c.action == ics_import.ADD for c in changes)
    replaced = sum(c.action == ics_import.REPLACE for c in changes)
    flash(t("Calendar imported: {added} new rules, {changed} changed.", added=added, changed=replaced), "ok")
    return redirect(url_for("schedule.rules"))
