"""Supervisor: the venue's own chimes. Upload a sound file (WAV, FLAC, OGG or MP3), hear it checked,
trimmed, faded and levelled, then use it: it becomes the venue's chime here and for every player
(:mod:`broadcaster.venue_chimes`, as ``broadcaster chime set``)."""
from __future__ import annotations

import io
import re

import soundfile as sf
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from audio import chimes
from audio.pcm import Pcm
from broadcaster import venue_chimes
from broadcaster.errors import FieldErrors
from broadcaster.inputs import parse
from broadcaster.inputs_studio import TOKEN, ChimeUpload, ChimeUse
from web.auth import SUPERVISOR, require
from web.i18n import t
from web.views import svc

bp = Blueprint("chimes", __name__, url_prefix="/chimes")


def names() -> dict[str, str]:
    """Each chime in the staff's words, in the order they are shown."""
    return {"announcement": t("Before announcements"), "urgent_page": t("Before urgent pages"),
            "emergency": t("Before emergencies"), "programme": t("Before programmes"),
            "end": t("After an announcement")}


def _pending(token: str):
    if not re.match(TOKEN, token or ""):  # the chime model's token (64 hex digits); anything else is no file
        abort(404)
    path = chimes.chime_dir() / "pending" / f"{token}.wav"
    if not path.is_file():
        abort(404)
    return path


def _wav(pcm: Pcm) -> Response:
    buf = io.BytesIO()
    sf.write(buf, pcm.to_int16(), pcm.rate, format="WAV", subtype="PCM_16")
    return Response(buf.getvalue(), mimetype="audio/wav", headers={"Cache-Control": "no-store"})


def _refusal(exc: chimes.BadChime) -> str:
    if exc.reason == "silent":
        return t("This file is silent.")
    if exc.reason == "inaudible":
        return t("This sound cannot be heard: most of it is below {low} Hz or above {high} kHz.",
                 low=f"{chimes.AUDIBLE_HZ[0]:g}", high=f"{chimes.AUDIBLE_HZ[1] / 1000:g}")
    if exc.reason == "short":
        return t("The sound lasts {s} s; a chime needs at least {min} s.", s=f"{exc.seconds:.1f}",
                 min=f"{chimes.VENUE_MIN_S:g}")
    if exc.reason == "long":
        return t("The sound is too long; a chime may last at most {max} s.", max=f"{chimes.VENUE_MAX_S:g}")
    return t("This file is not a sound file this system can read (use WAV, FLAC, OGG or MP3).")


def _page(errors=None, values=None, preview=None, status=200):
    own = set(venue_chimes.venue_chimes_of(svc().db))
    rows = [(kind, label, kind in own, chimes.chime(kind).duration) for kind, label in names().items()]
    return render_template("chimes.html", rows=rows, errors=errors or {}, values=values or {},
                           preview=preview, names=names()), status


@bp.get("/")
@require(*SUPERVISOR)
def index():
    return _page()


@bp.post("/")
@require(*SUPERVISOR)
def upload():
    """Check the file and show the chime as it will ring; nothing is changed yet."""
    values = {"kind": request.form.get("kind") or ""}
    errors = {}
    try:  # the chime upload model: which chime, one of the five
        parse(ChimeUpload, values)
    except FieldErrors:
        errors["kind"] = t("Choose which chime to replace.")
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    ready = None
    if not data:
        errors["file"] = t("Choose a sound file.")
    else:
        try:
            ready = chimes.read_chime(data)
        except chimes.BadChime as exc:
            errors["file"] = _refusal(exc)
    if errors:
        return _page(errors, values, status=400)
    token = ready.sha256()
    folder = chimes.chime_dir() / "pending"
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("*.wav"))[:-20]:  # uploads never used do not pile up
        old.unlink(missing_ok=True)
    sf.write(str(folder / f"{token}.wav"), ready.to_int16(), ready.rate, format="WAV", subtype="PCM_16")
    return _page(values=values, preview={"token": token, "kind": values["kind"], "seconds": ready.duration})


@bp.get("/preview/<token>.wav")
@require(*SUPERVISOR)
def preview(token: str):
    return Response(_pending(token).read_bytes(), mimetype="audio/wav", headers={"Cache-Control": "no-store"})


@bp.post("/use")
@require(*SUPERVISOR)
def use():
    try:
        v = parse(ChimeUse, {"kind": request.form.get("kind"), "token": request.form.get("token")})
    except FieldErrors:  # both fields are the form's own, hidden: only a stale or altered form gets here
        abort(400)
    kind, path = v.kind, _pending(v.token)
    data, rate = sf.read(str(path), dtype="int16")
    venue_chimes.set_chime(svc().db, Pcm.from_int16(data, rate), kind)
    path.unlink(missing_ok=True)
    flash(t("The new chime is in use: {name}.", name=names()[kind]), "ok")
    return redirect(url_for("chimes.index"))


@bp.post("/<kind>/reset")
@require(*SUPERVISOR)
def reset(kind: str):
    if kind not in names():
        abort(404)
    venue_chimes.reset_chime(svc().db, kind)
    flash(t("The built-in chime is back: {name}.", name=names()[kind]), "ok")
    return redirect(url_for("chimes.index"))


@bp.get("/<kind>.wav")
@require(*SUPERVISOR)
def current(kind: str):
    if kind not in names():
        abort(404)
    return _wav(chimes.chime(kind))
