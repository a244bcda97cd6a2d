"""Broadcaster: script editor (text per language), preview (the render as audio/wav), recording in the
browser (MediaRecorder, encoded to WAV client side) or file upload, submit for approval."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from audio.text import UnsupportedLanguage, normalize_lang
from broadcaster import inputs
from broadcaster.announcements.scripts import check_script
from broadcaster.errors import FieldErrors, ValidationError
from web import workflow
from web.auth import BROADCASTER, actor, require
from web.i18n import N_, t, tn
from web.views import day_name, svc, wav_response

bp = Blueprint("scripts", __name__, url_prefix="/scripts")


def texts_from(values) -> dict[str, str]:
    """``lang_1``/``text_1`` ... pairs from the editor; empty rows are ignored."""
    out: dict[str, str] = {}
    for i in range(1, 7):
        lang, text = (values.get(f"lang_{i}") or "").strip(), (values.get(f"text_{i}") or "").strip()
        if lang and text:
            out[lang] = text
    return out


def language_choices(values) -> list[tuple[str, str]]:
    """The editor's languages: the venue's, then any other the script already has; by name, never code."""
    from web.i18n import language_name

    codes = list(svc().settings.languages or ["zh-CN", "en"])
    codes += [v for k, v in sorted(values.items()) if k.startswith("lang_") and v and v not in codes]
    return [(code, language_name(code)) for code in codes]


def edit_page(a, values, errors, error=None, status=200, **kw):
    return render_template("scripts/edit.html", a=a, values=values, errors=errors, error=error,
                           langs=language_choices(values), **kw), status


def script_from(values) -> inputs.Script:
    """The editor's fields through the API's input model (NUL, controls, nothing speakable refused)."""
    orphans = {f"text_{i}": t("Choose the language of this text.") for i in range(1, 7)
               if (values.get(f"text_{i}") or "").strip() and not (values.get(f"lang_{i}") or "").strip()}
    try:  # a text without its language is said beside it, never dropped
        parsed = inputs.parse(inputs.Script, {"title": values.get("title"), "texts": texts_from(values),
                                              "priority": values.get("priority")})
    except FieldErrors as exc:
        if orphans:
            raise FieldErrors({**exc.fields, **orphans}) from None
        raise
    if orphans:
        raise FieldErrors(orphans)
    return parsed


def upload_bytes(field: str = "audio") -> bytes:
    """The uploaded file's bytes. The name and declared type are ignored: the service decodes the content."""
    f = request.files.get(field)
    if f is None or not f.filename:  # a form sent with no file chosen
        raise FieldErrors({field: N_("Choose a sound file.")})
    data = f.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    if not data:
        raise FieldErrors({field: N_("The chosen file is empty: choose a sound file.")})
    return data


def render_preview(texts: dict[str, str]):
    renderer = svc().renderer
    if renderer is None:
        from flask import abort

        abort(501, t("Service not available in this installation"))
    if not texts:
        raise ValidationError(t("Write the text in at least one language."))
    for lang in texts:
        try:
            code = normalize_lang(lang)
            renderer.chain.candidates(lang)
        except UnsupportedLanguage:
            raise ValidationError(t("“{lang}” is not a language this system can speak: use a code such as "
                                    "zh-CN, en or ru.", lang=lang)) from None
        check_script(lang, code, texts[lang])  # not previewed as letter names
    order = svc().announcements.settings.order(list(texts))
    return renderer.render_script(parts=[(lang, texts[lang]) for lang in order], chime="announcement")




def scheduled(announcement_id: int) -> list[dict]:
    """The upcoming week's slots that air this announcement (the warning before an edit)."""
    from broadcaster.schedule.uses import describe_slots, slots_airing

    programmes = getattr(svc(), "programmes", None)
    if programmes is None:
        return []
    out = describe_slots(slots_airing(programmes, announcement_id))
    for d in out:
        d["weekday"] = day_name(date.fromisoformat(d["date"]))  # Babel, in the UI language
    return out


