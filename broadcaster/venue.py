"""The venue's profile, set in the panel on the first day: its name, time zone, languages, and its places
and meeting points, each named in every venue language (the desk picks them from a list, and each
language's page says the place in that language). Stored in the venue settings (in the database).

Errors are collected for every field at once (:class:`FieldErrors`), in staff words."""
from __future__ import annotations

from broadcaster.errors import FieldErrors
from broadcaster.settings import VenueSettings, save_settings
from broadcaster.writing import script_problem

#: Languages the venue may choose: every page template and pick-list speaks them.
LANGUAGE_NAMES = {"zh-CN": "中文 (普通话)", "en": "English", "ru": "Русский"}


def check_profile(name: str, timezone: str, languages: list[str], idle_min: str | float | None = None) -> dict:
    """The venue's name, time zone, languages (in the order spoken: ``lang_1``, ``lang_2``…, each once) and
    (when given) the minutes a log-in may stay unused, through the venue profile's input model: every
    error at once, by field."""
    from broadcaster.inputs import parse
    from broadcaster.inputs_studio import VenueProfile

    languages = list(languages or [])
    twice = {f"lang_{i}": "this language is already chosen above: choose another one or leave this empty"
             for i, lang in enumerate(languages, start=1) if lang and lang in languages[:i - 1]}
    try:
        profile = parse(VenueProfile, {"venue_name": name, "timezone": timezone, "session_idle_min": idle_min,
                                       "languages": [lang for lang in dict.fromkeys(languages) if lang]},
                        context={"languages": LANGUAGE_NAMES}).given()
    except FieldErrors as exc:  # "languages[1]" beside the languages; a language chosen twice beside its field
        raise FieldErrors({k.split("[")[0]: what for k, what in exc.fields.items()} | twice) from None
    if twice:
        raise FieldErrors(twice)
    return profile


def _name_errors(names: dict[str, str], key: str, limit: int, taken: str, seen: set) -> dict[str, str]:
    """One thing's names (a place, a zone), by language: each given, at most ``limit`` characters, in that
    language's script, and not another's (``taken``; ``seen`` holds the names given before, and takes these).
    Errors keyed ``<key>-<lang>``."""
    errors: dict[str, str] = {}
    for lang, text in names.items():
        if not text:
            errors[f"{key}-{lang}"] = "give the name in this language too"
        elif len(text) > limit:
            errors[f"{key}-{lang}"] = f"at most {limit} characters"
        elif (why := script_problem(lang, text)) is not None:
            errors[f"{key}-{lang}"] = why
        elif (lang, text.lower()) in seen:
            errors[f"{key}-{lang}"] = taken
        else:
            seen.add((lang, text.lower()))
    return errors


def check_places(rows: list[dict], languages: list[str]) -> list[dict]:
    """Each row: {"names": {lang: name}, "meeting_point": bool}; rows with no name at all are dropped.
    Every kept row needs its name in every venue language, in that language's script, unique.
    Errors are keyed ``place-<row>-<lang>``."""
    errors: dict[str, str] = {}
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows):
        names = {lang: " ".join(((row.get("names") or {}).get(lang) or "").split()) for lang in languages}
        if not any(names.values()):
            continue
        errors |= _name_errors(names, f"place-{i}", 60, "this name is already used by another place", seen)
        out.append({"names": names, "meeting_point": bool(row.get("meeting_point")),
                    **({"retired": True} if row.get("retired") else {})})  # retired: kept, no longer offered
    if not errors and not any(p["meeting_point"] and not p.get("retired") for p in out):
        errors["places"] = "mark at least one place as a meeting point (where families are sent)"
    if errors:
        raise FieldErrors(errors)
    return out


def save_profile(name: str, timezone: str, languages: list[str], idle_min: str | float | None = None) -> VenueSettings:
    return save_settings(check_profile(name, timezone, languages, idle_min))


def save_places(rows: list[dict], settings: VenueSettings) -> VenueSettings:
    """The places as the form gives them; each keeps its names in languages the venue no longer speaks
    (a venue that goes from zh-CN + en to zh-CN + ru loses no English name: switching back finds them)."""
    places, before = check_places(rows, settings.languages), list(settings.places or [])
    for place in places:
        said = {n.lower() for n in place["names"].values() if n}
        old = next((p for p in before if said & {n.lower() for n in p["names"].values() if n}), None)
        if old is not None:
            place["names"] = {**{lang: n for lang, n in old["names"].items() if lang not in settings.languages},
                              **place["names"]}
    return save_settings({"places": places})


