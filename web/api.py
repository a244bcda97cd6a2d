"""JSON API for the panel's actions (a desk phone or kiosk can trigger a page). Authentication: HTTP Basic
with the panel's users, or ``Authorization: Bearer <token>`` from ``POST /api/token``. No cookies, so no
CSRF. Every body is parsed through its input model (broadcaster.inputs), which also gives the OpenAPI
schemas (/api/openapi.json). Errors: RFC 9457 problem details with 400 / 401 / 403 / 404 / 405 / 409 / 413 / 429."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request

from broadcaster import board, inputs, logs
from broadcaster.errors import BroadcasterError, FieldErrors, NotFound
from broadcaster.onair.nowplaying import health
from broadcaster.paging.rules import MixedWords
from web import problem, status_of
from web import workflow
from web.auth import (ANYONE, BROADCASTER, DESK, FAULT_ACK, SCHEDULE, SUPERVISOR, actor, api_user,
                      install_password_refusal, install_password_unchanged, issue_token, require_api)
from web.dashboard import acknowledge, open_faults
from web.i18n import N_
from web.desk import open_and_page
from web.deskform import details_from
from broadcaster.inputs_studio import AsRunQuery
from web.openapi import document
from web.schedule import RuleRefused, add_rule, week_start
from web.views import svc, wav_response

bp = Blueprint("api", __name__, url_prefix="/api")


def raw_body():
    """The request's JSON body (or form fields; no body is an empty object); malformed JSON is the
    body's fault, not a field's."""
    if request.mimetype == "application/json" or request.is_json:
        data = request.get_json(silent=True) if request.get_data() else {}
        if data is None:
            raise FieldErrors({"body": N_("not valid JSON")})
        return data
    return request.form.to_dict()


def body(model: type[inputs.Input]):
    """The body as ``model``, or FieldErrors naming every field at fault."""
    return inputs.parse(model, raw_body())


def iso(at) -> str | None:
    return at.isoformat() if at else None


def case_json(c, full: bool = False) -> dict:
    out = {"number": c.number, "kind": c.kind.value, "state": c.state.value, "is_child": c.is_child,
           "age": c.age, "sex": c.sex, "clothing": c.clothing, "last_seen_place": c.last_seen_place,
           "meeting_point": c.meeting_point, "created_at": iso(c.created_at)}
    if full:
        out.update({f: getattr(c, f) for f in ("person_name", "height", "hair", "shoes", "reporter_name",
                                                "reporter_contact", "notes", "result")})
        out["timeline"] = [{"at": iso(e.at), "action": e.action, "from": e.from_state, "to": e.to_state,
                            "detail": e.detail} for e in c.events]
    return out


def page_json(p, on_air: dict | None = None) -> dict:
    """A page, and what became of it on air: per zone the state of its latest airing (queued, airing,
    done, ...) and how many airings aired to the end (``times_queued`` only counts airings written)."""
    if on_air is None:
        on_air = board.page_airings(svc().db, [p.id])[p.id]
    return {"id": p.id, "purpose": p.purpose.value, "status": p.status.value, "priority": p.priority,
            "texts": p.texts, "times_queued": p.times_queued, "max_repeats": p.max_repeats,
            "on_air": on_air["zones"], "times_aired": on_air["aired"]}


def lost_json(i) -> dict:
    return {"number": i.number, "state": i.state.value, "category": i.category, "colour": i.colour,
            "where_found": i.where_found, "found_at": iso(i.found_at), "storage_place": i.storage_place,
            "valuable": i.valuable}


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(list(getattr(svc().settings, "zones", None) or [])))


@bp.post("/token")
def token():
    user = api_user()
    if user is None:
        from flask import abort

        abort(401)
    if install_password_unchanged(user):
        return install_password_refusal()
    return jsonify(token=issue_token(user), token_type="Bearer", user=user.name, role=user.role.value,
                   expires_in=int(current_app.config["API_TOKEN_MAX_AGE"]))


@bp.get("/now")
@require_api(*ANYONE)
def now():
    zones = svc().now_playing()
    return jsonify(zones=zones, health=health(zones))


# -- desk ------------------------------------------------------------------------------------------
@bp.post("/pages")
@require_api(*DESK)
def trigger_page():
    data = page_request()
    try:
        case, page, err = open_and_page(actor(), data.kind, data.given(), template=data.template, extra=data.extra_text)
    except MixedWords as exc:  # a detail in one language only: nothing stored, each language that lacks it named
        return problem(409, str(exc), kind="not-paged", fields=exc.fields, paged=False)
    if err is not None:  # the case is open; its page waits for what the template needs (a conflict, not bad input)
        status = status_of(err)
        return problem(409 if status == 400 else status, str(err), kind="not-paged", case=case_json(case),
                       paged=False)
    return jsonify(case=case_json(case), page=page_json(page), paged=True), 201


def page_request() -> inputs.PageRequest:
    raw = raw_body()
    try:
        return inputs.parse(inputs.PageRequest, raw)
    except FieldErrors as exc:  # and what the case lacks besides: every field at once, as on the desk form
        try:
            details_from(raw if isinstance(raw, dict) else {})
        except FieldErrors as more:
            raise FieldErrors({**more.fields, **exc.fields}) from None
        raise


@bp.post("/pages/preview")
@require_api(*DESK)
def preview_page():
    """What ``POST /api/pages`` with this body would say, per language, checked as it would be; nothing
    is stored and nothing airs. Bad input is a 400 as there; a page the template cannot make from these
    details (what it lacks, a child's name) is the 409 that would leave the case open without its page."""
    data = page_request()
    try:
        texts = svc().paging.preview(data.kind, details_from(data.given()), template=data.template,
                                     extra_text=data.extra_text)
    except BroadcasterError as exc:
        status = status_of(exc)
        return problem(409 if status == 400 else status, str(exc), kind="not-paged",
                       **({"fields": exc.fields} if getattr(exc, "fields", None) else {}))
    return jsonify(texts=texts)


@bp.get("/cases")
@require_api(*DESK)
def cases():
    show_all = request.args.get("all") in ("1", "true")
    return jsonify(cases=[case_json(c) for c in svc().cases.list_cases(state=request.args.get("state") or None,
                                                                       open_only=not show_all)])


@bp.get("/cases/<number>")
@require_api(*DESK)
def case(number: str):
    s = svc()
    c = s.cases.get(number)
    pages = s.paging.pages(case_number=c.number)
    on_air = board.page_airings(s.db, [p.id for p in pages])
    return jsonify(case=case_json(c, full=True), pages=[page_json(p, on_air[p.id]) for p in pages])


@bp.post("/cases/<number>/page")
@require_api(*DESK)
def page_case(number: str):
    data = body(inputs.PageAgain)
    page = svc().paging.page_case(number, actor(), template=data.template, extra_text=data.extra_text)
    return jsonify(page=page_json(page)), 201


@bp.post("/cases/<number>/page/preview")
@require_api(*DESK)
def preview_case_page(number: str):
    """What paging the case again with this body would say, per language; nothing is stored."""
    data = body(inputs.PageAgain)
    return jsonify(texts=svc().paging.preview_case(number, template=data.template, extra_text=data.extra_text))


@bp.post("/cases/<number>/resolve")
@require_api(*DESK)
def resolve(number: str):
    data = body(inputs.Resolve)
    c = svc().paging.resolve(number, actor(), data.state, result=data.result, all_clear=data.all_clear)
    return jsonify(case=case_json(c))


@bp.post("/pages/<int:page_id>/approve")
@require_api(*SUPERVISOR)
def approve_page(page_id: int):
    return jsonify(page=page_json(svc().paging.approve_page(page_id, actor())))


@bp.post("/pages/<int:page_id>/reject")
@require_api(*SUPERVISOR)
def reject_page(page_id: int):
    return jsonify(page=page_json(svc().paging.reject_page(page_id, actor(), body(inputs.Reason).reason)))


@bp.get("/lost")
@require_api(*DESK)
def lost():
    return jsonify(items=[lost_json(i) for i in svc().lost.list(request.args.get("state") or None)])


@bp.post("/lost")
@require_api(*DESK)
def lost_register():
    from web.desk import parse_when

    d = body(inputs.LostItem)
    item = svc().lost.register(actor(), **d.given() | {"found_at": parse_when(d.found_at, "found_at")})
    return jsonify(item=lost_json(item)), 201


# -- schedule --------------------------------------------------------------------------------------
@bp.get("/schedule")
@require_api(*SCHEDULE)
def schedule_week():
    start = week_start(request.args.get("week"))
    slots = svc().programmes.expand(start, start + timedelta(days=6))
    return jsonify(week=start.isoformat(), slots=[{"at": iso(s.at), "local": iso(s.local), "programme": s.programme,
                                                   "rule_id": s.rule_id, "zones": list(s.zones),
                                                   "priority": s.priority} for s in slots])


@bp.get("/schedule/rules")
@require_api(*SCHEDULE)
def rules():
    return jsonify(rules=[{"id": r.rule_id, "programme": r.programme, "describe": r.spec.describe(),
                           "zones": list(r.zones), "priority": r.priority} for r in svc().programmes.rules()])


@bp.post("/schedule/rules")
@require_api(*SCHEDULE)
def rule_create():
    try:
        return jsonify(id=add_rule(body(inputs.Rule))), 201
    except RuleRefused as exc:  # a programme nobody made is a missing resource, as on every path here
        if set(exc.fields) == exc.not_found == {"programme"}:
            raise NotFound(f"programme: {exc.fields['programme']}") from None
        raise


@bp.delete("/schedule/rules/<int:rule_id>")
@require_api(*SCHEDULE)
def rule_delete(rule_id: int):
    svc().programmes.remove_rule(rule_id, who=actor())
    return "", 204


# -- announcements, approval, logs (workflow) ------------------------------------------------------
def announcement_json(a) -> dict:
    return {"id": a.id, "title": a.title, "kind": a.kind.value, "state": a.state.value, "priority": a.priority,
            "zones": a.zones, "texts": dict(a.parts()), "author": a.author.name if a.author else None,
            "reject_reason": a.reject_reason, "approved_hash": a.approved_hash}


@bp.get("/announcements")
@require_api(*BROADCASTER)
def announcements():
    states = [request.args["state"]] if request.args.get("state") else []
    return jsonify(announcements=[announcement_json(a) for a in workflow.announcements(*states)])


@bp.post("/announcements")
@require_api(*BROADCASTER)
def announcement_create():
    d = body(inputs.Script)
    a = workflow.create_script(actor(), d.title, d.texts, priority=d.priority, zones=d.zones)
    return jsonify(announcement=announcement_json(workflow.get(a.id))), 201


@bp.post("/announcements/<int:announcement_id>/submit")
@require_api(*BROADCASTER)
def announcement_submit(announcement_id: int):
    workflow.submit(actor(), announcement_id)
    return jsonify(announcement=announcement_json(workflow.get(announcement_id)))


@bp.get("/announcements/<int:announcement_id>/audio")
@require_api(*BROADCASTER)
def announcement_audio(announcement_id: int):
    pcm, digest = workflow.audio(announcement_id)
    return wav_response(pcm, f"announcement-{announcement_id}.wav", digest)


@bp.post("/announcements/<int:announcement_id>/approve")
@require_api(*SUPERVISOR)
def announcement_approve(announcement_id: int):
    workflow.approve(announcement_id, actor(), body(inputs.Approve).sha256.lower())
    return jsonify(announcement=announcement_json(workflow.get(announcement_id)))


@bp.post("/announcements/<int:announcement_id>/reject")
@require_api(*SUPERVISOR)
def announcement_reject(announcement_id: int):
    workflow.reject(announcement_id, actor(), body(inputs.Reason).reason)
    return jsonify(announcement=announcement_json(workflow.get(announcement_id)))


@bp.get("/logs/asrun")
@require_api(*SUPERVISOR)
def asrun():
    with svc().db.session() as s:
        rows = logs.as_run_rows(s, limit=inputs.parse(AsRunQuery, {"limit": request.args.get("limit", 200)}).limit)
        return jsonify(rows=[{c: (iso(v) if hasattr(v, "isoformat") else v) for c in logs.AS_RUN_COLUMNS
                              for v in [getattr(r, c)]} for r in rows])


@bp.get("/faults")
@require_api(*SUPERVISOR)
def faults():
    return jsonify(faults=[{"id": f.id, "kind": f.kind, "message": f.message, "zone": f.zone,
                            "state": f.state.value, "occurrences": f.occurrences, "raised_at": iso(f.raised_at)}
                           for f in open_faults()])


@bp.post("/faults/<int:fault_id>/ack")
@require_api(*FAULT_ACK)
def fault_ack(fault_id: int):
    f = acknowledge(fault_id, actor(), body(inputs.Note).note or "")
    return jsonify(id=f.id, state=f.state.value)
