"""What staff and clients may send, declared once per input kind (pydantic models).

The JSON API parses every body through these models and builds its OpenAPI request schemas from them
(``model_json_schema``), so the schema and the checks cannot disagree; the panel's forms and the CLI
commands that take the same input parse through the same models. Every text is normalised (Unicode NFC,
runs of blanks made one) and refused when it holds NUL or other control characters (newline and tab
only in multi-line texts), surrogates, unassigned code points or bidi overrides; texts that air must
hold something speakable (a letter or a digit). A refusal is a :class:`FieldErrors` (field -> an English
sentence the panel translates); nothing is stored. The domain services keep their own rules (a missing
person needs a reporter, a rule's kind needs its fields); these models are the door in front of them.
"""
from __future__ import annotations

import unicodedata
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator
from pydantic import ValidationError as PydanticError

from audio.text import LANGUAGES, UnsupportedLanguage, normalize_lang
from broadcaster.inputs_scripts import said_in_their_scripts, texts_in_their_scripts
from broadcaster.errors import FieldErrors

DB_ID_MAX = 2 ** 63 - 1  # the database's 64-bit integer ids
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


#: the characters the schema lets a text hold (the common scripts' blocks without their control, format or
#: unassigned points) and the letters or digits of them; a narrower rule than :func:`clean`'s that both
#: ECMA-262 and Python regular expressions read alike, so a text the schema allows is one the checks take
SCHEMA_CHARS = (r"\u0020-\u007e\u00a0-\u00ac\u00ae-\u024f\u0300-\u0377\u037a-\u037f\u0384-\u038a\u038c"
                r"\u038e-\u03a1\u03a3-\u052f\u2010-\u2027\u202f-\u205f\u20a0-\u20c0\u2100-\u214f\u2190-\u21ff"
                r"\u3000-\u303f\u3041-\u3096\u3099-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff5e")
SCHEMA_LETTERS = (r"0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0400-\u0481\u048a-\u052f\u3041-\u3096"
                  r"\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3")


def text_pattern(*, lines: bool = False, spoken: bool = False, required: bool = False) -> str:
    """What the schema says of a text: no control characters (newline and tab only in multi-line texts) and
    a letter or a digit when it airs or is required (narrower than the checks, never wider)."""
    char = f"[{SCHEMA_CHARS}\\r" + ("\\t\\n]" if lines else "]")
    if spoken or required:
        return f"^{char}*[{SCHEMA_LETTERS}]{char}*$"
    return f"^{char}*$"


TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
WHEN = r"^(\d{4}-\d{2}-\d{2}[T ])?([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
DAY = r"^\d{4}-\d{2}-\d{2}$"
ZONE = r"^[A-Za-z0-9_-]{1,40}$"
LANG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$"
SHA256 = r"^[0-9a-fA-F]{64}$"
HINTS = {TIME: "use HH:MM, e.g. 14:30", WHEN: "use HH:MM or YYYY-MM-DDTHH:MM, e.g. 14:30",
         DAY: "use a date like 2026-11-26", ZONE: "zone names are letters, digits, - and _",
         LANG: "a language tag such as zh-CN or en", SHA256: "the audio's SHA-256 (64 hex digits)"}


def clean(value: str, *, lines: bool = False, spoken: bool = False, required: bool = False) -> str:
    """``value`` in NFC with its blanks tidied, or ValueError saying what is wrong with it."""
    value = unicodedata.normalize("NFC", value)
    allowed = "\n\t" if lines else ""
    for ch in value:
        if ch in allowed or ch == "\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or ch in _BIDI:
            raise ValueError("holds a control or invisible character; type the text again")
    if lines:
        value = "\n".join(" ".join(line.split()) for line in value.replace("\r\n", "\n").split("\n")).strip()
    else:
        value = " ".join(value.replace("\r", " ").split())
    if required and not value:
        raise ValueError("required")
    if spoken and value and not any(unicodedata.category(ch)[0] in "LN" for ch in value):
        raise ValueError("nothing to say: write words, not only signs or emoji")
    return value


def Text(limit: int, *, lines: bool = False, spoken: bool = False, required: bool = False) -> Any:  # noqa: N802
    """A text type: at most ``limit`` characters, normalised and checked by :func:`clean`."""
    return Annotated[str, Field(max_length=limit, min_length=1 if required else 0,
                                json_schema_extra={"pattern": text_pattern(lines=lines, spoken=spoken,
                                                                           required=required)}),
                     AfterValidator(partial(clean, lines=lines, spoken=spoken, required=required))]


