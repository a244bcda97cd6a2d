"""A venue's own pick-list words (a colour, a garment for the top, bottom or feet, an accessory, a height
band, a description of hair: whole phrases as each language's page says them), added by a
supervisor or the admin with the word in every venue language and what each language needs to say it
grammatically (Russian: a colour's forms after "в" for a masculine/neuter, feminine and plural garment,
a garment's gender, an accessory as said after "с"; Chinese: an accessory's verb; English: whether a
garment or an accessory is said with "a"). The desk's pick-lists then offer it
and every page language says it in its own words (broadcaster.paging.vocabulary). A word a stored case
uses is never deleted, only retired (no longer offered, still said)."""
from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import FieldErrors, InvalidTransition, NotFound, choice
from broadcaster.paging.looks import BUILT_IN, LOOKS
from broadcaster.paging.vocabulary import ACCESSORIES, COLOURS, GARMENTS, RU_GENDERS, ZH_VERBS, Words
from broadcaster.cases.staff import session_as
from broadcaster.store.db import Database
from broadcaster.store.models.cases import PersonCase
from broadcaster.store.models.core import Role
from broadcaster.store.models.keeping import VenueWord, WordKind

EDITORS = (Role.SUPERVISOR, Role.ADMIN)
RU_FORMS = ("ru_m", "ru_f", "ru_pl")  # a colour's Russian forms: в красном свитере, в красной куртке, в красных джинсах
ACCESSORY = WordKind.ACCESSORY  # "с рюкзаком", "with a backpack", "背着双肩包": said after the clothes
PHRASES = (WordKind.HEIGHT, WordKind.HAIR)  # whole phrases, as each language's page says them (paging.looks)


def venue_words(session: Session) -> Words:
    """Every venue word (retired ones too: stored descriptions still use them), for vocabulary.say."""
    return {w.key: {"kind": w.kind.value, "names": w.names, "forms": w.forms or {}, "retired": w.retired_at is not None}
            for w in session.scalars(select(VenueWord))}


def _key(kind: WordKind, names: dict, taken) -> str:
    """How descriptions store the word: its English name as one word ("light-blue"), else kind-N."""
    base = re.sub(r"[^a-z0-9]+", "-", (names.get("en") or "").lower()).strip("-")[:30]
    if base and not any(base in known for known in (COLOURS, GARMENTS, ACCESSORIES, BUILT_IN)) and not taken(base):
        return base
    n = 1
    while taken(f"{kind.value}-{n}") or f"{kind.value}-{n}" in GARMENTS:
        n += 1
    return f"{kind.value}-{n}"


def check_word(kind, languages: list[str], fields: dict) -> tuple[WordKind, dict, dict]:
    """(kind, names, forms) from the form's fields (``name_<lang>``, ``ru_m``/``ru_f``/``ru_pl``,
    ``ru_gender``, ``en_article``; an accessory: ``name_ru`` as said after "с", ``zh_verb``): every error
    at once, by field."""
    from broadcaster.venue import script_problem

    errors: dict[str, str] = {}
    accessory = kind == ACCESSORY
    try:
        kind = choice("kind", kind, WordKind)
    except FieldErrors as exc:
        raise FieldErrors({"kind": "choose what kind of word this is"}) from exc

    phrase = kind in PHRASES

    def text(field: str, lang: str) -> str:
        value = " ".join((fields.get(field) or "").split())
        if not value:
            errors[field] = "give the word in this language too"
        elif len(value) > (60 if phrase else 40):
            errors[field] = "at most 60 characters" if phrase else "at most 40 characters"
        elif (why := script_problem(lang, value)) is not None:
            errors[field] = why
        return value

    names, forms = {}, {}
    for lang in languages:
        if lang == "ru" and kind is WordKind.COLOUR:
            forms["ru"] = [text(f, "ru") for f in RU_FORMS]
            names["ru"] = forms["ru"][0]
        else:
            names[lang] = text(f"name_{lang}", lang)
    if accessory:  # Russian says it after "с" (no gender needed); Chinese after its verb
        if any(lang.startswith("zh") for lang in languages):
            if fields.get("zh_verb") not in ZH_VERBS:
                errors["zh_verb"] = "choose how it is carried or worn"
            forms["zh_verb"] = fields.get("zh_verb")
    elif "ru" in languages and kind is not WordKind.COLOUR and not phrase:
        if fields.get("ru_gender") not in RU_GENDERS:
            errors["ru_gender"] = "choose the word's gender"
        forms["ru_gender"] = fields.get("ru_gender")
    if "en" in languages and kind is not WordKind.COLOUR and not phrase:
        forms["en_article"] = fields.get("en_article") in ("1", "on", "true", True)
    if errors:
        raise FieldErrors(errors)
    return kind, names, forms


