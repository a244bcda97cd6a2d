"""Desk: the big urgent-page form (opens the case and pages in one step), case list and case pages,
lost property register. All rules (no-name rule, templates, transitions) are the cases services'."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from broadcaster import board, inputs
from broadcaster.inputs_cases import (CaseNote, Claim, Disposal, FollowUpCall, HandOver, PageCase, Transition, moment, read,
                                      refuse_if)
from broadcaster.cases.missing import RESOLVED, TRANSITIONS
from broadcaster.errors import BroadcasterError, FieldErrors, ValidationError
from broadcaster.store.models.cases import CaseState, LostItemState
from web import status_of
from web.auth import DESK, SUPERVISOR, actor, require
from web.i18n import t
from web.refusals import refusal, refusal_of
from web.deskform import (LOST_PICKS, described, details_and_errors, details_from, fields_of, form_context, form_errors,
                          page_numbers, worded_values,
                          lost_announce_context, lost_lists, parse_when, remark, said_texts, seen_digest,
                          timeline_detail)
from web.views import form, svc, tz

bp = Blueprint("desk", __name__, url_prefix="/desk")

RESOLVED_ORDER = (CaseState.FOUND, CaseState.REUNITED, CaseState.CLOSED)


def person_word(case) -> str:
    """"boy", "woman", "child"... in the staff's words (never "male")."""
    words = {True: {"male": "boy", "female": "girl"}, False: {"male": "man", "female": "woman"}}
    return t(words[bool(case.is_child)].get(case.sex or "", "child" if case.is_child else "adult"))


def open_and_page(who: str, kind: str, values: dict, *, template=None, extra=None):
    """The form's or the API's fields to the paging service's one-step open-and-page: (case, page,
    error); when paging is refused the case stays stored and ``error`` says why."""
    details = details_from(values)
    return svc().paging.open_and_page(who, kind, details, template=template or None, extra_text=extra or None)


def check_page(kind: str, values: dict) -> dict[str, str]:
    """The page's text per language for the urgent form's values, or every error at once: the fields'
    own and what the page would lack (checked on the fields that are right). Nothing is stored."""
    details, errors = details_and_errors(values)
    try:
        template = inputs.parse(PageCase, {"template": values.get("template")}).template
        extra = remark(values)
    except FieldErrors as exc:
        template, extra, errors = None, None, {**errors, **exc.fields}
    return svc().paging.preview(kind, details, template=template, extra_text=extra, field_errors=errors)


@bp.route("/", methods=["GET", "POST"])
@require(*DESK)
def urgent():
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if request.method == "POST":
        kind = values.get("kind") or "missing"
        try:  # what the page would lack or get wrong, beside its fields, before anything is stored
            check_page(kind, values)
        except FieldErrors as exc:
            return render_template("desk/urgent.html", **form_context(values, form_errors(exc.fields))), 400
        except ValidationError as exc:  # it would mix languages or name the child: the desk mends it first
            return render_template("desk/urgent.html", **form_context(values, {"_": str(exc)})), 400
        except BroadcasterError:
            pass  # not the desk's input (the template is not approved): the case is kept and says why
        try:
            case, page, err = open_and_page(actor(), kind, values, template=values.get("template"), extra=remark(values))
        except FieldErrors as exc:
            return render_template("desk/urgent.html", **form_context(values, form_errors(exc.fields))), 400
        except ValidationError as exc:
            return render_template("desk/urgent.html", **form_context(values, {"_": str(exc)})), status_of(exc)
        if err is not None:
            flash(f"{t('Case')} {case.number}: {refusal(str(err))}", "error")
        elif page.status.value == "pending_approval":
            flash(t("Page waits for a supervisor (free text)."), "info")
        else:
            flash(t("Page queued."), "ok")
        return redirect(url_for("desk.case", number=case.number))
    return render_template("desk/urgent.html", **form_context(values, {}))