def _whole(value, low: int, high: int, message: str | None = None):
    """A whole number from a JSON number or a form's text (no true/false, no fractions, no 23 digits)."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 64:
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value.strip()) <= 20:
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise ValueError(message or f"must be a whole number from {low} to {high}; got {str(value)[:40]!r}")
    return number


def Int(low: int, high: int, message: str | None = None) -> Any:  # noqa: N802
    """A whole number within low..high (the schema says so; the check says it in staff's words)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(partial(_whole, low=low, high=high,
                                                                          message=message))]


def Pattern(pattern: str, limit: int = 40) -> Any:  # noqa: N802
    return Annotated[str, Field(pattern=pattern, max_length=limit)]


def _split(value):
    return [x.strip() for x in value.split(",") if x.strip()] if isinstance(value, str) else value


def Listed(item: Any, csv: str, most: int) -> Any:  # noqa: N802
    """A list of ``item``, also given as one comma-separated text (a form's field, a command's option)."""
    kind = Annotated[list[item], Field(min_length=1, max_length=most)]
    return Annotated[kind, BeforeValidator(_split, json_schema_input_type=Pattern(csv, 4000) | kind)]


Id = Int(1, DB_ID_MAX)


def _real_day(value: str) -> str:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("no such date: use a date like 2026-11-26") from None
    return value


def _real_when(value: str) -> str:
    if "-" in value:
        _real_day(value[:10])
    return value


#: a time of day, or a date and time, that exists (HH:MM or YYYY-MM-DDTHH:MM)
When = Annotated[str, Field(pattern=WHEN, max_length=40), AfterValidator(_real_when)]
#: a calendar date (YYYY-MM-DD) that exists
Day = Annotated[str, Field(pattern=DAY, max_length=10, json_schema_extra={"format": "date"}), AfterValidator(_real_day)]


def needs(kind_field: str, rules: dict[str, list[str]], **given: dict) -> dict:
    """The schema's words for "kind X needs fields A and B" (the service's rule; the fields must be given
    and not null), so a body the schema allows is one the service takes."""
    return {"allOf": [{"if": {"properties": {kind_field: {"const": kind}}, **({"required": [kind_field]} if
                                                                              kind != "missing" else {})},
                       "then": {"required": fields, "properties": {f: given.get(f, {"not": {"type": "null"}})
                                                                   for f in fields}}}
                      for kind, fields in rules.items()]}
ZONES_CSV = r"^ *[A-Za-z0-9_-]{1,40} *(, *[A-Za-z0-9_-]{1,40} *){0,19}$"
Zones = Listed(Pattern(ZONE), ZONES_CSV, 20)
#: a script's or a programme's priority: a class name or a number below an urgent page's (80; pages and
#: emergencies have their own paths)
PRIORITY_CLASSES = ("background_music", "programme", "announcement")
PRIORITY_REFUSAL = "choose a priority from the list (background music, programme or announcement)"


def _priority(value):
    """A class name (any case) or a whole number 1-79, else one refusal in staff words (the form offers a list;
    never the class names' spelling or a union's two errors)."""
    name = "_".join(value.lower().replace("-", " ").split()) if isinstance(value, str) else None
    if name in PRIORITY_CLASSES:  # "Background music" as the list says it, background_music as stored
        return name
    return _whole(value, 1, 79, PRIORITY_REFUSAL)


PriorityValue = Annotated[Literal[PRIORITY_CLASSES] | Int(1, 79),
                          BeforeValidator(_priority)]


