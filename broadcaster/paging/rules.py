"""What a page may never say: THE NO-NAME RULE (a page about a child never says the child's name or a
part of it) and no words of another language (each language's text in its own script; an adult's name
is said as it was given). Checked on the final text of every page (``templates.fill``)."""
from __future__ import annotations

import re

from broadcaster.errors import FieldErrors, ValidationError


class NoNameViolation(ValidationError):
    """A page about a child would name the child."""


# -- the no-name rule on final text ---------------------------------------------------------------
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPLIT = re.compile(r"[\s·•.\-_,，、;；:：()（）\[\]/'\"]+")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                      "夏侯", "轩辕", "令狐", "宇文", "司徒", "端木", "西门", "独孤", "南宫", "万俟")


def name_parts(name: str) -> tuple[set[str], set[str]]:
    """(parts searched everywhere, single Chinese characters searched in filled-in values only).

    Latin names split on spaces/punctuation (parts of 2+ letters, matched as whole words, any case).
    Chinese names have no spaces: every run of 2+ characters of the name is a part (full name, given
    name, surname + part), and a one-character given name is searched in the values the desk typed.
    """
    multi: set[str] = set()
    single: set[str] = set()
    for chunk in _SPLIT.split(name or ""):
        for run in _CJK.findall(chunk):
            if len(run) == 1:
                single.add(run)
                continue
            multi.update(run[i:j] for i in range(len(run)) for j in range(i + 2, len(run) + 1))
            surname = 2 if run.startswith(_COMPOUND_SURNAMES) and len(run) > 2 else 1
            given = run[surname:]
            if len(given) == 1:
                single.add(given)
        multi.update(t for t in _CJK.sub(" ", chunk).split() if len(t) >= 2)
    return multi, single


def _contains(text: str, part: str) -> bool:
    if _CJK.search(part):
        return part in text
    return re.search(rf"(?<![^\W\d_]){re.escape(part)}(?![^\W\d_])", text, re.IGNORECASE) is not None


def check_no_name(texts: dict[str, str], name: str | None, typed: list[str] = ()) -> None:
    """Refuse (NoNameViolation) if any text contains the child's name or a part of it."""
    if not name or not name.strip():
        return
    multi, single = name_parts(name)
    for lang, text in texts.items():
        if any(_contains(text, p) for p in multi):
            raise NoNameViolation(f"no-name rule: the {lang} text of this page about a child contains the "
                                  "child's name (or part of it); remove it from the description/free text")
    for value in typed:
        if any(ch in (value or "") for ch in single):
            raise NoNameViolation("no-name rule: a field typed for this page about a child contains part of "
                                  "the child's given name; remove it")


class NameInRemark(FieldErrors, NoNameViolation):
    """The remark of a page about a child names the child."""


def check_remark(extra: dict[str, str], langs: list[str], child_name: str | None) -> None:
    """A remark is given in every language or in none, each in its language's script, and never names
    the child: every error beside its language's remark (``extra_text.<lang>``), all at once."""
    from broadcaster.venue import script_problem

    given = {lang: (extra.get(lang) or "").strip() for lang in langs}
    if not any(given.values()):
        return
    errors = {f"extra_text.{lang}": "give the remark in every language of the venue, or leave it out"
              for lang, text in given.items() if not text}
    errors |= {f"extra_text.{lang}": problem for lang, text in given.items()
               if text and (problem := script_problem(lang, text))}
    if errors:
        raise FieldErrors(errors)
    if child_name and child_name.strip():
        multi, single = name_parts(child_name)
        named = {f"extra_text.{lang}": "no-name rule: a page about a child never says the child's name; "
                 "remove it from the remark" for lang, text in given.items()
                 if any(_contains(text, p) for p in multi) or any(ch in text for ch in single)}
        if named:
            raise NameInRemark(named)


class MixedWords(FieldErrors):
    """A detail the service cannot say in every page language was given in one only: the page would say
    words of one language inside another's text. Refused beside the language that lacks it; nothing is
    stored (the desk gives that language's words and pages again)."""


#: Beside the field of the language a detail is missing in, in the desk's words.
IN_THIS_LANGUAGE = "also give it in this language: the page says it in every language and cannot translate it"
#: The refusal as a whole (a timeline, a form without a box per language): no field's internal name.
MIXED = "the {lang} text of this page would mix languages: give the places and the description in every language"


def check_said(said: dict[str, dict[str, str]], given: dict | None = None) -> None:
    """``said``: each detail (field -> {language: what the page would say}). MixedWords naming
    ``<field>.<language>`` for each language whose words would be of another script, all at once: given
    in that language (``given``, the case's wording) but in another script, how to write it; else to give it."""
    from broadcaster.venue import script_problem

    errors = {f"{f}.{lang}": (why if lang in ((given or {}).get(f) or {}) else IN_THIS_LANGUAGE)
              for f, by_lang in said.items() for lang, text in by_lang.items()
              if text and (why := script_problem(lang, text))}
    if errors:
        raise MixedWords(errors, MIXED.format(lang=next(iter(errors)).partition(".")[2]))


def check_scripts(texts: dict[str, str], said_as_typed: list[str] = ()) -> None:
    """Refuse a page whose text in one language has words of another (a place or a description typed
    in one language only): say it in the desk's words. ``said_as_typed``: words every language says as
    they were typed (an adult's name: "王芳" in the Russian page too)."""
    from broadcaster.venue import script_problem

    for lang, text in texts.items():
        for word in (w for w in said_as_typed if w.strip()):
            text = text.replace(word, " ")
        if script_problem(lang, text):
            raise ValidationError(f"the {lang} text of this page would mix languages: pick the places and the "
                                  "clothing from the lists, or give a remark in every language")
