"""The domain's refusals (broadcaster.errors) in the panel's language: a message with values is matched
against its English template, the template is translated through the catalogue (web.i18n), then the
values are filled in (states, roles and actions said in the staff's words too). "field: what" messages
name the field in staff words. The JSON API keeps the English problem details (web.problem)."""
from __future__ import annotations

import re

from web.i18n import N_all, current_language, t

#: English templates of the refusals the panel shows; each is a catalogue key (its Chinese in web/translations).
REFUSALS = N_all((
    "{user} ({role}) may not {action}: needs {roles}",
    "user {name} is not active",
    "four-eyes: {user} wrote page #{n} and cannot approve it",
    "four-eyes: {user} wrote template {key} and cannot approve it",
    "template {key}: no new wording is waiting",
    "template {key}: cannot approve from {state}",
    "case {number}: cannot go from {from} to {to}",
    # the claim's own refusal before the general one (a pattern matches the first that fits)
    "item {number}: cannot go from {from} to {to} (record the claim first)",
    "item {number}: cannot go from {from} to {to}",
    "item {number} is {state}: nothing to announce",
    "item {number} is not marked valuable; only valuable items are announced",
    "item {number} is kept until {date}: not due for disposal",
    "case {number} is {state}: nothing to page",
    "it has a remark a supervisor approved: page the case again",
    "case {number} is {state}: follow up after closing it",
    "{user} wrote announcement #{n} or this version of it; another supervisor must approve it",
    "{user} wrote announcement #{n} or this version of it; another supervisor must decide",
    "announcement #{n} is {state}; only submitted items can be approved",
    "announcement #{n} is {state}; only submitted items can be rejected",
    "page #{n}: cannot approve from {state}",
    "page #{n}: cannot reject from {state}",
    "resolve to found, reunited or closed, not {state}",
    "no such case: {number}",
    "no such lost-property item: {number}",
    "no such page: {n}",
    "no such page template: {key}",
    "no such user: {name}",
    "no such word: {key}",
    "case {number} uses this word: retire it instead",
    "case {number} names the place {name}: tick Retired instead of removing it",
    "the page template “{title}” is not approved yet: a supervisor approves it under Approvals (four-eyes), "
    "then page the case again",
    "the {lang} text of this page would mix languages: pick the places and the clothing from the lists, or give "
    "a remark in every language",
    "the {lang} text of this page would mix languages: give the places and the description in every language",
    "template {key} has no {langs} text yet: an admin adds it and a supervisor approves it",
    "no-name rule: the {lang} text of this page about a child contains the child's name (or part of it); remove "
    "it from the description/free text",
    # the dashboard's alarms (fault messages)
    "case {number}: still missing {minutes} min after the first page (Code Adam): supervisors, check exits",
    "case {number}: still missing {minutes} min after the first page; the security page was not aired: {why} "
    "(Code Adam): supervisors, check exits",
    "case {number}: the found child waits at {place}; no guardian came {minutes} min after the first page "
    "(Code Adam): supervisors, check exits",
    "case {number}: the found child waits at {place}; no guardian came {minutes} min after the first page; the "
    "security page was not aired: {why} (Code Adam): supervisors, check exits",
    "zone {zone}: player {name} lost (no heartbeat since {time})",
    "player {name} lost (no heartbeat since {time})",  # a fault's, its zone shown beside it
    "must be one of {values}; got {value}",
    "unknown zone(s) {given}; the venue's zones are {zones}",
    "a programme called {title} already exists",
    "a playlist called {title} already exists",
    "must be greater than or equal to {n}",
    "must be less than or equal to {n}",
    "must be a whole number from {low} to {high}; got {value}",
    "at most {n} characters",
    # a page template's wording (broadcaster.paging.templates.check_template)
    "unknown placeholder(s) {names} for a {purpose} template; allowed: {allowed}",
    "{why} (the parts in braces aside)",
    "placeholder {field} must be a plain field name",
    # the domain's other refusals (tests/web/test_catalogue.py finds any refusal without its Chinese)
    "announcement #{n} is {state}; it cannot become {to}",
    "announcement #{n} is {state}; only drafts can be submitted",
    "announcement #{n} is {state}; take it off the queue first",
    "announcement #{n} is {state}; only approved items can air",
    "announcement #{n} is {state}; not queued",
    "announcement #{n} is not approved ({state})",
    "cannot render announcement #{n}: {why}",
    "no announcement #{n}",
    "refused at air time: announcement #{n} is {state}; approval changed since it was queued",
    "announcement #{n} in programme {programme} no longer exists, not approved; a supervisor must approve it "
    "before scheduling",
    "announcement #{n} in programme {programme} is {state}, not approved; a supervisor must approve it before "
    "scheduling",
    "{n} characters; the limit is {max}",
    "{lang} given twice",
    "the {lang} text is not in {langs}'s script: {why}",
    "bad language tag {lang} (e.g. zh-CN, en)",
    "complaint {number} is {state}: it cannot become {to}",
    "complaint {number} is closed",
    "complaint {number} went to the manager: a supervisor closes the escalation first",
    "complaint {number} has not gone to the manager",
    "complaint {number} is {state}: visit after answering it",
    "case {number} is {state}: visit after closing it",
    "item {number} is {state}: visit after handing it back",
    "no such complaint: {number}",
    "no such incident: {number}",
    "no such handover: {n}",
    "no such line on handover {n}",
    "handover {n} is signed: its checklist no longer changes",
    "handover {n} is signed by both sides",
    "incident {number} is {state}: {to} cannot follow",
    "{key} is not a lost-property template",
    "must be missing or found, got {value}",
    "1-12, got {value}",
    "{value} is not one of {values}",
    "no fault #{n}",
    "fault #{n} was already acknowledged by {user}",
    "fault #{n} is already resolved",
    "{n} would out-rank lost-child pages; only an emergency may (at most {max} here)",
    "above {n} (announcement) needs a supervisor",
    "{key} is a {purpose} template, not a page",
    "page #{n} is no longer wanted (case resolved or page cancelled)",
    "page #{n}: item {number} is {state}, not announced",
    "unknown case state {state}",
    "template {key} is for adults; a page about a child needs a child template",
    "template {key} uses {name}: not allowed for a child (no-name rule)",
    "a template {key} already exists",
    "no playlist #{n}",
    "no track #{n} in playlist {name}",
    "{name} is played by {users}; take it out of those programmes first",
    "rule #{n} has no slot on {day}",
    "at least {n} s (its other pieces take {rest} s)",
    "at most {n} s (the music lasts {music} s)",
    "must be >= 0 seconds, got {value}",
    "playlist {path} has no tracks",
    "a playlist called {title} already exists (use --replace)",
    "no playlist called {name}",
    "no programme #{n}",
    "no programme {name}",
    "{name} is scheduled by {n} rule(s); confirm to delete them too",
    "programme {name} needs at least one item",
    "unknown item kind {kind}; use {kinds}",
    "duration limit must be > 0, got {value}",
    "silence must be 0-3600 s, got {value}",
    "unknown chime {chime}; use {chimes}",
    "{day} is already a closed day",
    "{end} is before start {start}",
    "unknown IANA time zone {name} (e.g. Asia/Shanghai, Europe/London)",
    "unknown weekday {day}; use mon,tue,wed,thu,fri,sat,sun",
    "weekday number must be 0-6, got {value}",
    "expected a local time HH:MM[:SS], got {value}",
    "expected a date YYYY-MM-DD, got {value}",
    "no schedule rule #{n}",
    "user {name} already exists",
    # a zone's fault as its player writes it ("zone main: amplifier unplugged"): the zone by its name; last,
    # after the zone's own refusals above
    "zone {zone}: {why}",
    # a programme's pieces typed one a line (web/schedule.py items_from)
    "line {n} cannot be read ({line}): write one piece a line, e.g. silence 5",
))
#: Fields named in refusals ("signature: ...") in the staff's words.
FIELDS = N_all({"verification_note": "How verified", "signature": "Signature / witness", "owner_name": "Owner name",
                "owner_identity": "Owner identity", "owner_contact": "Owner's phone",
                "handled_by": "Taken by / done by", "method": "How it left", "disposed_at": "When",
                "retention_days": "Days kept", "category": "Category", "where_found": "Where found",
                "finder": "Finder", "storage_place": "Storage place", "found_at": "Time", "colour": "Colour",
                "result": "Result", "note": "Note", "reason": "Reason", "state": "State",
                "outcome": "What the family said", "called_at": "Time", "valuable": "Valuable",
                "extra_text": "Remark", "template": "Template", "age": "Age", "sex": "Boy or girl",
                "clothing": "Clothing", "shoes": "Shoes", "kind": "Kind", "last_seen_place": "Last seen at",
                "meeting_point": "Meeting point", "password": "Password", "name": "Name", "user": "User",
                "title": "Title", "crossfade_s": "Crossfade (s)", "texts": "Text", "priority": "Priority",
                "zones": "Zones", "valid_until": "Valid until", "recording": "Recording",
                "audio": "Sound file", "month": "Month", "day": "Day", "days": "Days", "length": "Length",
                "crossfade": "Crossfade (s)", "file": "File", "programme": "Programme", "playlist": "Playlist",
                "track": "Track", "end": "Until", "tz": "Time zone", "key": "Short name", "items": "Pieces",
                "max_repeats/interval": "Repeats", "purpose/audience": "Purpose", "role": "Role", "at": "Time",
                "date": "Date", "except_dates": "Except on", "week": "Week"})


