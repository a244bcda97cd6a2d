"""Schedule: a week view of programmes (the schedule service's expansion), rules create / edit / delete,
programmes list and create. Validation and expansion are the schedule service's."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from broadcaster import inputs
from broadcaster.errors import FieldErrors, ValidationError
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import KINDS, WEEKDAYS, RuleSpec, parse_date, rule_from
from web.auth import SCHEDULE, actor, require
from web.i18n import t
from web.refusals import refusal_of
from web.views import day_name, field_errors, svc

bp = Blueprint("schedule", __name__, url_prefix="/schedule")


def week_start(value: str | None) -> date:
    today = svc().clock.now().astimezone(_zone()).date()
    d = parse_date(value, "week") if value else today
    return d - timedelta(days=d.weekday())


def _zone():
    from broadcaster.schedule.rules import venue_zone

    return venue_zone(svc().programmes.tz)


class RuleRefused(FieldErrors):
    """A rule's field errors; ``not_found``: those of its fields that name a record nobody made."""

    def __init__(self, fields: dict[str, str], not_found: set[str]) -> None:
        super().__init__(fields)
        self.not_found = not_found


def add_rule(values: dict | inputs.Rule, replaces: int | None = None) -> int:
    """A rule from the API's body or the form's fields: the shared input model's errors and the schedule
    service's (times, days, programme, zones, priority) said together, in one FieldErrors."""
    from broadcaster.schedule.rule_check import rule_problems

    bad: dict[str, str] = {}
    not_found: set[str] = set()
    if not isinstance(values, inputs.Rule):
        raw = {k: v for k, v in values.items() if k in inputs.Rule.model_fields}
        try:
            values = inputs.parse(inputs.Rule, raw)
        except FieldErrors as exc:  # the fields that passed still go to the service's checks
            bad, values = dict(exc.fields), partial_rule(raw, exc.fields)
    refused = {f.split("[")[0] for f in bad}
    if values is not None:
        given = values.given()
        try:
            spec = None if "kind" in refused else rule_from(given)
        except ValidationError as exc:
            spec, bad = None, {**field_errors(exc), **bad}
        problems = rule_problems(svc().programmes, None if "programme" in refused else values.programme, spec,
                                 zones=values.zones, priority=values.priority, who=actor())
        bad.update({k: v for k, v in problems.items() if k.split("[")[0] not in refused})
        not_found = problems.not_found & bad.keys()
    if bad:
        raise RuleRefused(bad, not_found)
    return svc().programmes.add_rule(values.programme, rule_from(given), zones=values.zones,
                                     priority=values.priority, source="web", who=actor(), replaces=replaces)


def partial_rule(raw: dict, refused) -> inputs.Rule | None:
    """The form's fields less those the input model refused (a refused programme or kind: a stand-in,
    not checked), to check the rest; None if even that is refused."""
    names = {f.split("[")[0] for f in refused}
    rest = {k: v for k, v in raw.items() if k not in names}
    rest.update({k: v for k, v in (("programme", "-"), ("kind", "daily")) if k in names})
    try:
        return inputs.parse(inputs.Rule, rest)
    except FieldErrors:
        return None


def items_from(text: str) -> list[ItemSpec]:
    """One item per line: ``chime programme``, ``silence 5``, ``announcement 12``, ``playlist NAME [seconds]``,
    ``recording PATH``."""
    out = []
    for n, line in enumerate(x.strip() for x in (text or "").splitlines()):
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        rest = rest.strip()
        try:
            if kind == "silence":
                out.append(ItemSpec("silence", seconds=float(rest)))
            elif kind == "announcement":
                out.append(ItemSpec("announcement", announcement_id=int(rest.lstrip("#"))))
            elif kind == "playlist":
                name, _, secs = rest.rpartition(" ")
                if name and secs.replace(".", "", 1).isdigit():
                    out.append(ItemSpec("playlist", playlist=name, seconds=float(secs)))
                else:
                    out.append(ItemSpec("playlist", playlist=rest))
            elif kind == "chime":
                out.append(ItemSpec("chime", chime=rest or None))
            else:
                out.append(ItemSpec(kind, path=rest))
        except ValueError:
            raise ValidationError(f"items: line {n + 1} cannot be read ({line}): write one piece a line, "
                                  "e.g. silence 5") from None
    return out