class Input(BaseModel):
    """A form or a body: unknown fields refused; blank values ("" or null) count as not given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and v != ""}
        return data

    def given(self) -> dict:
        """The fields given, as the services take them."""
        return self.model_dump(exclude_none=True)


# -- desk ------------------------------------------------------------------------------------------
SEX = Literal["male", "m", "boy", "man", "男", "男孩", "男性", "female", "f", "girl", "woman", "女", "女孩", "女性",
              "unknown"]


Age = Int(0, 120, "give the age in whole years, e.g. 5")  # the case's own words for it


class CaseFields(Input):
    """What the desk knows about a missing or found person (the texts that air must say something)."""

    person_name: Text(120) | None = None
    age: Age | None = None
    sex: Annotated[SEX, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)] | None = None
    height: Text(40, spoken=True) | None = None
    hair: Text(120, spoken=True) | None = None
    clothing: Text(200, spoken=True) | None = None
    shoes: Text(120, spoken=True) | None = None
    last_seen_place: Text(120, spoken=True) | None = None
    last_seen_at: When | None = None
    reporter_name: Text(120) | None = None
    reporter_contact: Text(120) | None = None
    meeting_point: Text(120, spoken=True) | None = None
    is_child: bool | None = None
    notes: Text(2000, lines=True) | None = None


_SAID = {"type": "string", "pattern": text_pattern(spoken=True, required=True)}
_NAMED = {"type": "string", "pattern": text_pattern(required=True)}


class PageRequest(CaseFields):
    """kind: missing (reporter_name, reporter_contact, age and a description required) or found
    (meeting_point required). A child's name is never paged. extra_text makes the page wait for a
    supervisor."""

    model_config = ConfigDict(json_schema_extra=lambda schema, _: schema.update(
        needs("kind", {"missing": ["reporter_name", "reporter_contact", "age"], "found": ["meeting_point"]},
              reporter_name=_NAMED, reporter_contact=_NAMED, meeting_point=_SAID, age={"type": "integer"})
        | {"anyOf": [{"properties": {"kind": {"const": "found"}}, "required": ["kind"]},
                     *({"required": [f], "properties": {f: _SAID}} for f in ("clothing", "hair", "height", "shoes"))]}))

    kind: Literal["missing", "found"] = "missing"
    template: Text(80) | None = None
    extra_text: Text(500, spoken=True) | None = None
    #: A detail the service cannot translate, in each page language: {"clothing": {"zh-CN": "黄色雨衣",
    #: "en": "yellow raincoat"}} (height, hair, clothing, shoes, last_seen_place, meeting_point).
    wording: "Wording | None" = None


class PageAgain(Input):
    template: Text(80) | None = None
    extra_text: Text(500, spoken=True) | None = None


class Resolve(Input):
    state: Literal["found", "reunited", "closed"]
    result: Text(500) | None = None
    all_clear: bool = True


class Reason(Input):
    reason: Text(500, required=True)


class Note(Input):
    note: Text(500) | None = None


class LostItem(Input):
    category: Text(80, required=True)
    colour: Text(40) | None = None
    where_found: Text(120, required=True)
    finder: Text(120, required=True)
    storage_place: Text(120, required=True)
    found_at: When | None = None
    description: Text(2000, lines=True) | None = None
    valuable: bool = False


# -- schedule and scripts --------------------------------------------------------------------------
WEEKDAY = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAY = "(mon|tue|wed|thu|fri|sat|sun|[0-6])"
DAYS_CSV = rf"^ *{_DAY} *(, *{_DAY} *){{0,6}}$"
_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"  # the schema's dates in a list: days 1-28 always exist
DATES_CSV = rf"^ *{_DATE} *(, *{_DATE} *){{0,365}}$"


class Rule(Input):
    """kind weekly needs at and days; daily needs at; interval needs every_minutes, window_start and
    window_end (after window_start); once needs on_date and at. end_date is on or after start_date."""

    programme: Text(120, required=True)
    model_config = ConfigDict(json_schema_extra=needs("kind", {
        "weekly": ["at", "days"], "daily": ["at"], "once": ["at", "on_date"],
        "interval": ["every_minutes", "window_start", "window_end"]}))

    kind: Literal["weekly", "daily", "interval", "once"]
    at: Pattern(TIME) | None = None
    days: Listed(WEEKDAY | Int(0, 6), DAYS_CSV, 7) | None = None
    every_minutes: Int(1, 1440) | None = None
    window_start: Pattern(TIME) | None = None
    window_end: Pattern(TIME) | None = None
    on_date: Day | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    except_dates: Listed(Day, DATES_CSV, 366) | None = None
    zones: Zones | None = None
    priority: PriorityValue | None = None


ScriptText = Text(2000, lines=True, spoken=True, required=True)


def _spoken_language(tag: str) -> str:
    try:
        normalize_lang(tag)
    except UnsupportedLanguage:
        raise ValueError("a language tag such as zh-CN or en") from None
    return tag


def Texts(text: Any) -> Any:  # noqa: N802
    """language tag (one the renderer speaks) -> ``text``, in airing order (e.g. zh-CN, en)."""
    return Annotated[dict[Annotated[Pattern(LANG, 20), AfterValidator(_spoken_language)], text],
                     Field(min_length=1, max_length=6, json_schema_extra={"propertyNames": {"enum": list(LANGUAGES)}})]


def _said(limit: int) -> Any:
    """A detail by language (a language the renderer speaks -> the words, in that language's script)."""
    return Annotated[dict[Annotated[Pattern(LANG, 20), AfterValidator(_spoken_language)], Text(limit, spoken=True)],
                     Field(max_length=6, json_schema_extra={"propertyNames": {"enum": list(LANGUAGES)}})] | None


class Wording(Input):
    """The details a page says that the desk gives in each page language, for what the service cannot
    translate (each language's words in its own script)."""

    model_config = ConfigDict(json_schema_extra=said_in_their_scripts(SCHEMA_CHARS, SCHEMA_LETTERS))

    height: _said(40) = None
    hair: _said(120) = None
    clothing: _said(200) = None
    shoes: _said(120) = None
    last_seen_place: _said(120) = None
    meeting_point: _said(120) = None


PageRequest.model_rebuild()


class Script(Input):
    """texts: language tag -> text, in airing order (e.g. zh-CN, en), each in its language's script."""

    model_config = ConfigDict(json_schema_extra=texts_in_their_scripts(2000, SCHEMA_CHARS, SCHEMA_LETTERS))

    title: Text(200, spoken=True, required=True)
    texts: Texts(ScriptText)
    priority: PriorityValue | None = None
    zones: Zones | None = None


class Approve(Input):
    sha256: Pattern(SHA256, 64)


# -- errors ----------------------------------------------------------------------------------------
def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error") or err["msg"])
    if kind == "string_pattern_mismatch":
        return HINTS.get(ctx.get("pattern"), "not in the expected form")
    simple = {"missing": "required", "string_type": "must be text", "int_type": "must be a whole number",
              "int_parsing": "must be a whole number", "int_from_float": "must be a whole number",
              "int_parsing_size": "must be a whole number", "bool_type": "must be yes or no (true or false)",
              "bool_parsing": "must be yes or no (true or false)", "dict_type": "must be an object (name -> value)",
              "list_type": "must be a list", "extra_forbidden": "not a field of this form",
              "model_type": "expected a JSON object", "string_too_short": "required",
              "float_parsing": "must be a number", "float_type": "must be a number", "finite_number": "must be a number"}
    if kind in simple:
        return simple[kind]
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"must be {kind.replace('_', ' ').replace(' equal', ' or equal to')} {next(iter(ctx.values()), '')}"
    if kind == "too_long":
        return "too many entries"
    if kind == "too_short":
        return "give at least one"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}; got {str(err.get('input'))[:40]!r}"
    return str(err["msg"])


