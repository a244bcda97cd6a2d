"""The urgent form's fields to a case's details: pick-lists (places, colour x garment, height band,
hair) so every page language says them in its own words, a remark per venue language, every error at once by field."""
from __future__ import annotations

import re
from datetime import datetime

from broadcaster import inputs
from broadcaster.cases.missing import WORDED, CaseDetails
from broadcaster.inputs_cases import when
from broadcaster.errors import FieldErrors, ValidationError
from broadcaster.paging.looks import offered, say_look
from broadcaster.paging.rules import MIXED, MixedWords
from broadcaster.paging.vocabulary import compose, options
from web.i18n import N_, current_language, t
from web.refusals import refusal
from web.views import svc, tz, zone_label
from web.vocabulary import venue_words

LOOK_PICKS = {"height": "height_band", "hair": "hair_look"}  # the case's field -> the urgent form's pick-list
CASE_FIELDS = ("person_name", "age", "sex", "height", "hair", "clothing", "shoes", "last_seen_place",
               "reporter_name", "reporter_contact", "meeting_point", "notes")


def parse_when(value: str | None, field: str) -> datetime | None:
    """``HH:MM`` (today) or ``YYYY-MM-DDTHH:MM`` from an <input>, venue time; not in the future."""
    return when(field, value, tz(), svc().clock.now())


def details_from(values: dict) -> CaseDetails:
    """The case's details; the clothing, shoes, height and hair from the pick-lists when picked (else as
    typed, for the API). FieldErrors names every field that is wrong."""
    details, errors = details_and_errors(values)
    if errors:
        raise FieldErrors(errors)
    return details


def details_and_errors(values: dict, *, new_case: bool = True) -> tuple[CaseDetails, dict[str, str]]:
    """The case's details from the fields that are right, and what is wrong with the others (every
    field at once: a page's own needs can then be checked on the rest). ``new_case``: also what a new
    case lacks (an edit changes only what it names)."""
    errors: dict[str, str] = {}
    given = {f: values.get(f) for f in (*CASE_FIELDS, "last_seen_at", "is_child") if values.get(f) is not None}
    try:  # the shared input model: types, lengths, NUL and control characters, nothing speakable
        v = inputs.parse(inputs.CaseFields, given).given()
    except FieldErrors as exc:
        errors = dict(exc.fields)
        v = inputs.parse(inputs.CaseFields, {k: x for k, x in given.items() if k not in errors}).given()
    for field, pairs in (("clothing", [("top_colour", "top"), ("bottom_colour", "bottom"), ("", "accessory")]),
                         ("shoes", [("shoes_colour", "shoes_type")])):
        picks = [(values.get(c) or None, values.get(g) or None) for c, g in pairs]
        if any(g for _c, g in picks) or any(c for c, _g in picks):
            try:
                if any(c and not g for c, g in picks):
                    raise ValidationError(N_("choose the garment too"))
                v[field] = compose(picks, venue_words())
            except ValidationError as exc:
                errors[field] = str(exc).removeprefix("clothing: ")
    for field, pick in LOOK_PICKS.items():  # a height band, hair: stored by the picked word's key
        if values.get(pick):
            if offered(field, values[pick], venue_words()):
                v[field] = values[pick]
            else:
                errors[pick] = "choose from the list"
    wording = wording_from(values)
    for field, said in (wording.items() if isinstance(wording, dict) else ()):
        if field in WORDED and isinstance(said, dict) and not v.get(field):  # given by language only
            v[field] = next((x for x in said.values() if isinstance(x, str) and x.strip()), None)
    try:
        at = parse_when(v.pop("last_seen_at", None), "last_seen_at")
    except FieldErrors as exc:
        errors.update(exc.fields)
        at = None
    if errors and new_case:  # and what the case itself lacks, from the fields that passed
        errors = {**_lacking(values.get("kind"), {k: x for k, x in v.items() if k not in errors}), **errors}
    return CaseDetails(**v | {"last_seen_at": at, "notes": v.get("notes") or "",
                              "is_child": v.get("is_child") or None, "wording": wording}), errors


