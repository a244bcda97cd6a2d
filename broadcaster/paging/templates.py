"""Page templates: bilingual text with placeholders, approved once by a supervisor (four-eyes), then used
without per-page approval. Filling checks the placeholders against the case and THE NO-NAME RULE.

The no-name rule is enforced twice: a template that may be used for a child cannot contain ``{name}``,
and the final filled text (including any free text) is searched for the child's name and its parts
(:mod:`broadcaster.paging.rules`, which also keeps each language's text in its own script).
"""
from __future__ import annotations

import re
import string
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import object_session

from broadcaster import audit
from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import FieldErrors, InvalidTransition, NotFound, PermissionDenied, ValidationError
from broadcaster.cases.numbering import venue_tz
from broadcaster.cases.staff import DESK_ROLES, SUPERVISOR_ROLES, Actor, session_as
from broadcaster.store.models.cases import PageTemplate, TemplateAudience, TemplatePurpose, TemplateStatus
from broadcaster.paging.lexicon import venue_words
from broadcaster.cases.missing import WORDED
from broadcaster.paging.rules import NoNameViolation, check_no_name, check_remark, check_said, check_scripts
from broadcaster.paging.lost_words import say_lost
from broadcaster.paging.looks import ru_with, say_look, say_looks, with_looks
from broadcaster.paging.vocabulary import accessories_last, en_articles, say, typed_as_listed
from broadcaster.settings import load_settings
from broadcaster.venue import place_names, script_problem

P = TemplatePurpose
PERSON_FIELDS = frozenset({"name", "age", "sex", "height", "hair", "looks", "clothing", "shoes",
                           "last_seen_place", "last_seen_time", "meeting_point", "case_number"})
OPTIONAL = frozenset({"looks"})  # said when the desk picked it, else nothing (broadcaster.paging.looks)
#: Lost property pages describe category, colour and place only: never serial numbers, contents, amounts.
LOST_FIELDS = frozenset({"category", "colour", "where_found", "found_time", "claim_place"})
ALLOWED = {P.MISSING: PERSON_FIELDS, P.FOUND: PERSON_FIELDS, P.ALL_CLEAR: PERSON_FIELDS,
           P.SECURITY: PERSON_FIELDS, P.LOST_PROPERTY: LOST_FIELDS}
LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_TEXT = 1000


#: What each placeholder is, in the desk's words (for refusals).
SAYS_WHAT = {"age": "age", "sex": "boy or girl", "clothing": "clothing", "shoes": "shoes", "height": "height",
             "hair": "hair", "looks": "height and hair", "last_seen_place": "place last seen",
             "last_seen_time": "time last seen", "meeting_point": "meeting point", "name": "name",
             "case_number": "case number", "category": "category", "colour": "colour", "where_found": "place found", "found_time": "time found",
             "claim_place": "place to collect"}


FORM_FIELD = {"name": "person_name", "last_seen_time": "last_seen_at"}  # placeholder -> the case's field


def placeholders(text: str, lang: str = "") -> set[str]:
    """Placeholder names in ``text``; only plain ``{field}`` is allowed (no attributes, specs, indexes)."""
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationError(f"texts[{lang}]: a brace is left open or unopened: write each part in braces, "
                              "like {age}") from None
    for _lit, field, spec, conv in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conv:
            raise ValidationError(f"texts[{lang}]: placeholder {{{field}}} must be a plain field name")
        found.add(field)
    return found


def check_template(purpose: TemplatePurpose, audience: TemplateAudience, texts: dict) -> dict[str, str]:
    """Validate a template body; return the cleaned texts (language -> text). Every language's problem
    at once (FieldErrors ``texts[<lang>]``); each text, its placeholders aside, in its language's script."""
    if not isinstance(texts, dict) or not texts:
        raise ValidationError("texts: give the text in at least one language (e.g. zh-CN and en)")
    clean: dict[str, str] = {}
    errors: dict[str, ValidationError] = {}
    for lang, text in texts.items():
        if not isinstance(lang, str) or not LANG_TAG.match(lang):
            raise ValidationError(f"texts: bad language tag {lang!r} (e.g. zh-CN, en)")
        try:
            clean[lang] = _check_text(purpose, audience, lang, (text or "").strip())
        except ValidationError as exc:
            errors[f"texts[{lang}]"] = exc
    if len(errors) == 1:
        raise next(iter(errors.values()))
    if errors:
        raise FieldErrors({k: str(e).partition(": ")[2] for k, e in errors.items()})
    return clean


