"""How the desk describes a person's height and hair: pick-lists of whole phrases, each in every page
language as a page says it, so a page never mixes languages. A height band is said after "身高" / before
"tall" / after "рост" ("约100-120厘米", "about 100-120 cm", "около 100–120 см"); hair is said before "的" /
after "with" / after "с", in the instrumental with its adjectives agreeing ("黑色短发", "short black hair",
"короткими чёрными волосами"). A case stores the picked word's key in its height or hair; what was typed
before the lists existed stays as typed and is said as typed. Venues add their own (broadcaster.paging.lexicon)."""
from __future__ import annotations

import re

HEIGHTS: dict[str, dict[str, str]] = {
    "under-100cm": {"zh-CN": "不到100厘米", "en": "under 100 cm", "ru": "меньше 100 см"},
    "100-120cm": {"zh-CN": "约100-120厘米", "en": "about 100-120 cm", "ru": "около 100–120 см"},
    "120-140cm": {"zh-CN": "约120-140厘米", "en": "about 120-140 cm", "ru": "около 120–140 см"},
    "140-160cm": {"zh-CN": "约140-160厘米", "en": "about 140-160 cm", "ru": "около 140–160 см"},
    "160-180cm": {"zh-CN": "约160-180厘米", "en": "about 160-180 cm", "ru": "около 160–180 см"},
    "over-180cm": {"zh-CN": "超过180厘米", "en": "over 180 cm", "ru": "больше 180 см"},
}
HAIRS: dict[str, dict[str, str]] = {
    "short-black": {"zh-CN": "黑色短发", "en": "short black hair", "ru": "короткими чёрными волосами"},
    "long-black": {"zh-CN": "黑色长发", "en": "long black hair", "ru": "длинными чёрными волосами"},
    "short-brown": {"zh-CN": "棕色短发", "en": "short brown hair", "ru": "короткими каштановыми волосами"},
    "long-brown": {"zh-CN": "棕色长发", "en": "long brown hair", "ru": "длинными каштановыми волосами"},
    "fair": {"zh-CN": "金色头发", "en": "fair hair", "ru": "светлыми волосами"},
    "ponytail": {"zh-CN": "长发扎马尾", "en": "long hair in a ponytail", "ru": "длинными волосами, собранными в хвост"},
    "braids": {"zh-CN": "扎辫子", "en": "braids", "ru": "косичками"},
    "curly": {"zh-CN": "卷发", "en": "curly hair", "ru": "кудрявыми волосами"},
    "grey": {"zh-CN": "白发", "en": "grey hair", "ru": "седыми волосами"},
    "shaved": {"zh-CN": "光头", "en": "a shaved head", "ru": "бритой головой"},
}
LOOKS = {"height": HEIGHTS, "hair": HAIRS}
BUILT_IN = frozenset(HEIGHTS) | frozenset(HAIRS)


def _names(kind: str, key: str | None, words: dict | None) -> tuple[dict, bool] | None:
    """({lang: phrase}, offered?) of ``key`` as a ``kind`` ("height" or "hair"), or None."""
    key = " ".join((key or "").split()).lower()
    if key in LOOKS[kind]:
        return LOOKS[kind][key], True
    w = (words or {}).get(key)
    if w and w["kind"] == kind:
        return w["names"], not w.get("retired")
    return None


def offered(kind: str, key: str | None, words: dict | None = None) -> bool:
    """Whether the desk's list offers ``key`` (a retired venue word is said, no longer offered)."""
    found = _names(kind, key, words)
    return bool(found and found[1])


def say_look(kind: str, value: str | None, lang: str, words: dict | None = None) -> str | None:
    """The height band or hair ``value`` (a stored key) in ``lang``, or None when it was typed by hand or
    a venue word has no phrase in ``lang``."""
    found = _names(kind, value, words)
    if not found:
        return None
    return found[0].get("zh-CN" if lang.lower().startswith("zh") else lang.split("-")[0].lower())


def shown(names: dict[str, str], lang: str) -> str:
    """A pick-list word as the UI in ``lang`` lists it: its Chinese or English name, else (a venue word
    without one) its first."""
    return names.get("zh-CN" if lang.startswith("zh") else "en") or next(iter(names.values()))


def listed(builtin: dict[str, dict[str, str]], kind: str, lang: str, words: dict | None) -> list[tuple[str, str]]:
    """(key, word) of a pick-list in the UI language: the built-in words, then the venue's own of ``kind``
    still offered (not retired)."""
    venue = [(k, w["names"]) for k, w in (words or {}).items() if w["kind"] == kind and not w.get("retired")]
    return [(k, shown(names, lang)) for k, names in [*builtin.items(), *venue]]


def look_options(kind: str, lang: str, words: dict | None = None) -> list[tuple[str, str]]:
    """The list of ``kind`` in the UI language: (key, phrase)."""
    return listed(LOOKS[kind], kind, lang, words)


#: How a page says the height and the hair it has (``{looks}`` in a template, right after the age): Chinese
#: before "的" ("一名约5岁、身高约100-120厘米、黑色短发的男孩"), English and Russian after the age
#: ("a boy of about 5, about 100-120 cm tall, with short black hair", "мальчик, примерно 5 лет, рост около
#: 100–120 см, с короткими чёрными волосами").
LEADS = {"zh": ("、身高{}", "、{}"), "en": (", {} tall", ", with {}"), "ru": (", рост {}", ", с {}")}


#: Russian says "со", not "с", before a word that starts with с, з, ш or ж and a consonant, or with щ
#: ("со светлыми волосами", "со шляпой", "со щенком"), as it does before "мн" ("со мной").
_RU_SO = re.compile(r"(?<![\w-])([Сс]) (?=[сзшжСЗШЖ][^аеёиоуыэюяАЕЁИОУЫЭЮЯ\W]|[щЩ]|[мМ]н)")


def ru_with(text: str) -> str:
    """``text`` with each "с" said as "со" where Russian wants it ("с светлыми" -> "со светлыми")."""
    return _RU_SO.sub(r"\1о ", text)


def say_looks(values: dict | None, lang: str, words: dict | None = None) -> str:
    """``{looks}``: the picked height band and hair in ``lang`` with what leads into them, or "" (nothing
    picked). What was typed by hand before the lists existed is in one language only: it is not said."""
    leads = LEADS.get(lang.split("-")[0].lower())
    if not leads:
        return ""
    said = [(lead, say_look(kind, (values or {}).get(kind), lang, words)) for kind, lead in zip(LOOKS, leads)]
    out = "".join(lead.format(phrase) for lead, phrase in said if phrase)
    return ru_with(out) if lang.split("-")[0].lower() == "ru" else out


def with_looks(texts: dict[str, str]) -> dict[str, str] | None:
    """A wording written before the height and hair lists, with ``{looks}`` put right after the age in
    each language that has an age and says looks (Chinese after "{age}岁"); None when nothing is to add."""
    out = {}
    for lang, text in texts.items():
        if "{age}" in text and "{looks}" not in text and lang.split("-")[0].lower() in LEADS:
            at = "{age}岁" if "{age}岁" in text else "{age}"
            text = text.replace(at, at + "{looks}", 1)
        out[lang] = text
    return out if out != texts else None