@bp.post("/preview")
@require(*DESK)
def preview():
    """What the page would say, per language, before it airs (nothing stored): JSON for the urgent form."""
    from broadcaster.venue import LANGUAGE_NAMES

    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        texts = check_page(values.get("kind") or "missing", values)
    except FieldErrors as exc:
        return {"errors": {k: refusal(v) for k, v in form_errors(exc.fields).items()}}, 400
    except BroadcasterError as exc:
        return {"errors": {"_": refusal_of(exc)}}, 400
    return {"texts": [{"lang": lang, "name": LANGUAGE_NAMES.get(lang, lang), "text": text}
                      for lang, text in texts.items()]}


@bp.get("/cases")
@require(*DESK)
def cases():
    state = request.args.get("state") or None
    show_all = request.args.get("all") == "1"
    return render_template("desk/cases.html", cases=svc().cases.list_cases(state=state, open_only=not show_all),
                           show_all=show_all, states=list(CaseState))


@bp.get("/cases/<number>")
@require(*DESK)
def case(number: str, values=None, errors=None, said=None):
    """The case page; a form refused shows it again with each error beside its field and what was typed."""
    s = svc()
    c = s.cases.get(number)
    pages = s.paging.pages(case_number=c.number)
    numbers = page_numbers(pages)
    page = render_template("desk/case.html", case=c, pages=pages, on_air=board.page_airings(s.db, [p.id for p in pages]),
                           followups=s.followups.for_case(c.number),
                           resolve_to=[st for st in RESOLVED_ORDER if st in TRANSITIONS[c.state]],
                           can_page=c.state not in RESOLVED, person=person_word(c), shown=described(c), boxes=worded_values(c),
                           numbers=numbers, detail=lambda d: timeline_detail(d, numbers), said=said_texts(said or {}), said_digest=seen_digest(said or {}),
                           **form_context(values or {}, errors or {}))
    return (page, 400) if errors else page


def refused(number: str, errors: dict, exc: BroadcasterError | None = None):
    """The case page again, the typed values kept, ``errors`` and the service's refusal by their fields."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return case(number, values=values, errors={**fields_of(exc, values), **errors} if exc else errors)


@bp.post("/cases/<number>/page")
@require(*DESK)
def page_again(number: str):
    v, errors = read(PageCase, {"template": request.form.get("template")})
    try:
        extra = remark(request.form)
    except FieldErrors as exc:
        errors, extra = {**exc.fields, **errors}, None
    if errors:
        return refused(number, errors)
    paging = svc().paging
    try:  # the desk reads the text in every language first: it airs only as it was shown
        texts = paging.preview_case(number, template=v.template, extra_text=extra)
        if request.form.get("show") or request.form.get("seen") != seen_digest(texts):
            if not request.form.get("show"):  # changed since it was shown (or never shown): read it again
                flash(t("Read what will be said, then press the button again."), "info")
            return case(number, values={k: x for k, x in request.form.items() if k not in ("csrf_token", "seen")},
                        said=texts)
        paging.page_case(number, actor(), template=v.template, extra_text=extra)
    except ValidationError as exc:
        return refused(number, {}, exc)
    flash(t("Page queued."), "ok")
    return redirect(url_for("desk.case", number=number))


def case_step(number: str, model, data: dict, act):
    """A step on a case from its form: ``act(v)`` with ``data`` read as ``model``; refused (by the input
    model or the service), the case page again with the typed values and each error by its field."""
    v, errors = read(model, data)
    try:
        refuse_if(errors)
        act(v)
    except ValidationError as exc:
        return refused(number, errors, exc)
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/resolve")
@require(*DESK)
def resolve(number: str):
    return case_step(number, inputs.Resolve, {"state": request.form.get("state"), "result": request.form.get("result"),
                                              "all_clear": request.form.get("all_clear", "1") == "1"},
                     lambda v: svc().paging.resolve(number, actor(), v.state, result=v.result, all_clear=v.all_clear))


@bp.post("/cases/<number>/transition")
@require(*DESK)
def transition(number: str):
    v = {k: request.form.get(k) for k in Transition.model_fields}  # the service parses them (Transition)
    svc().cases.transition(number, actor(), v["state"], result=v["result"], note=v["note"])
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/edit")
@require(*DESK)
def edit(number: str):
    """Change the case's description; each change goes on its timeline."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    d, errors = details_and_errors(values, new_case=False)
    if not errors:
        changes = {f: getattr(d, f) for f in ("age", "sex", "height", "hair", "clothing", "shoes", "last_seen_place",
                                              "meeting_point", "reporter_name", "reporter_contact")
                   if getattr(d, f) not in (None, "")}
        if d.wording:  # a place typed in each language (a venue that has named none in the panel)
            changes["wording"] = d.wording
        try:
            svc().paging.edit_case(number, actor(), changes)
        except FieldErrors as exc:
            errors = form_errors(exc.fields)
    if errors:  # the case page again, the edit open with each error beside its field and what was typed
        return case(number, values=dict(values, editing="1"), errors=errors)
    flash(t("Saved."), "ok")
    return redirect(url_for("desk.case", number=number))


