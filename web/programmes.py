"""Schedule: the programme editor. A programme is built from pieces picked by title (approved
announcements, chimes, playlists with a length, silence), reordered with up/down buttons (the page is
drawn again, nothing saved until "Save"), with each piece's length and the total shown. Deleting a
programme that rules schedule asks first and names them. The rules are the schedule service's
(broadcaster.schedule.programme_editor)."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for

from broadcaster.errors import FieldErrors, ValidationError
from broadcaster.inputs import parse
from broadcaster.inputs_studio import Programme
from broadcaster.schedule import programme_editor as editor
from web.auth import SCHEDULE, actor, require
from web.i18n import t
from web.schedule import bp, describe
from web.views import field_errors, svc

MAX_ROWS = 40


def _rows(form) -> list[dict]:
    """The editor's rows as posted: ``piece_N`` / ``seconds_N``, in order."""
    found = sorted({int(m[1]) for k in form if (m := re.match(r"^piece_(\d+)$", k))})
    return [{"piece": form.get(f"piece_{i}", ""), "seconds": form.get(f"seconds_{i}", "")} for i in found][:MAX_ROWS]


def _move(rows: list[dict], op: str) -> list[dict]:
    what, _, where = op.partition(":")
    i = int(where) if where.isdigit() else -1
    if what == "add" and len(rows) < MAX_ROWS:
        rows.append({"piece": "", "seconds": ""})
    elif what == "remove" and 0 <= i < len(rows):
        rows.pop(i)
    elif what == "up" and 0 < i < len(rows):
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif what == "down" and 0 <= i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows


def _errors(exc: ValidationError) -> dict:
    """"items[2].seconds: ..." -> {"seconds_3": ...}; "name: ..." -> {"name": ...}."""
    m = re.match(r"^items\[(\d+)\]\.(\w+): (.+)$", str(exc), re.S)
    if m:
        field = "seconds" if m[2] == "seconds" else "piece"
        return {f"{field}_{int(m[1]) + 1}": m[3]}
    errors = field_errors(exc)
    if "items" in errors:
        return {"piece_1": t("Add at least one piece.")}
    return errors


def _page(programme_id, values, rows, errors=None, status=200):
    s = svc()
    pieces = editor.catalogue(s.programmes, getattr(s, "media", None))
    by_key = {p.key: p for p in pieces}
    lengths = []
    for r in rows:
        try:
            secs = float(r["seconds"]) if r["seconds"] not in ("", None) else None
        except ValueError:
            secs = None
        lengths.append(editor.length(by_key, r["piece"], secs))
    return render_template("schedule/programme.html", programme_id=programme_id, values=values, rows=rows,
                           pieces=pieces, by_key=by_key, lengths=lengths, total=sum(lengths), errors=errors or {},
                           timed=editor.TIMED), status


@bp.route("/programmes/new", methods=["GET", "POST"])
@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@require(*SCHEDULE)
def programme_edit(programme_id: int | None = None):
    if request.method == "GET":
        if programme_id is None:
            return _page(None, {"priority": "programme", "zones": "main"}, [{"piece": "", "seconds": ""}])
        p = svc().programmes.programme(programme_id)
        rows = [{"piece": editor.key_of(it), "seconds": "" if it.seconds is None else f"{it.seconds:g}"}
                for it in p.items]
        return _page(programme_id, {"name": p.name, "priority": p.priority, "zones": ",".join(p.zones),
                                    "description": p.description}, rows)
    values, rows = request.form.to_dict(), _rows(request.form)
    values["zones"] = ",".join(request.form.getlist("zones"))  # the zones ticked, by id
    op = values.get("op") or "save"
    if op != "save":
        return _page(programme_id, values, _move(rows, op))
    try:  # the programme model (name, priority, zones, description), then the editor's rules: all at once
        v, errors = parse(Programme, {k: values.get(k) for k in Programme.model_fields}), {}
    except FieldErrors as exc:  # "zones[1]" beside the zones field
        v, errors = None, {k.split("[")[0]: what for k, what in exc.fields.items()}
    try:
        items = [editor.spec_of(n, r["piece"], r["seconds"]) for n, r in enumerate(rows)]
        if not errors:
            editor.save(svc().programmes, programme_id, v.name, items, priority=v.priority or "programme",
                        zones=",".join(v.zones or ["main"]), description=v.description or "", who=actor())
    except ValidationError as exc:
        errors = {**_errors(exc), **errors}
    if errors:
        return _page(programme_id, values, rows, errors, 400)
    flash(t("Saved."), "ok")
    return redirect(url_for("schedule.programmes"))


