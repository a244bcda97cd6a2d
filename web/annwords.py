"""An announcement's timeline in the staff's words: the states by their names (never the stored values)
and the notes the workflow wrote (in English, for the record) said in the panel's language."""
from __future__ import annotations

import re

from web.i18n import N_all, current_language, t
from web.refusals import pattern_of

#: The notes broadcaster/announcements (scripts, approval, station) writes on an announcement's timeline;
#: "{kind} in {zone}" notes are the station's (": {detail}" said after them).
NOTES = N_all((
    "created", "recorded", "submitted for approval", "version {n} approved", "rejected: {reason}",
    "edited: version {n} awaits approval; version {m} keeps airing", "edited; approval void", "edited", "queued",
    "taken off the air", "past its window", "started in {zone}", "completed in {zone}", "interrupted in {zone}",
    "requeued in {zone}", "failed in {zone}", "refused in {zone}", "expired in {zone}", "cancelled in {zone}",
    "lost in {zone}",
))
_NOTES = [(template, pattern_of(template)) for template in NOTES]


def note(text) -> str:
    """A timeline note in the UI language (a reason typed by a supervisor stays as typed); a zone by what
    staff call it, in English too."""
    text = str(text or "")
    if not text:
        return text
    aired = re.fullmatch(r"(\w+ in [^:\s]+): (.+)", text, re.S)  # an airing's outcome with the player's detail
    if aired and any(pattern.fullmatch(aired[1]) for _, pattern in _NOTES):
        from web.airwords import air_detail  # a device's error text, a UTC time: in staff words

        return f"{note(aired[1])}{': ' if current_language() == 'en' else '：'}{air_detail(aired[2])}"
    for template, pattern in _NOTES:
        m = pattern.fullmatch(text)
        if m:
            from web.venuewords import zone_label

            return t(template, **{k: zone_label(v) if k == "zone" else v for k, v in m.groupdict().items()})
    return text


#: Announcement states said otherwise than their stored name.
STATE_WORDS = {"queued": "waiting to air", "airing": "on air", "pending_approval": "pending"}


def state(value) -> str:
    """An announcement's state in the staff's words (as the approval pages say it)."""
    value = getattr(value, "value", value) or ""
    return t(STATE_WORDS.get(value, value)) if value else ""


def init_filters(app) -> None:
    app.jinja_env.filters["ann_note"] = note
    app.jinja_env.filters["ann_state"] = state