def _field(loc: tuple) -> str:
    """("texts", "en") -> "texts[en]"; a union's branch names (``str``, ``list[...]``) are left out."""
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "function-before")
                                                                or p.startswith("literal")))]
    parts = [p for p in parts if p not in ("[key]",)]
    if not parts:
        return "body"
    return parts[0] + "".join(f"[{p}]" for p in parts[1:2])


def fields_of(exc: PydanticError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        out.setdefault(_field(err["loc"]), _message(err))
    return out


def parse(model: type[Input], data, context: dict | None = None) -> Input:
    """``data`` (a JSON body, a form's fields, a command's options) as ``model``, or FieldErrors naming
    every field at fault; ``context``: what the caller knows that a check needs (a venue's choices)."""
    if not isinstance(data, dict):
        raise FieldErrors({"body": "expected a JSON object"})
    try:
        return model.model_validate(data, context=context)
    except PydanticError as exc:
        raise FieldErrors(fields_of(exc)) from None


def record_id(value: str) -> int:
    """A record's id from a command line (an argparse ``type``), within the database's range."""
    import argparse

    try:
        return TypeAdapter(Id).validate_python(value.strip())
    except PydanticError:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a record number (1 to {DB_ID_MAX})") from None


REQUESTS = (PageRequest, PageAgain, Resolve, Reason, Note, LostItem, Rule, Script, Approve)