def pattern_of(template: str) -> re.Pattern:
    """A regular expression matching ``template`` with its ``{name}`` values filled in (named groups)."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)), re.S)


_PATTERNS = [(template, pattern_of(template)) for template in REFUSALS]


def _value(name: str, value: str) -> str:
    """A value in the staff's words: states, roles and actions are catalogue words; the rest as given."""
    if name == "why":
        return refusal(value)
    if name in ("names", "allowed"):  # "{age} (age), {sex} (boy or girl)": each as typed, said in staff words
        return "、".join(f"{{{f}}}（{t(w)}）" if w else f"{{{f}}}"
                        for f, w in re.findall(r"\{(\w+)\}(?: \(([^)]*)\))?", value))
    if name in ("langs", "lang"):  # languages by name (中文, 英语), never their codes
        from web.i18n import language_name

        return t(", ").join(language_name(code) for code in value.split(", "))
    if name in ("zone", "zones", "given"):  # sound zones by what staff call them (全场), never their ids
        from web.venuewords import zone_label

        return t(", ").join(zone_label(z) for z in value.split(", "))
    if name == "roles":
        return t(" or ").join(t(r) for r in value.split(" or "))
    # a template by its title (the defaults' titles are catalogue words); a state as Python wrote it ('draft')
    return t(value.strip("'")) if name in ("role", "action", "state", "from", "to", "purpose", "key") else value