def versions_of(announcement_id: int) -> dict:
    from broadcaster.announcements.versions import summary

    with svc().db.session() as s:
        return summary(s, svc().announcements.get(s, announcement_id))


def editor(a, values, error=None, status=200):
    errors = form_errors(error, values)
    return edit_page(a, values, errors, None if errors else error, status, history=workflow.history(a.id),
                     slots=scheduled(a.id), version=versions_of(a.id))


def form_errors(exc, values) -> dict[str, str]:
    """The input model's field errors on the editor's fields: ``texts[en]`` beside the row of en."""
    out: dict[str, str] = {}
    for field, what in (getattr(exc, "fields", None) or {}).items():
        name, _, lang = field.partition("[")
        rows = [i for i in range(1, 7) if (values.get(f"lang_{i}") or "").strip() == lang.rstrip("]")] or [1]
        out.setdefault(f"text_{rows[0]}" if name == "texts" else name, what)
    return out


@bp.get("/")
@require(*BROADCASTER)
def index():
    mine = request.args.get("all") != "1"
    return render_template("scripts/index.html", mine=mine,
                           items=workflow.announcements(author=actor() if mine else None))


@bp.route("/new", methods=["GET", "POST"])
@require(*BROADCASTER)
def new():
    values = request.form.to_dict()
    if request.method == "POST":
        try:
            d = script_from(values)
            a = workflow.create_script(actor(), d.title, d.texts, priority=d.priority)
        except ValidationError as exc:
            errors = form_errors(exc, values)
            return edit_page(None, values, errors, None if errors else str(exc), 400)
        flash(t("Saved."), "ok")
        return redirect(url_for("scripts.show", announcement_id=a.id))
    for i, code in enumerate(svc().settings.languages or ["zh-CN", "en"], start=1):  # the venue's languages
        values.setdefault(f"lang_{i}", code)
    return edit_page(None, values, {})


@bp.get("/<int:announcement_id>")
@require(*BROADCASTER)
def show(announcement_id: int):
    a = workflow.get(announcement_id)
    values = {"title": a.title, "priority": a.priority}
    for i, (lang, text) in enumerate(a.parts(), start=1):
        values[f"lang_{i}"], values[f"text_{i}"] = lang, text
    return editor(a, values)


@bp.post("/<int:announcement_id>")
@require(*BROADCASTER)
def save(announcement_id: int):
    values = request.form.to_dict()
    a = workflow.get(announcement_id)
    was_submitted = a.state.value == "submitted"
    try:
        if a.kind.value == "script":
            d = script_from(values)
            workflow.edit(actor(), announcement_id, title=d.title, texts=d.texts, priority=d.priority)
        else:
            from broadcaster.inputs_studio import Recording

            d = inputs.parse(Recording, {"title": values.get("title"), "priority": values.get("priority")})
            workflow.edit(actor(), announcement_id, title=d.title, priority=d.priority)
    except ValidationError as exc:
        if request.accept_mimetypes.best == "application/json":
            return {"error": str(exc)}, 400
        return editor(a, values, exc, 400)
    slots, version = scheduled(announcement_id), versions_of(announcement_id)
    after = workflow.get(announcement_id)
    if request.accept_mimetypes.best == "application/json":  # the API answer: what the edit affects
        return {"id": announcement_id, "state": after.state.value, "version_pending": version["pending"],
                "version_on_air": version["airing"], "affected_slots": slots}
    if after.updated_at == a.updated_at:  # saved as it was: no new version, nothing to approve again
        flash(t("Nothing was changed: it stays as it was."), "ok")
    elif version["pending"] and slots:
        flash(tn("Saved. The new version needs approval; until then the approved version keeps airing in "
                 "{n} upcoming slot.", "Saved. The new version needs approval; until then the approved version "
                 "keeps airing in {n} upcoming slots.", len(slots)), "ok")
    elif was_submitted:  # the edit took it out of the inbox: the supervisor would approve other audio
        flash(t("Saved. The change took it out of the approval inbox: submit it again when it is ready."), "ok")
    else:
        flash(t("Saved."), "ok")
    return redirect(url_for("scripts.show", announcement_id=announcement_id))