def _says(fields) -> str:
    """Placeholders as typed, each with what it says: "{age} (age), {sex} (boy or girl)"."""
    return ", ".join(f"{{{f}}} ({SAYS_WHAT[f]})" if f in SAYS_WHAT else f"{{{f}}}" for f in sorted(fields))


def _check_text(purpose, audience, lang: str, text: str) -> str:
    if not text:
        raise ValidationError(f"texts[{lang}]: empty")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"texts[{lang}]: at most {MAX_TEXT} characters")
    unknown = placeholders(text, lang) - ALLOWED[purpose]
    if unknown:
        raise ValidationError(f"texts[{lang}]: unknown placeholder(s) {_says(unknown)} for a "
                              f"{purpose.value} template; allowed: {_says(ALLOWED[purpose])}")
    if "name" in placeholders(text, lang) and audience is not TemplateAudience.ADULT:
        raise NoNameViolation(f"texts[{lang}]: a template usable for children may not use {{name}} "
                              "(no-name rule); make it an adult-only template or remove {name}")
    words = "".join(literal for literal, *_ in string.Formatter().parse(text))
    why = script_problem(lang, words)
    if why is not None:  # "Attention {age} {sex} …" as the Chinese wording: every page would be refused
        raise ValidationError(f"texts[{lang}]: {why} (the parts in braces aside)")
    return text


# -- filling --------------------------------------------------------------------------------------
_SEX_WORDS = {  # (language prefix, child?) -> canonical sex -> word
    ("zh", True): {"male": "男孩", "female": "女孩", "unknown": "孩子"},
    ("zh", False): {"male": "男性", "female": "女性", "unknown": "游客"},
    ("en", True): {"male": "boy", "female": "girl", "unknown": "child"},
    ("en", False): {"male": "man", "female": "woman", "unknown": "person"},
    ("ru", True): {"male": "мальчик", "female": "девочка", "unknown": "ребёнок"},
    ("ru", False): {"male": "мужчина", "female": "женщина", "unknown": "человек"},
}


#: "Ребёнок ({sex}, ..." with a child's sex unknown would say "Ребёнок (ребёнок, ...": said once.
_RU_CHILD_TWICE = re.compile(r"\b([Рр]ебёнок) \(ребёнок, ")