def _label(field: str) -> str | None:
    """A field in staff words: its label, or the language of a template's text ("texts[en]": English)."""
    from web.i18n import language_name

    if field in FIELDS:
        return t(FIELDS[field]) if current_language() != "en" else FIELDS[field]
    piece = re.fullmatch(r"items\[(\d+)\]\.\w+", field)  # a programme's piece, counted from 1 as on its form
    if piece:
        return t("Piece {n}", n=int(piece[1]) + 1)
    m = re.fullmatch(r"texts\[(.+)\]", field)
    return language_name(m[1]) if m else None


def _zone_said(message: str) -> str:
    """An English refusal that names a sound zone ("zone main: player ... lost"), the zone said by what
    staff call it ("Whole venue: player ... lost"); any other as it is."""
    for template, pattern in _PATTERNS:
        m = pattern.fullmatch(message) if "{zone}" in template else None
        if m:
            return template.replace("zone {zone}", "{zone}").format(
                **{k: _value(k, v) if k == "zone" else v for k, v in m.groupdict().items()})
    return message


def refusal(message: str) -> str:
    """``message`` (a domain refusal, or a field's error) in the panel's language."""
    message = str(message or "")
    field, sep, what = message.partition(": ")
    label = _label(field) if sep else None  # a field by its label where it has one
    if current_language() == "en" or not message:
        return f"{label}: {what}" if label else _zone_said(message)
    if label:  # before the patterns: "{day} is already a closed day" is not to take "day: ..."
        return f"{label}：{refusal(what)}"
    for template, pattern in _PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return t(template, **{k: _value(k, v) for k, v in m.groupdict().items()})
    return t(message)


def refusal_of(exc) -> str:
    """An exception's refusal in the panel's language; every field of a FieldErrors at once."""
    fields = getattr(exc, "fields", None)
    if not fields:
        return refusal(str(exc))
    if current_language() == "en":  # the field by its label where it has one ("Crossfade (s): ...")
        return "; ".join(v if k == "_" else f"{_label(k) or k}: {v}" for k, v in fields.items())
    return "；".join(refusal(v) if k == "_" else f"{_label(k) or t(k)}：{refusal(v)}" for k, v in fields.items())