def worded() -> tuple[str, ...]:
    """The urgent form's details typed once per venue language (``<field>_<language>``): the places, when
    the venue has named none in the panel (else they are picked, and said in every language)."""
    return () if svc().settings.places else ("last_seen_place", "meeting_point")


def wording_from(values: dict):
    """The details given per language: the form's ``<field>_<language>`` boxes, or the API's ``wording``
    ({field: {language: text}}, checked by the case service: a wrong shape is refused there)."""
    api = values.get("wording")
    if api is not None and not isinstance(api, dict):
        return api
    out = {f: dict(said) for f, said in (api or {}).items()}
    for field in WORDED:
        for lang in svc().settings.languages or []:
            text = values.get(f"{field}_{lang}")
            if isinstance(text, str) and text.strip():
                out.setdefault(field, {})[lang] = text
    return out or None


def _lacking(kind, fields: dict) -> dict[str, str]:
    """The case's own refusals (a missing person needs a reporter...) of fields the model let pass."""
    from broadcaster.cases.missing import validate_details
    from broadcaster.store.models.cases import CaseKind

    try:
        validate_details(CaseKind(kind or "missing"), CaseDetails(**fields | {"last_seen_at": None}),
                         svc().clock.now())
    except (ValueError, FieldErrors) as exc:
        return dict(getattr(exc, "fields", {}))
    return {}


def remark(values: dict) -> str | dict | None:
    """The remark in each venue language (``remark_<lang>``), or the API's one ``extra_text``."""
    per_lang, errors = {}, {}
    for key in (k for k in values if k.startswith("remark_")):
        try:  # the same check as the API's extra_text (it airs)
            per_lang[key[len("remark_"):]] = inputs.parse(inputs.PageAgain, {"extra_text": values[key]}).extra_text or ""
        except FieldErrors as exc:
            errors[key] = exc.fields.get("extra_text") or str(exc)
    if errors:
        raise FieldErrors(errors)
    if any(per_lang.values()):
        return per_lang
    return values.get("extra_text") or None


def form_errors(fields: dict[str, str]) -> dict[str, str]:
    """The domain's field errors under the form's names: a remark's (``extra_text.<lang>``) beside that
    language's remark box, the one remark of the API (``extra_text``) beside the first."""
    out: dict[str, str] = {}
    per_lang = worded()
    langs = svc().settings.languages or []
    for key, what in fields.items():
        field, dot, lang = key.partition(".")
        if key in per_lang and langs:  # "needed for the page": beside the first language's box
            out[f"{key}_{langs[0]}"] = what
        elif dot and field in per_lang:  # a detail in one language: beside the box of the one it lacks
            out[f"{field}_{lang}"] = what
        elif dot and field in WORDED:  # not typed on this form (the API's, a stored case's): above it
            out["_"] = MIXED.format(lang=lang)
        elif key == "extra_text":
            langs = svc().settings.languages or []
            out[f"remark_{langs[0]}" if langs else "_"] = what
        elif key.startswith("extra_text."):
            out["remark_" + key.partition(".")[2]] = what
        else:
            out[key] = what
    return out


def place_options(meeting: bool) -> list[tuple[str, str]]:
    """The venue's places (or meeting points) as (stored name, name in the UI language)."""
    st = svc().settings
    langs = list(st.languages or [])
    ui = "zh-CN" if current_language() == "zh" else "en"
    out = []
    for p in st.places or []:
        if (meeting and not p.get("meeting_point")) or p.get("retired"):
            continue
        names = p["names"]
        out.append((names.get(langs[0]) if langs else next(iter(names.values())),
                    names.get(ui) or next(iter(names.values()))))
    return out