def _ru_years(n: int) -> str:
    """5 лет, 2 года, 1 год, 11 лет, 21 год."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} года"
    return f"{n} лет"


def _localise(field: str, value, lang: str, is_child: bool, tz: ZoneInfo, places: list, words=None) -> str:
    if field == "sex":
        words = _SEX_WORDS.get((lang.split("-")[0].lower(), is_child)) or _SEX_WORDS[("en", is_child)]
        return words.get(value, value)
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%H:%M")
    if field == "age" and lang.split("-")[0].lower() == "ru" and str(value).isdigit():
        return _ru_years(int(value))  # the Russian templates say the age with its word for "years"
    if field in ("category", "colour"):  # lost property: its lists (broadcaster.paging.lost_words)
        return say_lost(field, value, lang, words) or str(value)
    if field in ("clothing", "shoes"):  # picked, or typed in words of the lists ("红色外套", "a red jacket")
        listed = say(str(value), lang, words)
        if listed is None and (keys := typed_as_listed(str(value), words)):
            listed = say(keys, lang, words)
        return listed or str(value)
    if field == "looks":
        return say_looks(value, lang, words)
    if field in ("height", "hair"):  # a picked height band or hair; what was typed before, as typed
        return say_look(field, str(value), lang, words) or str(value)
    if field in ("last_seen_place", "meeting_point", "where_found", "claim_place"):
        names = place_names(places, str(value))
        return (names or {}).get(lang) or str(value)
    return str(value)


def check_lost_words(values: dict, needed: set, langs: list[str], tz, places: list, words) -> None:
    """A lost-property page says each value in each language: one the lists and the venue's places do not
    know, typed in one language only, is refused beside its field (nothing is queued)."""
    errors = {f: "said in one language only: pick it from the list" if f != "claim_place" else
              "no meeting point is named in every language: an admin marks one among the venue's places"
              for f in LOST_FIELDS & needed
              if any(script_problem(lang, _localise(f, values.get(f), lang, False, tz, places, words)) for lang in langs)}
    if errors:
        raise FieldErrors(errors)


def fill(template: PageTemplate, values: dict, *, is_child: bool, child_name: str | None = None,
         extra: str | dict | None = None, tz: ZoneInfo | None = None, venue=None) -> dict[str, str]:
    """The final page text per language (the venue's languages, when it has set them up: a page about
    a person then never mixes languages). ValidationError naming every missing field; no-name rule."""
    tz = tz or venue_tz()
    venue = venue or load_settings()
    places = list(getattr(venue, "places", None) or [])
    session = object_session(template)
    words = venue_words(session) if session is not None else None  # the venue's own pick-list words
    if template.status is not TemplateStatus.APPROVED:
        raise InvalidTransition(f"the page template “{template.title}” is not approved yet: a supervisor "
                                "approves it under Approvals (four-eyes), then page the case again")
    if is_child and template.audience is TemplateAudience.ADULT:
        raise NoNameViolation(f"template {template.key} is for adults; a page about a child needs a child template")
    needed = set().union(*(placeholders(t, lang) for lang, t in template.texts.items()))
    if is_child and "name" in needed:
        raise NoNameViolation(f"template {template.key} uses {{name}}: not allowed for a child (no-name rule)")
    missing = sorted(f for f in needed - OPTIONAL if values.get(f) in (None, ""))
    if missing:
        said = ", ".join(SAYS_WHAT.get(f, f) for f in missing)
        raise FieldErrors({FORM_FIELD.get(f, f): "needed for the page" for f in missing},
                          f"the page needs the {said}: add {'it' if len(missing) == 1 else 'them'} to the case, "
                          "then page it again")
    strict = bool(places)  # a venue set up in the panel: its places are named in every language
    langs = [lang for lang in template.texts if lang in venue.languages] or list(template.texts)
    if strict:
        absent = [lang for lang in venue.languages if lang not in template.texts]
        if absent:
            raise ValidationError(f"template {template.title} has no {', '.join(absent)} text yet: an admin adds it "
                                  "and a supervisor approves it")
        langs = list(venue.languages)
        if template.purpose is P.LOST_PROPERTY:
            check_lost_words(values, needed, langs, tz, places, words)
    if isinstance(extra, str):
        if strict and extra.strip():
            raise FieldErrors({"extra_text": "give the remark in every language of the venue"})
        extra = {lang: extra for lang in template.texts} if extra.strip() else None
    if strict and extra:
        check_remark(extra, langs, child_name if is_child else None)
    wording = values.get("wording") or {}  # what the desk gave in each language itself
    out: dict[str, str] = {}
    details: dict[str, dict[str, str]] = {}  # each detail the service cannot translate, as each language says it
    for lang in langs:
        text = template.texts[lang]
        said = accessories_last(values, text, words)  # "… и кроссовках, с рюкзаком"
        filled = {f: (wording.get(f) or {}).get(lang) or _localise(f, said.get(f), lang, is_child, tz, places, words)
                  for f in needed}
        for f in needed & set(WORDED):
            details.setdefault(f, {})[lang] = filled[f]
        body = text.format_map(filled)
        if lang.split("-")[0].lower() == "en":  # "a {colour} {category}" with orange: "an orange umbrella"
            body = en_articles(body)
        add = ((extra or {}).get(lang) or "").strip()
        out[lang] = f"{body} {add}" if add else body
        if lang.split("-")[0].lower() == "ru":  # "с" + "светлыми" composed: "со светлыми"; a child of
            out[lang] = _RU_CHILD_TWICE.sub(r"\1 (", ru_with(out[lang]))  # unknown sex: "Ребёнок (примерно 4 года"
    if is_child:
        typed = [str(values.get(f) or "") for f in needed if f != "sex"] + [
            t for f in needed for t in (wording.get(f) or {}).values()] + [str(v) for v in (extra or {}).values()]
        check_no_name(out, child_name, typed)
    check_said(details, wording)  # "身穿yellow raincoat": refused beside the language that lacks its words
    if strict:
        check_scripts(out, said_as_typed=[] if is_child else [str(values.get("name") or "")])
    return out


class TemplateService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    def edit(self, ref: int | str, who: Actor, *, texts: dict | None = None, title: str | None = None) -> PageTemplate:
        """Change a template. Not approved yet: changed in place, the editor its author. Approved: the new
        wording waits beside it (``draft_texts``) and the approved wording airs until a supervisor other
        than the editor approves the new one; a title is never aired and changes at once."""
        with session_as(self.db, who, *DESK_ROLES, action="edit a page template") as (s, user):
            tpl = self._load(s, ref)
            clean = check_template(tpl.purpose, tpl.audience, texts) if texts is not None else None
            if title is not None:
                if not title.strip():
                    raise ValidationError("title: required")
                tpl.title = title.strip()
            now = self.clock.now()
            if tpl.status is TemplateStatus.APPROVED:
                if clean is not None and clean != tpl.texts:
                    tpl.draft_texts, tpl.draft_by_id, tpl.draft_at = clean, user.id, now
                elif clean is not None:  # back to the wording on air: nothing waits
                    tpl.draft_texts = tpl.draft_by_id = tpl.draft_at = None
            else:
                if clean is not None:
                    tpl.texts = clean
                tpl.version += 1
                tpl.status = TemplateStatus.PENDING
                tpl.approved_by_id = tpl.approved_at = None
                tpl.created_by_id = user.id  # the editor is the author of this version (four-eyes)
            tpl.updated_at = now
        return tpl

    def approve(self, ref: int | str, who: Actor) -> PageTemplate:
        """Approve a template, or the new wording waiting for an approved one (it becomes the next version)."""
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="approve a page template") as (s, user):
            tpl = self._load(s, ref)
            drafted = tpl.status is TemplateStatus.APPROVED and tpl.draft_texts is not None
            if tpl.status is not TemplateStatus.PENDING and not drafted:
                raise InvalidTransition(f"template {tpl.title}: cannot approve from {tpl.status.value}")
            author = tpl.draft_by_id if drafted else tpl.created_by_id
            if author == user.id:
                raise PermissionDenied(f"four-eyes: {user.name} wrote template {tpl.title} and cannot approve it")
            if drafted:
                tpl.texts, tpl.created_by_id, tpl.version = tpl.draft_texts, tpl.draft_by_id, tpl.version + 1
                tpl.draft_texts = tpl.draft_by_id = tpl.draft_at = None
            check_template(tpl.purpose, tpl.audience, tpl.texts)
            tpl.status, tpl.approved_by_id, tpl.approved_at = TemplateStatus.APPROVED, user.id, self.clock.now()
            audit.record(s, "template_approved", user, subject=tpl.title, detail=f"version {tpl.version}")
        return tpl

    def add_looks(self, ref: int | str, who: Actor) -> PageTemplate | None:
        """A wording written before the height and hair lists, with them right after the age in every
        language, edited as any new wording; None when it says them already (or gives no age)."""
        texts = with_looks(self.get(ref).wording)
        return self.edit(ref, who, texts=texts) if texts is not None else None

    def set_aside(self, ref: int | str, who: Actor) -> PageTemplate:
        """A supervisor turns down the new wording waiting for an approved template: the approved one airs on."""
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="turn down a page template's new wording") as (s, user):
            tpl = self._load(s, ref)
            if tpl.draft_texts is None:
                raise InvalidTransition(f"template {tpl.title}: no new wording is waiting")
            tpl.draft_texts = tpl.draft_by_id = tpl.draft_at = None
            audit.record(s, "template_set_aside", user, subject=tpl.title)
        return tpl

    def retire(self, ref: int | str, who: Actor) -> PageTemplate:
        with session_as(self.db, who, *SUPERVISOR_ROLES, action="retire a page template") as (s, user):
            tpl = self._load(s, ref)
            tpl.status = TemplateStatus.RETIRED
            audit.record(s, "template_retired", user, subject=tpl.title)
        return tpl

    def get(self, ref: int | str) -> PageTemplate:
        with self.db.session() as s:
            return self._load(s, ref)

    def list(self) -> list[PageTemplate]:
        with self.db.session() as s:
            return list(s.scalars(select(PageTemplate).order_by(PageTemplate.id)))

    def waiting(self) -> list[PageTemplate]:
        """What a supervisor has to read: templates not approved yet, and new wordings of approved ones."""
        return [x for x in self.list() if x.status is TemplateStatus.PENDING or x.draft_texts is not None]

    @staticmethod
    def _load(s, ref: int | str) -> PageTemplate:
        if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
            tpl = s.get(PageTemplate, int(ref)) if int(ref) < 2 ** 63 else None  # the database's ids
        else:
            tpl = s.scalar(select(PageTemplate).where(PageTemplate.key == str(ref)))
        if tpl is None:
            raise NotFound(f"no such page template: {ref}")
        return tpl
