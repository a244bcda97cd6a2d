"""What the admin and the broadcasters send besides scripts and rules: a page template's wording (it
airs, so every language must say something), the texts of a script to hear before saving, a
recording's title, a programme's name and settings, a closed day, a new user's name and role (a
password is taken as typed, never normalised). Same types as
broadcaster.inputs; parsed by the panel's forms and the CLI alike."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationInfo
from pydantic import ValidationError as PydanticError

from broadcaster.errors import FieldErrors
from broadcaster.inputs import (HINTS, LANG, TIME, Day, Id, Input, Int, Pattern, PriorityValue, ScriptText,
                                Text, Texts, Zones, _message, parse)

#: a template's text: at most 1000 characters (the template service's limit), placeholders in braces
TemplateText = Text(1000, lines=True, spoken=True, required=True)


class TemplateWording(Input):
    """texts: language tag -> the template's text in that language."""

    texts: Texts(TemplateText)


class ScriptPreview(Input):
    """The texts typed in the script editor, rendered to hear before saving (nothing stored)."""

    texts: Texts(ScriptText)


class Recording(Input):
    title: Text(200, required=True)
    priority: PriorityValue | None = None


class Programme(Input):
    """A programme's name and settings (its pieces are the editor's rows)."""

    name: Text(120, required=True)
    priority: PriorityValue | None = None
    zones: Zones | None = None
    description: Text(2000, lines=True) | None = None


class ClosedDay(Input):
    date: Day
    reason: Text(200) | None = None


USER_NAME = r"^[A-Za-z0-9_.\-]{2,80}$"
HINTS[USER_NAME] = "2-80 letters, digits, '.', '_' or '-'"  # the users module's own words


class NewUser(Input):
    name: Pattern(USER_NAME, 80)
    role: Literal["broadcaster", "supervisor", "desk", "admin"]


class ScriptEdit(Input):
    """A new version of a script: a new title and/or new texts (the rest kept)."""

    title: Text(200, spoken=True, required=True) | None = None
    texts: Texts(ScriptText) | None = None


# -- the studio's smaller forms and command options ---------------------------------------------------
class PlaylistName(Input):
    name: Text(120, required=True)


class PlaylistImport(Input):
    """``playlist import``: the playlist's name (default: the file's) and the crossfade between tracks."""

    name: Text(120, required=True) | None = None
    crossfade_s: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)] = 3.0


class CalendarImport(Input):
    """The programme a calendar file's events air (default: each event's own title)."""

    programme: Text(120, required=True) | None = None


class SlotMove(Input):
    """One slot of a rule, on ``day``, moved to ``to_day`` at ``to_time``."""

    rule_id: Id
    day: Day
    to_day: Day
    to_time: Pattern(TIME)


class SlotResize(Input):
    """The slots of a rule made to last ``minutes`` (1 minute to a day)."""

    rule_id: Id
    minutes: Annotated[float, Field(gt=0, le=1440, allow_inf_nan=False)]
    day: Day | None = None


TOKEN = r"^[0-9a-f]{64}$"  # an uploaded chime waiting to be used
TZ_NAME = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$"
HINTS[TZ_NAME] = "not a time zone: use a name such as Asia/Shanghai"
ROWS = "give how many rows, a whole number from 1 to 10000"


class ChimeUpload(Input):
    kind: Literal["announcement", "urgent_page", "emergency", "programme", "end"]


class ChimeUse(ChimeUpload):
    token: Pattern(TOKEN, 64)


class RoleChange(Input):
    name: Pattern(USER_NAME, 80)
    role: Annotated[Literal["broadcaster", "supervisor", "desk", "admin"],
                    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)]


def _iana(name: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError("not a time zone: use a name such as Asia/Shanghai") from None
    return name


class VenueZone(Input):
    timezone: Annotated[Pattern(TZ_NAME, 60), AfterValidator(_iana)]


def option(model: type[Input], field: str):
    """An argparse ``type`` for one option, checked by ``model``'s field: a bad value is one line naming
    the option (argparse adds its name), exit 2, nothing stored."""
    import argparse

    info = model.model_fields[field]
    adapter = TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)

    def check(value: str):
        try:
            return adapter.validate_python(value)
        except PydanticError as exc:
            raise argparse.ArgumentTypeError(f"{value[:40]!r}: {_message(exc.errors()[0])}") from None
    check.__name__ = field  # argparse names the type in its own messages
    return check


class AsRunQuery(Input):
    limit: Int(1, 10_000, ROWS)


LOG_DAYS = "give the number of days as a whole number from 1 to 366"


class LogRange(Input):
    """The panel's logs: one venue day, or the last ``days`` days."""
    day: Day | None = None
    days: Int(1, 366, LOG_DAYS) | None = None


WORD_FIELD = r"^(name_[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}|ru_m|ru_f|ru_pl)$"


class WordNames(Input):
    """The words typed for a desk pick-list entry (each language's name, a colour's Russian forms): they
    air inside a page, so each must say something; the lexicon's rules (script, length, clashes) follow."""

    names: dict[Pattern(WORD_FIELD, 20), Text(60, spoken=True, required=True)]


PLACE_FIELD = r"^place-\d{1,3}-[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$"


class PlaceNames(Input):
    """The venue's places and meeting points typed in the first day's places step (``place-<row>-<lang>``):
    they air in pages; the venue's rules (script, length, the same name twice) follow."""

    names: dict[Pattern(PLACE_FIELD, 30), Text(60, spoken=True, required=True)]


def refusals(model: type[WordNames] | type[PlaceNames], fields, keys: str) -> dict[str, str]:
    """What ``model`` refuses of a form's typed names (the fields matching ``keys``), by form field
    (``name_en``: ...); {} when all pass."""
    typed = {k: v for k, v in fields.items() if re.match(keys, k) and (v or "").strip()}
    try:
        parse(model, {"names": typed})
    except FieldErrors as exc:
        return {k.removeprefix("names[").removesuffix("]"): what for k, what in exc.fields.items()}
    return {}


def word_refusals(fields) -> dict[str, str]:
    return refusals(WordNames, fields, WORD_FIELD)


def place_refusals(fields) -> dict[str, str]:
    return refusals(PlaceNames, fields, PLACE_FIELD)


def _password(value: str) -> str:
    if len(value) < 8:
        raise ValueError("at least 8 characters")
    return value


class StaffMember(NewUser):
    """A user the admin adds in the panel (the first day's staff step, the users page); the password is
    taken as typed."""

    password: Annotated[str, Field(max_length=200), AfterValidator(_password)]
    display_name: Text(120) | None = None


def _listed_zone(name: str) -> str:
    try:
        return _iana(name.strip())
    except ValueError:
        raise ValueError("choose the venue's time zone from the list") from None


def _venue_languages(langs: list[str], info: ValidationInfo) -> list[str]:
    if not langs:
        raise ValueError("choose at least one language")
    if any(lang not in (info.context or {}).get("languages", ()) for lang in langs):
        raise ValueError("choose from the list")
    return langs


IDLE = "a whole number of minutes from 5 to 720"


class VenueProfile(Input):
    """The first day's venue step (and the venue page): its name, time zone, languages in airing order (of
    the ``languages`` the caller's context offers) and the minutes a log-in may stay unused."""

    venue_name: Text(80, required=True)
    timezone: Annotated[Text(60, required=True), AfterValidator(_listed_zone)]
    languages: Annotated[list[Pattern(LANG, 20)], Field(max_length=3), AfterValidator(_venue_languages)]
    session_idle_min: Int(5, 720, IDLE) | None = None
