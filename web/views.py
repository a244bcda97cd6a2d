"""Small helpers shared by the blueprints (no business rules)."""
from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import soundfile as sf
from flask import Response, abort, current_app, request

from broadcaster.cases.numbering import venue_tz
from web.i18n import t
from web.services import Services


def svc() -> Services:
    return current_app.extensions["pa"]


def _area(attr: str, required: bool):
    value = getattr(svc(), attr, None)
    if value is None and required:
        abort(501, t("Service not available in this installation"))
    return value


def logs_service(required: bool = False):
    return _area("logs", required)


def announcements_service(required: bool = False):
    return _area("announcements", required)


def approval_service(required: bool = False):
    return _area("approval", required)


def form(*names: str) -> dict[str, str | None]:
    """Trimmed form values; empty strings become None."""
    out = {}
    for n in names:
        v = (request.form.get(n) or "").strip()
        out[n] = v or None
    return out


def tz() -> ZoneInfo:
    return svc().tz or venue_tz()


def local(at: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in the venue's zone (a datetime, or an ISO string as the now-playing JSON carries it)."""
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return "-"
    return at.astimezone(tz()).strftime(fmt) if at else "-"


def wav_response(pcm, filename: str = "preview.wav", sha256: str | None = None) -> Response:
    """A Pcm as a 16-bit WAV, exactly the int16 samples that would air."""
    buf = io.BytesIO()
    sf.write(buf, np.asarray(pcm.to_int16()), pcm.rate, format="WAV", subtype="PCM_16")
    resp = Response(buf.getvalue(), mimetype="audio/wav")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    if sha256:
        resp.headers["X-Audio-SHA256"] = sha256
    return resp


def init_filters(app) -> None:
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["val"] = lambda v: getattr(v, "value", v)