def form_context(values: dict, errors: dict) -> dict:
    from broadcaster.venue import LANGUAGE_NAMES

    st = svc().settings
    return dict(values=values, errors=errors, templates=svc().templates.list(), picks=options(current_language(), venue_words()),
                places=place_options(False), meeting_points=place_options(True),
                venue_languages=[(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in st.languages or []],
                worded=worded(), written=[(lang, written_in(lang)) for lang in st.languages or []],
                worded_keys=[f"{f}_{lang}" for f in worded() for lang in st.languages or []])


def worded_values(case) -> dict[str, str]:
    """The case's per-language boxes as its edit form shows them: what the desk gave in each language, else
    the detail as stored where it is written in that language's script (typed before there were boxes)."""
    from broadcaster.writing import script_problem

    out = {}
    for field in worded():
        for lang in svc().settings.languages or []:
            said = ((case.wording or {}).get(field) or {}).get(lang) or getattr(case, field) or ""
            out[f"{field}_{lang}"] = said if said and script_problem(lang, said) is None else ""
    return out


def written_in(lang: str) -> str:
    """The language a box is typed in, in the UI language ("中文", "English"): Chinese, not Mandarin."""
    from web.i18n import language_name

    return language_name(lang.split("-")[0])


def described(case) -> dict[str, str]:
    """The case's description and places in the UI language (pick-list words translated)."""
    from broadcaster.paging.vocabulary import say
    from broadcaster.venue import place_names

    ui = "zh-CN" if current_language() == "zh" else "en"
    out = {}
    for f in ("clothing", "shoes"):
        value = getattr(case, f)
        out[f] = (say(value, ui, venue_words()) or value) if value else None
    for f in LOOK_PICKS:  # a picked word in the UI language; what was typed before the lists, as typed
        value = getattr(case, f)
        out[f] = (say_look(f, value, ui, venue_words()) or value) if value else None
    for f in ("last_seen_place", "meeting_point"):
        value = getattr(case, f)
        out[f] = ((place_names(svc().settings.places, value) or {}).get(ui) or value) if value else None
    for f, said in (case.wording or {}).items():  # what the desk gave in the UI language itself
        out[f] = said.get(ui) or out.get(f)
    return out


_DETAILS = [  # timeline details written by the services, said in the UI language; a page by its number in
    # this case (the case page's first column), never its id: ``no`` is the id -> number of the case's pages
    (re.compile(r"^(missing|found) report$"), lambda m, no: t("Missing person") if m[1] == "missing" else t("Found child")),
    (re.compile(r"^page #(\d+) \(([\w-]+)\)(: free text added, waiting for supervisor approval)?$"),
     lambda m, no: _page_of(no(m[1]), m[2], bool(m[3]))),
    (re.compile(r"^page #(\d+), (\d+) of (\d+)$"),
     lambda m, no: t("page {n}, {i} of {total}", n=no(m[1]), i=m[2], total=m[3])),
    (re.compile(r"^page #(\d+), airing (\d+)$"),  # repeats until the case is resolved
     lambda m, no: t("page {n}, airing {i}", n=no(m[1]), i=m[2])),
    (re.compile(r"^page #(\d+) on ([\w-]+)$"),
     lambda m, no: t("page {n} in {zone}", n=no(m[1]), zone=zone_label(m[2]))),
    (re.compile(r"^page #(\d+)$"), lambda m, no: t("page {n}", n=no(m[1]))),
    (re.compile(r"^page #(\d+): (.+)$", re.S), lambda m, no: f'{t("page {n}", n=no(m[1]))}: {refusal(m[2])}'),
    (re.compile(r"^#\d+(, #\d+)*$"), lambda m, no: ", ".join(t("page {n}", n=no(x.strip(" #")))
                                                           for x in m[0].split(","))),
    (re.compile(r"^satisfaction ([1-5])/5(?: (.*))?$", re.S),
     lambda m, no: t("Satisfaction {n} of 5", n=m[1]) + (f" {m[2]}" if m[2] else "")),
    (re.compile(r"^unresolved (\d+) min after first page$"),
     lambda m, no: t("unresolved {n} min after the first page", n=m[1])),
]


FIELD_LABELS = {"age": "Age", "sex": "Boy or girl", "height": "Height", "hair": "Hair", "clothing": "Clothing",
                "shoes": "Shoes", "last_seen_place": "Last seen at", "meeting_point": "Meeting point",
                "reporter_name": "Reporter (guardian)", "reporter_contact": "Guardian's phone",
                "person_name": "Name (never paged for a child)"}
_DETAILS.append((re.compile(r"^(\w+): (.*) → (.*)$"),
                 lambda m, no: f"{t(FIELD_LABELS.get(m[1], m[1]))}: {_said(m[1], m[2])} → {_said(m[1], m[3])}"
                 if m[1] in FIELD_LABELS else m[0]))


def _page_of(n: str, key: str, waits: bool) -> str:
    """"page #4 (lost_child)": the page with its template's title in the UI language, never its key."""
    from flask import g

    titles = g.get("pa_template_titles")
    if titles is None:
        titles = g.pa_template_titles = {x.key: x.title for x in svc().templates.list()}
    if key not in titles:
        return t("page {n}", n=n)
    if waits:
        return t("page {n} ({template}): free text added, waiting for supervisor approval", n=n,
                 template=t(titles[key]))
    return t("page {n} ({template})", n=n, template=t(titles[key]))


def page_numbers(pages) -> dict[int, int]:
    """Each page's number in its case (1, 2, ... in the order they were written): how the desk tells them
    apart on the case page, instead of the database's ids."""
    return {p.id: i for i, p in enumerate(sorted(pages, key=lambda p: p.id), start=1)}


def _said(field: str, value: str) -> str:
    """An edited height or hair in the UI language (the case stores the picked word's key)."""
    if field not in LOOK_PICKS:
        return value
    return say_look(field, value, "zh-CN" if current_language() == "zh" else "en", venue_words()) or value


def timeline_detail(detail: str | None, numbers: dict[int, int] | None = None) -> str:
    """A timeline line in the UI language; ``numbers``: the case's pages' numbers (:func:`page_numbers`)."""
    def no(page_id: str) -> str:  # a page of another case (never expected): no number rather than its id
        return str((numbers or {}).get(int(page_id), "")) or "?"

    for pattern, say in _DETAILS:
        m = pattern.match(detail or "")
        if m:
            return say(m, no)
    return detail or ""


LOST_PICKS = ("category", "colour", "where_found")


def lost_announce_context(item, picks: dict, texts: dict, errors: dict) -> dict:
    """The lost-property announcement page: the lists in the UI language, each preset to the registered
    word when the list knows it, and the text per language (or the errors beside their fields)."""
    from broadcaster.paging.lost_words import category_names, colour_names, lost_options
    from broadcaster.venue import place_names

    words, venue_places = venue_words(), svc().settings.places
    lists = lost_options(current_language(), words)
    options = {"category": lists["categories"], "colour": lists["colours"], "where_found": place_options(False)}
    names = {"category": category_names, "colour": lambda v: colour_names(v, words),
             "where_found": lambda v: place_names(venue_places, v)}
    values = {}
    for f in LOST_PICKS:
        known = names[f](getattr(item, f))
        values[f] = picks.get(f) or next((k for k, _w in options[f] if known and names[f](k) == known), "")
    return dict(item=item, options=options, values=values, errors=errors, seen=seen_digest(texts),
                texts=said_texts(texts))


def said_texts(texts: dict) -> list[tuple[str, str, str]]:
    """(language's name, tag, text) of each language a page says, for the desk to read before it airs."""
    from broadcaster.venue import LANGUAGE_NAMES

    return [(LANGUAGE_NAMES.get(lang, lang), lang, text) for lang, text in texts.items()]


def lost_lists() -> dict:
    """The register's suggestions in the UI language: categories, colours and the venue's places."""
    from broadcaster.paging.lost_words import lost_options

    return {**lost_options(current_language(), venue_words()), "places": place_options(False)}


def seen_digest(texts: dict) -> str:
    """What the desk was shown, carried back with its press: the page airs only if it still says that."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(texts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def fields_of(exc, values: dict) -> dict[str, str]:
    """A refusal by the fields it names ("result: ..." beside the result; a remark's beside its language's
    box, form_errors); anything else above the form."""
    if isinstance(exc, MixedWords):  # and above the form: the case page may have no box for that language
        return {"_": str(exc), **form_errors(exc.fields)}
    if getattr(exc, "fields", None):
        return form_errors(exc.fields)
    field, sep, what = str(exc).partition(": ")
    return {field: what} if sep and field.isidentifier() and field in values else {"_": str(exc)}