@bp.post("/cases/<number>/note")
@require(*DESK)
def note(number: str):
    return case_step(number, CaseNote, {"note": request.form.get("note")},
                     lambda v: svc().cases.add_note(number, actor(), v.note))


@bp.post("/cases/<number>/followup")
@require(*DESK)
def followup(number: str):
    v = inputs.parse(FollowUpCall, {k: request.form.get(k) for k in ("outcome", "called_at", "satisfied")})
    svc().followups.record(number, actor(), outcome=v.outcome, called_at=parse_when(v.called_at, "called_at"),
                           satisfied=v.satisfied)
    return redirect(url_for("desk.case", number=number))


# -- lost property -------------------------------------------------------------------------------
@bp.get("/lost")
@require(*DESK)
def lost():
    return lost_page(request.args.get("state") or None, request.args.get("q"))


def lost_page(state=None, q=None, *, values=None, errors=None, claim=None):
    """The register and its list; ``claim``: (number, typed values, errors) of a claim refused."""
    page = render_template("desk/lost.html", items=svc().lost.list(state, q), states=list(LostItemState),
                           values=values or {}, errors=errors or {}, q=q or "", lost_lists=lost_lists(), claim=claim)
    return (page, 400) if errors or (claim and claim[2]) else page


@bp.get("/lost/<number>")
@require(*DESK)
def lost_item(number: str, values=None, errors=None):
    """One item: where it was found, its retention date, the claimant's ID and the hand-over signature,
    or how it was disposed of; ``?print=1`` is the receipt to print and sign."""
    from broadcaster.store.models.keeping import DisposalMethod

    lost = svc().lost
    item = lost.get(number)
    template = "desk/receipt.html" if request.args.get("print") else "desk/lost_item.html"
    keep_until = lost.keep_until(item)
    return render_template(template, item=item, keep_until=keep_until, methods=list(DisposalMethod),
                           due=item.state is LostItemState.STORED and keep_until <= svc().clock.now(),
                           values=values or {}, errors=errors or {}), 400 if errors else 200


@bp.get("/lost/disposal")
@require(*DESK)
def lost_due():
    """Items held past the venue's retention period: due for disposal (a supervisor records it)."""
    lost = svc().lost
    return render_template("desk/lost_due.html", items=lost.unclaimed(), days=lost.retention_days(),
                           keep_until=lost.keep_until, errors={})


@bp.post("/lost/retention")
@require(*SUPERVISOR)
def lost_retention():
    lost = svc().lost
    try:
        lost.set_retention(actor(), request.form.get("retention_days", ""))
    except FieldErrors as exc:
        return render_template("desk/lost_due.html", items=lost.unclaimed(), days=request.form.get("retention_days"),
                               keep_until=lost.keep_until, errors=exc.fields), 400
    flash(t("Saved."), "ok")
    return redirect(url_for("desk.lost_due"))