def kept_places(db: Database, before: list, after: list) -> None:
    """FieldErrors when a place a stored case names (last seen there, or its meeting point) would be
    removed from the venue's list: it is retired instead (kept for the pages, no longer offered)."""
    left = {n.lower() for p in after for n in (p.get("names") or {}).values() if n}
    gone = [n for p in before or [] for n in (p.get("names") or {}).values()
            if n and not any(m.lower() in left for m in p["names"].values() if m)]
    if not gone:
        return
    with db.session() as s:
        for name in gone:
            number = s.scalar(select(PersonCase.number).where(or_(PersonCase.last_seen_place == name,
                                                                  PersonCase.meeting_point == name)).limit(1))
            if number:
                raise FieldErrors({"places": f"case {number} names the place {name}: tick Retired instead of "
                                             "removing it"})


class VocabularyService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db, self.clock = db, clock or SystemClock()

    def words(self) -> Words:
        with self.db.session() as s:
            return venue_words(s)

    def list(self) -> list[VenueWord]:
        with self.db.session() as s:
            return list(s.scalars(select(VenueWord).order_by(VenueWord.kind, VenueWord.id)))

    def add(self, who, kind, languages: list[str], fields: dict) -> VenueWord:
        kind, names, forms = check_word(kind, languages, fields)
        with session_as(self.db, who, *EDITORS, action="add a word to the desk's lists") as (s, user):
            self._refuse_taken(s, kind, names)
            word = VenueWord(kind=kind, names=names, forms=forms, created_by_id=user.id, created_at=self.clock.now(),
                             key=_key(kind, names, lambda k: s.scalar(select(VenueWord.id).where(VenueWord.key == k))))
            s.add(word)
        return word

    def edit(self, who, key: str, languages: list[str], fields: dict) -> VenueWord:
        """A word's names (and what each language needs to say it) in every venue language, as the form to
        add one gives them: a venue that took on a language names its words in it. Names in languages the
        venue no longer speaks are kept (switching back finds them)."""
        with session_as(self.db, who, *EDITORS, action="change a word of the desk's lists") as (s, _):
            word = self._load(s, key)
            kind, names, forms = check_word(word.kind, languages, fields)
            self._refuse_taken(s, kind, names, but=word.id)
            word.names = {**{lang: n for lang, n in word.names.items() if lang not in languages}, **names}
            word.forms = {**(word.forms or {}), **forms}
        return word

    @staticmethod
    def _refuse_taken(s: Session, kind: WordKind, names: dict, but: int | None = None) -> None:
        """FieldErrors beside each of ``names`` already in the list of ``kind`` (built in, or a venue word
        other than ``but``)."""
        if kind is WordKind.COLOUR:
            builtin = list(COLOURS.values())
        elif kind == ACCESSORY:
            builtin = [words for words, _a in ACCESSORIES.values()]
        elif kind in PHRASES:
            builtin = list(LOOKS[kind.value].values())
        else:
            builtin = [words for _where, words, _a in GARMENTS.values()]
        venue = [w.names for w in s.scalars(select(VenueWord)) if w.kind == kind and w.id != but]

        def known(lang: str) -> set[str]:
            said = [b.get("zh-CN" if lang.startswith("zh") else lang) for b in builtin] + [v.get(lang) for v in venue]
            return {n.lower() for n in said if n}

        taken = [lang for lang, name in names.items() if name.lower() in known(lang)]
        if taken:
            raise FieldErrors({("ru_m" if lang == "ru" and kind is WordKind.COLOUR else f"name_{lang}"):
                               "this word is already in the list" for lang in taken})

    def retire(self, who, key: str, *, retired: bool = True) -> VenueWord:
        """No longer offered by the pick-lists (``retired=False`` offers it again); still said."""
        with session_as(self.db, who, *EDITORS, action="retire a word") as (s, _):
            word = self._load(s, key)
            word.retired_at = self.clock.now() if retired else None
        return word

    def remove(self, who, key: str) -> None:
        """Delete a word no stored case uses; a used one is refused (retire it instead)."""
        with session_as(self.db, who, *EDITORS, action="remove a word") as (s, _):
            word = self._load(s, key)
            used = self.used_by(s, key)
            if used:
                raise InvalidTransition(f"case {used[0]} uses this word: retire it instead")
            s.delete(word)

    @staticmethod
    def used_by(s: Session, key: str) -> list[str]:
        """Numbers of the stored cases whose description uses ``key``."""
        like = f"%{key}%"
        rows = s.execute(select(PersonCase.number, PersonCase.clothing, PersonCase.shoes)
                         .where(or_(PersonCase.clothing.like(like), PersonCase.shoes.like(like))))
        picked = s.scalars(select(PersonCase.number).where(or_(PersonCase.height == key, PersonCase.hair == key)))
        return [n for n, *said in rows if any(key in re.split(r"[\s,]+", v or "") for v in said)] + list(picked)

    @staticmethod
    def _load(s: Session, key: str) -> VenueWord:
        word = s.scalar(select(VenueWord).where(VenueWord.key == (key or "").strip()))
        if word is None:
            raise NotFound(f"no such word: {key}")
        return word