@bp.get("/")
@require(*SCHEDULE)
def week():
    """The week as a time grid: days by hours, each slot at its time and as tall as its programme lasts,
    a line at the time now; on a phone one day at a time (``day`` picks it)."""
    s = svc()
    start = week_start(request.args.get("week"))
    days = [start + timedelta(days=i) for i in range(7)]
    by_day = defaultdict(list)
    slots = s.programmes.expand(days[0], days[-1])
    for slot in slots:
        by_day[slot.local.date()].append(slot)
    from broadcaster.schedule import week_status  # what aired, and what will be refused
    from broadcaster.schedule.programme_editor import TIMED

    now = s.clock.now().astimezone(_zone())
    progs = {p.id: p for p in s.programmes.list_programmes()}
    minutes = {pid: max(1.0, p.estimated_duration / 60) for pid, p in progs.items()}
    stretch = {pid for pid, p in progs.items() if any(it.kind in TIMED for it in p.items)}
    ends = [sl.local.hour * 60 + sl.local.minute + (sl.length_s / 60 if sl.length_s else minutes.get(sl.programme_id, 1))
            for sl in slots]
    today_shown = start <= now.date() < start + timedelta(days=7)
    first = min([6] + [sl.local.hour for sl in slots] + ([now.hour] if today_shown else []))
    last = min(24, max([22] + [int(e // 60) + 1 for e in ends] + ([now.hour + 1] if today_shown else [])))
    picked = request.args.get("day")
    shown = next((d for d in days if d.isoformat() == picked), now.date() if today_shown else start)
    return render_template("schedule/week.html", days=days, by_day=by_day, start=start, shown=shown,
                           prev=start - timedelta(days=7), next=start + timedelta(days=7),
                           closed=s.programmes.closed_days(), tz=s.programmes.tz, hours=range(first, last),
                           first=first, minutes=minutes, stretch=stretch,
                           now=now, status=week_status.past(s.programmes, slots, s.clock.now()),
                           upcoming=week_status.next_slots(s.programmes, s.clock.now()))


def rule_errors(exc) -> dict[str, str]:
    """The rule form's errors by its fields: "except_dates[1]" beside the except-dates field."""
    out: dict[str, str] = {}
    for field, what in field_errors(exc).items():
        out.setdefault(field.split("[")[0], what)
    return out


def rules_page(values: dict, edit=None, errors: dict | None = None, status: int = 200):
    s = svc()
    return render_template("schedule/rules.html", rules=s.programmes.rules(), programmes=s.programmes.list_programmes(),
                           kinds=KINDS, weekdays=WEEKDAYS, values=values, edit=edit, errors=errors or {},
                           describe=describe), status


def describe(spec: RuleSpec) -> str:
    """A rule in the staff's words and language ("每周 周一、周三 09:00")."""
    days = t(", ").join(day_name(d, "abbreviated") for d in spec.days)  # Babel: 周一 / Mon
    at = f"{spec.at:%H:%M}" if spec.at else ""
    if spec.kind == "weekly":
        s = t("every {days} at {at}", days=days, at=at)
    elif spec.kind == "daily":
        s = t("every day at {at}", at=at)
    elif spec.kind == "interval":
        s = t("every {n} min from {start} to {end}", n=spec.every_minutes, start=f"{spec.window_start:%H:%M}",
              end=f"{spec.window_end:%H:%M}") + (t(" on {days}", days=days) if days else "")
    else:
        s = t("once on {date} at {at}", date=spec.on_date, at=at)
    if spec.start_date or spec.end_date:
        s += t(", from {start} to {end}", start=spec.start_date or "…", end=spec.end_date or "…")
    if spec.except_dates:
        s += t(", except {dates}", dates=", ".join(str(d) for d in sorted(spec.except_dates)))
    return s




@bp.get("/rules")
@require(*SCHEDULE)
def rules():
    # from the week: a day's "+" opens the form for a one-off slot on that day (kind, date, time given)
    return rules_page({k: v for k in ("kind", "on_date", "at", "programme") if (v := request.args.get(k))})


@bp.post("/rules")
@require(*SCHEDULE)
def rule_create():
    values = request.form.to_dict()
    values["days"] = ",".join(request.form.getlist("days"))
    values["zones"] = ",".join(request.form.getlist("zones"))  # the zones ticked, by id
    try:
        add_rule(values)
    except ValidationError as exc:
        return rules_page(values, None, rule_errors(exc), 400)
    flash(t("Saved."), "ok")
    return redirect(url_for("schedule.rules"))


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@require(*SCHEDULE)
def rule_edit(rule_id: int):
    s = svc()
    rule = next((r for r in s.programmes.rules() if r.rule_id == rule_id), None)
    if rule is None:
        from broadcaster.errors import NotFound

        raise NotFound(f"no schedule rule #{rule_id}")
    if request.method == "POST":
        values = request.form.to_dict()
        values["days"] = ",".join(request.form.getlist("days"))
        values["zones"] = ",".join(request.form.getlist("zones"))
        try:
            add_rule(values, replaces=rule_id)  # one transaction: a refused edit leaves the old rule in place
        except ValidationError as exc:
            return rules_page(values, rule, rule_errors(exc), 400)
        flash(t("Saved."), "ok")
        return redirect(url_for("schedule.rules"))
    sp = rule.spec
    fmt = lambda v: v.isoformat(timespec="minutes") if hasattr(v, "hour") else (v.isoformat() if v else "")  # noqa: E731
    values = {"programme": rule.programme, "kind": sp.kind, "at": fmt(sp.at) if sp.at else "",
              "days": ",".join(WEEKDAYS[d] for d in sp.days), "every_minutes": sp.every_minutes or "",
              "window_start": fmt(sp.window_start) if sp.window_start else "",
              "window_end": fmt(sp.window_end) if sp.window_end else "", "on_date": fmt(sp.on_date),
              "start_date": fmt(sp.start_date), "end_date": fmt(sp.end_date),
              "except_dates": ",".join(d.isoformat() for d in sorted(sp.except_dates)),
              "zones": ",".join(rule.zones), "priority": rule.priority}
    return rules_page(values, rule)


@bp.post("/rules/<int:rule_id>/delete")
@require(*SCHEDULE)
def rule_delete(rule_id: int):
    svc().programmes.remove_rule(rule_id, who=actor())
    return redirect(url_for("schedule.rules"))


@bp.route("/programmes", methods=["GET", "POST"])
@require(*SCHEDULE)
def programmes():
    s = svc()
    error, values, code = None, {}, 200
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            s.programmes.create_programme(values.get("name") or "", items_from(values.get("items") or ""),
                                          priority=values.get("priority") or "programme",
                                          zones=values.get("zones") or "main",
                                          background=bool(values.get("background")),
                                          description=values.get("description") or "", who=actor())
            flash(t("Saved."), "ok")
            return redirect(url_for("schedule.programmes"))
        except ValidationError as exc:
            error, code = refusal_of(exc), 400
    return render_template("schedule/programmes.html", programmes=s.programmes.list_programmes(),
                           playlists=s.programmes.list_playlists(), values=values, error=error), code


@bp.route("/playlists", methods=["GET", "POST"])
@require(*SCHEDULE)
def playlists():
    """Music for programmes: upload files as a playlist (each decoded by the schedule service; the
    names only give the tracks their titles)."""
    s = svc()
    limit = current_app.config["MUSIC_UPLOAD_MAX"]
    errors, values, code = {}, {}, 200
    if request.method == "POST":
        from broadcaster.inputs_studio import PlaylistImport
        from web.playlistwords import upload_errors

        values = request.form.to_dict()
        files = [(f.filename or "", data) for f in request.files.getlist("files") if (data := f.read())]
        try:
            v = inputs.parse(PlaylistImport, {"name": values.get("name"), "crossfade_s": values.get("crossfade_s")})
        except ValidationError as exc:  # every field at once: the files (each by its name) and the name too
            v, errors = None, upload_errors(exc)
            try:
                s.programmes.check_upload(None if "name" in errors else values.get("name") or "", files, who=actor())
            except ValidationError as more:
                errors = {**upload_errors(more), **errors}
        if v is not None:
            try:  # decodes every file (once) and refuses every problem at once, storing nothing
                s.programmes.upload_playlist(v.name or "", files, media=s.media, who=actor(),
                                             shuffle=bool(values.get("shuffle")), crossfade_s=v.crossfade_s)
                flash(t("Saved."), "ok")
                return redirect(url_for("schedule.playlists"))
            except ValidationError as exc:
                errors = upload_errors(exc)
        code = 400
    from broadcaster.schedule import library

    return render_template("schedule/playlists.html", playlists=library.playlists(s.programmes), values=values,
                           errors=errors, max_mb=limit // (1024 * 1024)), code