@bp.post("/<int:announcement_id>/submit")
@require(*BROADCASTER)
def submit(announcement_id: int):
    workflow.submit(actor(), announcement_id)
    flash(t("Saved."), "ok")
    return redirect(url_for("scripts.show", announcement_id=announcement_id))


@bp.post("/<int:announcement_id>/queue")
@require(*BROADCASTER)
def queue(announcement_id: int):
    """Put an approved announcement on air now (the station checks the approval and the audio hash)."""
    workflow.queue(announcement_id, actor())
    flash(t("Page queued."), "ok")
    return redirect(url_for("scripts.show", announcement_id=announcement_id))


@bp.post("/preview")
@require(*BROADCASTER)
def preview():
    """Render the texts typed in the editor (not saved) and return the WAV to play in the browser."""
    from broadcaster.inputs_studio import ScriptPreview

    texts = texts_from(request.form)  # none: the editor's own "write the text" refusal
    r = render_preview(inputs.parse(ScriptPreview, {"texts": texts}).texts if texts else texts)
    return wav_response(r.pcm, sha256=r.sha256)


@bp.get("/<int:announcement_id>/audio")
@require(*BROADCASTER)
def audio(announcement_id: int):
    pcm, digest = workflow.audio(announcement_id)
    return wav_response(pcm, f"announcement-{announcement_id}.wav", digest)


def audio_words(message: str) -> str:
    """Why a recording was refused, in the staff's words (never the decoder's own message)."""
    import re

    if "too short or silent" in message:
        return t("The recording is too short or silent.")
    limit = re.search(r"the limit is (\d+) s", message)
    if limit:
        return t("The recording is too long: at most {max} s.", max=limit[1])
    return t("This file is not a sound file this system can read (use WAV, FLAC, OGG or MP3).")


@bp.post("/recording")
@require(*BROADCASTER)
def recording():
    """A recording from the browser (MediaRecorder -> WAV) or a file: decoded by the service. Refused:
    every error beside its field at once, the title kept, nothing stored."""
    from broadcaster.inputs_studio import Recording
    from web.refusals import refusal
    from web.views import field_errors

    values, errors = request.form.to_dict(), {}
    try:
        v = inputs.parse(Recording, {"title": values.get("title"), "priority": values.get("priority")})
    except ValidationError as exc:
        errors, v = {k: refusal(w) for k, w in field_errors(exc).items()}, None
    try:
        data = upload_bytes("audio")
    except FieldErrors as exc:
        errors["audio"], data = t(exc.fields["audio"]), None
    max_seconds = current_app.config["MAX_RECORDING_SECONDS"]
    if errors and data is not None:  # the sound too, in the same answer (nothing stored)
        try:
            workflow.check_recording(data, max_seconds)
        except ValidationError as exc:
            errors["audio"] = audio_words(str(exc))
    if not errors:
        try:
            a = workflow.create_recording(actor(), v.title, data, priority=v.priority,
                                          max_seconds=max_seconds)
        except ValidationError as exc:
            if not str(exc).startswith("recording: "):
                raise
            errors["audio"] = audio_words(str(exc))
    json = request.accept_mimetypes.best == "application/json"
    if errors:
        if json:  # the browser recorder says it beside its button
            return {"error": "; ".join(errors.values()), "fields": errors}, 400
        return render_template("scripts/index.html", mine=True, values=values, errors=errors,
                               items=workflow.announcements(author=actor())), 400
    if json:
        return {"id": a.id, "url": url_for("scripts.show", announcement_id=a.id)}, 201
    flash(t("Saved."), "ok")
    return redirect(url_for("scripts.show", announcement_id=a.id))