@bp.post("/lost/<number>/dispose")
@require(*SUPERVISOR)
def lost_dispose(number: str):
    v = form("method", "handled_by", "disposed_at", "note")
    d, errors = read(Disposal, v)  # the disposal model, then the register's own rules
    at = moment(errors, "disposed_at", d.disposed_at, tz(), svc().clock.now())
    try:
        refuse_if(errors)
        svc().lost.dispose(number, actor(), method=d.method, handled_by=d.handled_by, disposed_at=at, note=d.note or "")
    except FieldErrors as exc:
        errors = {**exc.fields, **errors}
    if errors:
        return lost_item(number, values=v, errors=errors)
    flash(f"{number}: " + t("Disposal recorded."), "ok")
    return redirect(url_for("desk.lost_item", number=number))


@bp.post("/lost")
@require(*DESK)
def lost_register():
    v = form("category", "where_found", "finder", "storage_place", "found_at", "colour", "description", "valuable")
    d, errors = read(inputs.LostItem, v | {"valuable": bool(v["valuable"])})
    found_at = moment(errors, "found_at", d.found_at, tz(), svc().clock.now())
    try:  # the API's input model, then the register's own rules
        refuse_if(errors)
        item = svc().lost.register(actor(), **d.given() | {"found_at": found_at})
    except FieldErrors as exc:
        errors = {**exc.fields, **errors}
    if errors:
        return lost_page(values=v, errors=errors)
    flash(f"{item.number} {t('Saved.')}", "ok")
    return redirect(url_for("desk.lost"))


@bp.route("/lost/<number>/announce", methods=["GET", "POST"])
@require(*DESK)
def lost_announce(number: str):
    """The announcement's text in every language before it airs: the desk picks the category, colour and
    place from the lists when the registered words cannot be said in every language, reads the text, then
    announces (POST). Refused: the same page, each error beside its field, nothing queued."""
    s = svc()
    picks = {k: request.form.get(k) or "" for k in LOST_PICKS}
    texts, errors = {}, {}
    try:
        texts = s.lost.preview(number, picks=picks)
        pressed = request.method == "POST" and not request.form.get("show")
        if pressed and request.form.get("seen") == seen_digest(texts):
            s.lost.announce(number, actor(), s.paging, picks=picks)
            flash(t("Page queued."), "ok")
            return redirect(url_for("desk.lost"))
        if pressed:  # changed since the desk read it (or never shown): read it again
            flash(t("Read what will be said, then press the button again."), "info")
    except FieldErrors as exc:  # a field the desk cannot pick here (the place to collect) above the form
        errors = {k if k in LOST_PICKS else "_": v for k, v in exc.fields.items()}
    except ValidationError as exc:
        errors = {"_": str(exc)}
    return render_template("desk/lost_announce.html", **lost_announce_context(s.lost.get(number), picks, texts, errors)), \
        400 if errors and request.method == "POST" else 200


def item_step(number: str, model, act):
    """A claim or a hand-over of an item from the list: ``act(d)`` with the form read as ``model``; refused,
    the list again with each error beside its box of that item (the one it was typed in)."""
    v = form(*model.model_fields)
    d, errors = read(model, v)
    try:
        refuse_if(errors)
        act(d)
    except FieldErrors as exc:
        errors = {**exc.fields, **errors}
    except ValidationError as exc:
        errors = fields_of(exc, v)
    if errors:
        return lost_page(claim=(number, v, errors))
    return redirect(url_for("desk.lost"))


@bp.post("/lost/<number>/claim")
@require(*DESK)
def lost_claim(number: str):
    return item_step(number, Claim, lambda d: svc().lost.claim(
        number, actor(), owner_name=d.owner_name, owner_identity=d.owner_identity, owner_contact=d.owner_contact,
        verification_note=d.verification_note, signature=d.signature))


@bp.post("/lost/<number>/handover")
@require(*DESK)
def lost_handover(number: str):
    return item_step(number, HandOver, lambda d: svc().lost.hand_over(number, actor(), d.signature))