@bp.route("/programmes/<int:programme_id>/delete", methods=["GET", "POST"])
@require(*SCHEDULE)
def programme_delete(programme_id: int):
    """Asks first when rules schedule the programme, and names them; deletes once confirmed."""
    s = svc()
    p = s.programmes.programme(programme_id)
    if request.method == "POST":
        try:
            editor.remove(s.programmes, programme_id, who=actor(), confirmed=request.form.get("confirm") == "1")
        except editor.InUse:
            pass
        else:
            flash(t("Programme deleted."), "ok")
            return redirect(url_for("schedule.programmes"))
    rules = [r for r in s.programmes.rules() if r.programme_id == programme_id]
    return render_template("schedule/programme_delete.html", p=p, rules=rules, describe=describe)


@bp.get("/programmes/<int:programme_id>/preview.wav")
@require(*SCHEDULE)
def programme_preview(programme_id: int):
    """The saved programme as one sound, to listen to in the browser."""
    from web.views import wav_response

    s = svc()
    return wav_response(editor.preview(s.programmes, programme_id, getattr(s, "media", None)),
                        f"programme-{programme_id}.wav")


@bp.route("/slots/move", methods=["GET", "POST"])
@require(*SCHEDULE)
def slot_move():
    """Move one slot to another day and time (the week's "Move" link, or a slot dragged to another day)."""
    from datetime import date, time

    from broadcaster.errors import NotFound
    from broadcaster.inputs_studio import SlotMove
    from broadcaster.schedule import moves

    values = request.values.to_dict()
    errors: dict = {}
    if request.method == "POST":
        try:  # the slot move model: every field at once; the slot's own fields (hidden) say "not there"
            v = parse(SlotMove, {k: values.get(k) for k in SlotMove.model_fields})
            moves.move(svc().programmes, v.rule_id, date.fromisoformat(v.day), date.fromisoformat(v.to_day),
                       time.fromisoformat(v.to_time), who=actor())
            flash(t("Slot moved."), "ok")
            return redirect(url_for("schedule.week", week=v.to_day))
        except FieldErrors as exc:
            missing = {"to_day": t("Choose the day."), "to_time": t("Choose the time.")}
            errors = {k: missing[k] if what == "required" else t(what)
                      for k, what in exc.fields.items() if k in missing}
            if set(exc.fields) - set(missing):
                errors.setdefault("to_day", t("This slot cannot be moved there."))
        except (ValidationError, NotFound):
            errors["to_day"] = t("This slot cannot be moved there.")
    return render_template("schedule/move.html", values=values, errors=errors), 400 if errors else 200


@bp.post("/slots/resize")
@require(*SCHEDULE)
def slot_resize():
    """A slot's length (a slot's lower edge dragged in the week, or the length field of its "Move" page):
    the programme's music or silence is made to fill it in the slots of this rule; the programme and
    its other rules keep their length."""
    from broadcaster.inputs_studio import SlotResize
    from broadcaster.schedule import moves

    values = request.form.to_dict()
    errors: dict = {}
    try:
        v = parse(SlotResize, {k: values.get(k) for k in SlotResize.model_fields})
    except FieldErrors as exc:
        v, errors = None, {"minutes": t("Give the length in minutes.")}
        if "minutes" not in exc.fields:
            errors["minutes"] = t("This slot is no longer in the schedule.")
    rule = next((r for r in svc().programmes.rules() if r.rule_id == v.rule_id), None) if v else None
    if v and rule is None:
        errors["minutes"] = t("This slot is no longer in the schedule.")
    minutes = v.minutes if v else 0
    if not errors:
        try:
            moves.resize(svc().programmes, rule.rule_id, minutes * 60, who=actor())
            flash(t("“{name}” now lasts {n} min in every slot of this rule; the programme itself is unchanged.",
                    name=rule.programme, n=f"{minutes:g}"), "ok")
            return redirect(url_for("schedule.week", week=v.day, day=v.day))
        except ValidationError as exc:
            errors["minutes"] = t("This programme cannot last {n} min: {why}", n=f"{minutes:g}",
                                  why=_length_words(str(exc)))
    values.setdefault("programme", rule.programme if rule else "")
    return render_template("schedule/move.html", values=values, errors=errors), 400


def _length_words(msg: str) -> str:
    """The schedule service's reason a length is refused, in the staff's words and language."""
    m = re.search(r"at (least|most) (\d+) s", msg)
    if m and m[1] == "least":
        return t("its other pieces need at least {n} min", n=f"{int(m[2]) / 60:.1f}")
    if m:
        return t("its music lasts only {n} min", n=f"{int(m[2]) / 60:.1f}")
    return t("its pieces have fixed lengths; add music or silence to it in the programme editor")
