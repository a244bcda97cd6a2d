"""Small helpers shared by the blueprints (no business rules)."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf
from flask import Response, request

from web.i18n import N_all
from web.venuewords import babel_locale, local, svc, tz, zone_label  # noqa: F401 (the blueprints' helpers)


def form(*names: str) -> dict[str, str | None]:
    """Trimmed form values; empty strings become None."""
    out = {}
    for n in names:
        v = (request.form.get(n) or "").strip()
        out[n] = v or None
    return out


def day_name(day, width: str = "wide") -> str:
    """A weekday's name in the UI language (Babel): a date, or its number (Monday = 0)."""
    from babel.dates import get_day_names

    return get_day_names(width, locale=babel_locale())[day if isinstance(day, int) else day.weekday()]


def day_label(day) -> str:
    """A day as the week view heads it: "Thu 26 Nov" / "11月26日周四"."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMEd", day, locale=babel_locale())


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


def place(value: str | None) -> str:
    """A venue place (stored by its first-language name) in the UI language."""
    from broadcaster.venue import place_names
    from web.i18n import current_language

    names = place_names(getattr(svc().settings, "places", None) or [], value) or {}
    return names.get("zh-CN" if current_language() == "zh" else "en") or value or "–"


SLOT_LABELS = N_all({"age": "Age", "sex": "Boy or girl", "clothing": "Clothing", "shoes": "Shoes", "height": "Height",
                     "hair": "Hair", "looks": "Height and hair, if picked", "last_seen_place": "Last seen at",
                     "last_seen_time": "Time last seen", "meeting_point": "Meeting point", "case_number": "Case",
                     "name": "Full name", "category": "Category", "colour": "Colour", "where_found": "Where found",
                     "found_time": "Time", "claim_place": "Where to collect"})


def slots(text: str):
    """A template's text with its placeholders in staff words: "{meeting_point}" -> "[Meeting point]"."""
    import re

    from markupsafe import Markup, escape

    from web.i18n import t

    def label(m):
        return f'<span class="slot">[{escape(t(SLOT_LABELS.get(m.group(1), m.group(1))))}]</span>'

    return Markup(re.sub(r"\{(\w+)\}", label, str(escape(text))))


def field_errors(exc) -> dict[str, str]:
    """A refusal as errors by field: FieldErrors as they are, "field: what" as {field: what}, else {"_": msg}."""
    import re

    fields = getattr(exc, "fields", None)
    if fields:
        return dict(fields)
    m = re.match(r"^([a-z_]+): (.+)$", str(exc), re.S)
    return {m[1]: m[2]} if m else {"_": str(exc)}


def zone_name(zone_id) -> str:
    """A time zone by its place, in the UI language ("中国（上海）时间", "China (Shanghai) Time"), never its id."""
    from babel.dates import get_timezone_location

    from web.i18n import t

    zone_id = str(getattr(zone_id, "key", zone_id) or "")
    if zone_id in ("UTC", "Etc/UTC"):
        return t("Coordinated Universal Time (UTC)")
    try:
        return get_timezone_location(zone_id, locale=babel_locale())
    except LookupError:
        return zone_id


def init_filters(app) -> None:
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["slots"] = slots
    app.jinja_env.filters["zip_pairs"] = lambda seq, names=None: [(v, (names or {}).get(v, v)) for v in seq]
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["day_name"] = day_name
    app.jinja_env.filters["day_label"] = day_label
    from web.refusals import refusal

    app.jinja_env.filters["refusal"] = refusal
    from web.faultwords import init_filters as fault_words

    fault_words(app)
    from web.annwords import init_filters as announcement_words

    announcement_words(app)
    app.jinja_env.filters["place"] = place
    app.jinja_env.filters["zone_label"] = zone_label
    app.jinja_env.globals["venue_zones"] = lambda: list(svc().venue_zones)
    app.jinja_env.filters["val"] = lambda v: getattr(v, "value", v)