def offer_place_again(settings: VenueSettings, name: str) -> VenueSettings:
    """The retired place or meeting point called ``name`` (in any language) offered by the desk's lists
    again; FieldErrors ``place`` when there is none, or it lacks its name in a venue language."""
    rows = [dict(p) for p in settings.places or []]
    names = place_names([p for p in rows if p.get("retired")], name)
    place = next((p for p in rows if p.get("retired") and p["names"] == names), None)
    if place is None:
        raise FieldErrors({"place": "no retired place has this name"})
    if any(not place["names"].get(lang) for lang in settings.languages or []):
        raise FieldErrors({"place": "name the place in every venue language under Places first"})
    del place["retired"]
    return save_settings({"places": rows})


#: What staff call a zone the venue has not named: the default zone ("main") plays everywhere.
DEFAULT_ZONE_NAMES = {"main": {"zh-CN": "全场", "en": "Whole venue", "ru": "Весь зал"}}


def zone_names(settings: VenueSettings, zone: str) -> dict[str, str]:
    """The zone ``zone`` (its id, as stored) by what staff call it in each language: the venue's names for
    it (``zone_names`` in the venue settings) over the default zone's; {} when it has none."""
    table = getattr(settings, "zone_names", None)
    named = table.get(zone) if isinstance(table, dict) else None  # settings a hand-edited file of earlier versions gave: no names
    named = named if isinstance(named, dict) else {}
    return {**DEFAULT_ZONE_NAMES.get(zone, {}), **{lang: str(n) for lang, n in named.items() if n}}


def check_zone_names(given: dict, languages: list[str], zones) -> dict[str, dict[str, str]]:
    """The names typed for the venue's ``zones`` ({zone: {lang: name}}). A zone left empty keeps its default
    (全场 for "main", else the name it was set up with); a zone named at all is named in every venue
    language, in that language's script, at most 40 characters, no two zones alike. Errors, all at once,
    keyed ``zone-<zone>-<lang>``."""
    from broadcaster.inputs import clean

    errors: dict[str, str] = {}
    out: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    for zone in zones:
        names = {lang: " ".join(str((given.get(zone) or {}).get(lang) or "").split()) for lang in languages}
        if not any(names.values()):
            continue
        for lang, text in names.items():
            try:
                names[lang] = clean(text)
            except ValueError as exc:  # a NUL, a control character
                errors[f"zone-{zone}-{lang}"] = str(exc)
        errors |= _name_errors({lang: n for lang, n in names.items() if f"zone-{zone}-{lang}" not in errors},
                               f"zone-{zone}", 40, "another zone already has this name", seen)
        out[zone] = names
    if errors:
        raise FieldErrors(errors)
    return out


def save_zone_names(given: dict, settings: VenueSettings, zones) -> VenueSettings:
    """The zones' names as the form gives them; a zone keeps its names in languages the venue no longer
    speaks, and a zone no longer configured keeps its names (the zone's id stays the key everywhere)."""
    named = check_zone_names(given, settings.languages, zones)
    before = getattr(settings, "zone_names", None)
    before = {z: n for z, n in before.items() if isinstance(n, dict)} if isinstance(before, dict) else {}
    kept = {zone: names for zone, names in before.items() if zone not in zones}
    for zone, names in named.items():
        kept[zone] = {**{lang: n for lang, n in (before.get(zone) or {}).items() if lang not in settings.languages},
                      **names}
    return save_settings({"zone_names": kept})


def place_names(places: list, value: str | None) -> dict[str, str] | None:
    """The names of the venue's place (of ``places``) called ``value`` in any language, or None."""
    key = " ".join((value or "").split()).lower()
    for place in places or []:
        if key and key in (n.lower() for n in place["names"].values()):
            return place["names"]
    return None


# -- the first-run setup ------------------------------------------------------------------------------
#: The steps of the first day, in order: the admin's own password, the venue, its places, the staff,
#: the page templates (reviewed by the admin, approved by a supervisor: four-eyes).
STEPS = ("password", "venue", "places", "users", "templates")


def start_setup() -> VenueSettings:
    """A fresh install: every step still to do (the panel leads the admin through them)."""
    return save_settings({"setup_pending": list(STEPS)})


def step_done(settings: VenueSettings, step: str) -> VenueSettings:
    """Mark ``step`` done (the settings object is updated in place for this process)."""
    left = [s for s in (settings.setup_pending or []) if s != step]
    fresh = save_settings({"setup_pending": left})
    settings.__dict__.update(fresh.__dict__)
    return settings
