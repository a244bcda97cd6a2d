"""Lost property's pick-lists: what an item is (its category) and its colour, each named in every page
language, so an announcement says each value in its own language ("a black wallet", "黑色钱包",
"кошелёк, цвет: чёрный"). The desk may register any words; a value the lists (or the venue's own colour
words, broadcaster.paging.lexicon) do not know is said as typed, and a page that would then mix
languages is refused beside the field (broadcaster.paging.templates.fill)."""
from __future__ import annotations

from broadcaster.paging.looks import listed
from broadcaster.paging.vocabulary import COLOURS, Words

#: category -> {language: word}; English as said after "a" (the template: "a {colour} {category}").
CATEGORIES: dict[str, dict[str, str]] = {
    "wallet": {"zh-CN": "钱包", "en": "wallet", "ru": "кошелёк"},
    "phone": {"zh-CN": "手机", "en": "mobile phone", "ru": "телефон"},
    "bag": {"zh-CN": "包", "en": "bag", "ru": "сумка"},
    "backpack": {"zh-CN": "双肩包", "en": "backpack", "ru": "рюкзак"},
    "keys": {"zh-CN": "钥匙", "en": "set of keys", "ru": "ключи"},
    "camera": {"zh-CN": "相机", "en": "camera", "ru": "фотоаппарат"},
    "watch": {"zh-CN": "手表", "en": "watch", "ru": "часы"},
    "glasses": {"zh-CN": "眼镜", "en": "pair of glasses", "ru": "очки"},
    "jewellery": {"zh-CN": "首饰", "en": "piece of jewellery", "ru": "украшение"},
    "id-card": {"zh-CN": "证件", "en": "ID card", "ru": "документ"},
    "headphones": {"zh-CN": "耳机", "en": "pair of headphones", "ru": "наушники"},
    "tablet": {"zh-CN": "平板电脑", "en": "tablet", "ru": "планшет"},
    "umbrella": {"zh-CN": "雨伞", "en": "umbrella", "ru": "зонт"},
    "toy": {"zh-CN": "玩具", "en": "toy", "ru": "игрушка"},
}
#: Russian colours as the lost-property page says them ("цвет: чёрный"): the nominative.
RU_COLOURS = {"red": "красный", "orange": "оранжевый", "yellow": "жёлтый", "green": "зелёный", "blue": "синий",
              "navy": "тёмно-синий", "purple": "фиолетовый", "pink": "розовый", "white": "белый",
              "black": "чёрный", "grey": "серый", "brown": "коричневый", "beige": "бежевый"}


def _norm(value) -> str:
    return " ".join(str(value or "").split()).lower()


def _find(table: dict[str, dict[str, str]], value) -> dict[str, str] | None:
    key = _norm(value)
    for k, names in table.items():
        if key and (key == k or key in (_norm(n) for n in names.values())):
            return names
    return None


def colour_names(value, words: Words | None = None) -> dict[str, str] | None:
    """A colour's name in each language, found by its key or its name in any language (built-in or the
    venue's own colour words), or None."""
    builtin = {k: {**names, "ru": RU_COLOURS[k]} for k, names in COLOURS.items()}
    venue = {k: w["names"] for k, w in (words or {}).items() if w["kind"] == "colour"}
    return _find(builtin, value) or _find(venue, value)


def category_names(value) -> dict[str, str] | None:
    return _find(CATEGORIES, value)


def say_lost(field: str, value, lang: str, words: Words | None = None) -> str | None:
    """``value`` of the lost-property ``field`` ("category" or "colour") in ``lang``, or None."""
    names = category_names(value) if field == "category" else colour_names(value, words)
    return (names or {}).get(lang) if names else None


def lost_options(lang: str, words: Words | None = None) -> dict[str, list[tuple[str, str]]]:
    """The lists in the UI language: (key, word) of each category and colour."""
    return {"categories": listed(CATEGORIES, "category", lang, None), "colours": listed(COLOURS, "colour", lang, words)}
