"""The desk's pick-lists for describing a person, each word in every page language, so a page never
mixes languages: colours, garments and accessories (a description is stored as its English words, "red jacket, blue
jeans", and said in each page language), and the venue's places (broadcaster.venue), named by the venue
in each of its languages."""
from __future__ import annotations

import re

from broadcaster.paging.looks import listed, look_options, ru_with, shown

COLOURS: dict[str, dict[str, str]] = {
    "red": {"zh-CN": "红色", "en": "red"}, "orange": {"zh-CN": "橙色", "en": "orange"},
    "yellow": {"zh-CN": "黄色", "en": "yellow"}, "green": {"zh-CN": "绿色", "en": "green"},
    "blue": {"zh-CN": "蓝色", "en": "blue"}, "navy": {"zh-CN": "深蓝色", "en": "navy"},
    "purple": {"zh-CN": "紫色", "en": "purple"}, "pink": {"zh-CN": "粉色", "en": "pink"},
    "white": {"zh-CN": "白色", "en": "white"}, "black": {"zh-CN": "黑色", "en": "black"},
    "grey": {"zh-CN": "灰色", "en": "grey"}, "brown": {"zh-CN": "棕色", "en": "brown"},
    "beige": {"zh-CN": "米色", "en": "beige"},
}
#: garment -> (where it is worn, {language: word}, English takes "a"?)
GARMENTS: dict[str, tuple[str, dict[str, str], bool]] = {
    "t-shirt": ("top", {"zh-CN": "短袖上衣", "en": "T-shirt"}, True),
    "shirt": ("top", {"zh-CN": "衬衫", "en": "shirt"}, True),
    "sweater": ("top", {"zh-CN": "毛衣", "en": "sweater"}, True),
    "hoodie": ("top", {"zh-CN": "连帽衫", "en": "hoodie"}, True),
    "jacket": ("top", {"zh-CN": "外套", "en": "jacket"}, True),
    "coat": ("top", {"zh-CN": "大衣", "en": "coat"}, True),
    "dress": ("top", {"zh-CN": "连衣裙", "en": "dress"}, True),
    "trousers": ("bottom", {"zh-CN": "长裤", "en": "trousers"}, False),
    "jeans": ("bottom", {"zh-CN": "牛仔裤", "en": "jeans"}, False),
    "shorts": ("bottom", {"zh-CN": "短裤", "en": "shorts"}, False),
    "skirt": ("bottom", {"zh-CN": "裙子", "en": "skirt"}, True),
    "sneakers": ("shoes", {"zh-CN": "运动鞋", "en": "sneakers"}, False),
    "sandals": ("shoes", {"zh-CN": "凉鞋", "en": "sandals"}, False),
    "boots": ("shoes", {"zh-CN": "靴子", "en": "boots"}, False),
    "shoes": ("shoes", {"zh-CN": "皮鞋", "en": "shoes"}, False),
}
AND = {"zh": "和", "en": " and ", "ru": " и "}
#: Russian: what a page says after "в" (prepositional case), the adjective agreeing with the garment's
#: gender or number: colour -> (masculine/neuter, feminine, plural); garment -> (word, "m"/"f"/"n"/"pl").
RU_COLOURS = {
    "red": ("красном", "красной", "красных"), "orange": ("оранжевом", "оранжевой", "оранжевых"),
    "yellow": ("жёлтом", "жёлтой", "жёлтых"), "green": ("зелёном", "зелёной", "зелёных"),
    "blue": ("синем", "синей", "синих"), "navy": ("тёмно-синем", "тёмно-синей", "тёмно-синих"),
    "purple": ("фиолетовом", "фиолетовой", "фиолетовых"), "pink": ("розовом", "розовой", "розовых"),
    "white": ("белом", "белой", "белых"), "black": ("чёрном", "чёрной", "чёрных"),
    "grey": ("сером", "серой", "серых"), "brown": ("коричневом", "коричневой", "коричневых"),
    "beige": ("бежевом", "бежевой", "бежевых"),
}
RU_GARMENTS = {
    "t-shirt": ("футболке", "f"), "shirt": ("рубашке", "f"), "sweater": ("свитере", "m"),
    "hoodie": ("толстовке", "f"), "jacket": ("куртке", "f"), "coat": ("пальто", "n"), "dress": ("платье", "n"),
    "trousers": ("брюках", "pl"), "jeans": ("джинсах", "pl"), "shorts": ("шортах", "pl"), "skirt": ("юбке", "f"),
    "sneakers": ("кроссовках", "pl"), "sandals": ("сандалиях", "pl"), "boots": ("сапогах", "pl"),
    "shoes": ("туфлях", "pl"),
}
_RU_FORM = {"m": 0, "n": 0, "f": 1, "pl": 2}
RU_GENDERS = tuple(_RU_FORM)
#: What a person carries or wears besides clothes, said after the clothes ("with a backpack", "с рюкзаком",
#: "背着双肩包"): accessory -> ({language: word}, English takes "a"?) where Russian is the instrumental case
#: (said after "с") and Chinese says it after its verb (ZH_VERBS).
ACCESSORIES: dict[str, tuple[dict[str, str], bool]] = {
    "backpack": ({"zh-CN": "双肩包", "en": "backpack", "ru": "рюкзаком", "zh_verb": "背着"}, True),
    "cap": ({"zh-CN": "鸭舌帽", "en": "cap", "ru": "кепкой", "zh_verb": "戴着"}, True),
    "glasses": ({"zh-CN": "眼镜", "en": "glasses", "ru": "очками", "zh_verb": "戴着"}, False),
    "balloon": ({"zh-CN": "气球", "en": "balloon", "ru": "воздушным шариком", "zh_verb": "拿着"}, True),
    "toy": ({"zh-CN": "玩具", "en": "toy", "ru": "игрушкой", "zh_verb": "拿着"}, True),
    "umbrella": ({"zh-CN": "雨伞", "en": "umbrella", "ru": "зонтом", "zh_verb": "拿着"}, True),
}
ZH_VERBS = ("戴着", "背着", "拿着", "带着")  # worn on the head or face, on the back, in the hand, with them
WITH = {"zh": "，", "en": ", with ", "ru": ", с "}

#: A venue's own words (broadcaster.paging.lexicon): key -> {"kind": "colour" | "top" | "bottom" |
#: "shoes", "names": {lang: word}, "forms": {"ru": [m, f, pl]} for a colour, {"ru_gender": "f",
#: "en_article": bool} for a garment, "retired": bool}. Retired words are still said, never offered.
Words = dict


def _colour(key: str | None, words: Words | None) -> dict | None:
    """{"zh-CN": .., "en": .., "ru": (m, f, pl)} of a colour, or None when it is not a known colour."""
    if key in COLOURS:
        return {**COLOURS[key], "ru": RU_COLOURS[key]}
    w = (words or {}).get(key)
    if w and w["kind"] == "colour":
        return {**w["names"], "ru": tuple(w["forms"].get("ru") or ()) or None}
    return None


def _garment(key: str, words: Words | None) -> tuple[str, dict, bool, tuple | None] | None:
    """(where it is worn, {lang: word}, English takes "a"?, Russian (word, gender)) or None; an accessory
    is ("accessory", {lang: word, "zh_verb": ..}, English takes "a"?, None) (Russian: the instrumental)."""
    if key in GARMENTS:
        return (*GARMENTS[key], RU_GARMENTS[key])
    if key in ACCESSORIES:
        return ("accessory", *ACCESSORIES[key], None)
    w = (words or {}).get(key)
    if w and w["kind"] in ("top", "bottom", "shoes"):
        ru = (w["names"]["ru"], w["forms"].get("ru_gender")) if w["names"].get("ru") else None
        return w["kind"], w["names"], bool(w["forms"].get("en_article")), ru
    if w and w["kind"] == "accessory":
        return "accessory", {**w["names"], "zh_verb": w["forms"].get("zh_verb")}, bool(w["forms"].get("en_article")), None
    return None


def _ru(colour: dict | None, garment: tuple) -> str | None:
    if garment[3] is None or (colour and not colour.get("ru")):
        return None
    word, gender = garment[3]
    return f"{colour['ru'][_RU_FORM[gender]]} {word}" if colour else word


def garments(where: str, words: Words | None = None) -> list[str]:
    venue = [k for k, w in (words or {}).items() if w["kind"] == where and not w.get("retired")]
    if where == "accessory":
        return list(ACCESSORIES) + venue
    return [g for g, (w, _words, _a) in GARMENTS.items() if w == where] + venue


def compose(pairs: list[tuple[str | None, str | None]], words: Words | None = None) -> str | None:
    """The stored description of (colour, garment) picks: "red jacket, blue jeans" (a garment without a
    colour is said alone; unknown or retired words are refused)."""
    from broadcaster.errors import ValidationError

    def offered(key):
        return (key in COLOURS or key in GARMENTS or key in ACCESSORIES
                or ((words or {}).get(key) and not words[key].get("retired")))

    items = []
    for colour, garment in pairs:
        if not garment:
            continue
        if (_garment(garment, words) is None or not offered(garment)
                or (colour and (_colour(colour, words) is None or not offered(colour)))):
            raise ValidationError("clothing: choose the colour and the garment from the lists")
        if colour and _garment(garment, words)[0] == "accessory":
            raise ValidationError("clothing: an accessory is picked without a colour")
        items.append(f"{colour} {garment}" if colour else garment)
    if items and all(_garment(i.split()[-1], words)[0] == "accessory" for i in items):  # "в …" needs clothes
        raise ValidationError("clothing: an accessory goes with the clothes: choose the top too")
    return ", ".join(items) or None


def accessories_last(values: dict, text: str, words: Words | None = None) -> dict:
    """``values`` with the accessories of the clothing moved to the end of the shoes when the page says
    the shoes after the clothing ("в красной куртке и кроссовках, с рюкзаком", not "…, с рюкзаком и
    кроссовках"); accessories are said after everything else the page describes."""
    clothing, shoes = values.get("clothing"), values.get("shoes")
    if not clothing or not shoes or not 0 <= text.find("{clothing}") < text.find("{shoes}"):
        return values
    parts = [p.strip() for p in str(clothing).split(",") if p.strip()]
    carried = [p for p in parts if (i := _item(p.lower().split(), words)) and i[1][0] == "accessory"]
    worn = [p for p in parts if p not in carried]
    if not carried or not worn:
        return values
    return {**values, "clothing": ", ".join(worn), "shoes": ", ".join([str(shoes), *carried])}


def _item(parts: list[str], words: Words | None):
    if len(parts) == 1 and (g := _garment(parts[0], words)):
        return None, g
    if len(parts) == 2 and (c := _colour(parts[0], words)) and (g := _garment(parts[1], words)):
        return c, g
    return None


def say(value: str, lang: str, words: Words | None = None) -> str | None:
    """A stored description in ``lang`` ("red jacket, blue jeans" -> "红色外套和蓝色牛仔裤", "a red jacket
    and blue jeans"), or None when it is not made of pick-list words (typed by hand) or a venue word has
    no word in ``lang``."""
    base = lang.split("-")[0].lower()
    items = [_item(part.strip().lower().split(), words) for part in (value or "").split(",") if part.strip()]
    if not items or any(i is None for i in items) or base not in AND:
        return None
    said, carried = [], []
    key = "zh-CN" if base == "zh" else base
    for colour, garment in items:
        if garment[0] == "accessory":  # said after the clothes: "с рюкзаком", "with a backpack", "背着双肩包"
            names, article = garment[1], garment[2]
            word = names.get(key) and ((names.get("zh_verb") or "带着") + names[key] if base == "zh" else names[key])
            carried.append(f"{article_for(word)} {word}" if word and base == "en" and article else word)
            continue
        if base == "ru":  # said after "в": "в красной куртке и синих джинсах"
            said.append(_ru(colour, garment))
            continue
        _where, names, article, _ru_word = garment
        if not names.get(key) or (colour and not colour.get(key)):
            return None
        text = (colour[key] if colour else "") + ("" if base == "zh" or not colour else " ") + names[key]
        if base == "en" and article:
            text = f"{article_for(text)} {text}"
        said.append(text)
    if any(s is None for s in said + carried):
        return None
    out = _listed(said, base)
    if carried:
        out = (out + WITH[base] if out else WITH[base].lstrip("，, ")) + (
            "，".join(carried) if base == "zh" else _listed(carried, base))
    return ru_with(out) if base == "ru" else out


def _listed(said: list[str], base: str) -> str:
    return AND[base].join(said) if len(said) < 3 else (("，" if base == "zh" else ", ").join(said[:-1])
                                                         + AND[base] + said[-1])


def options(lang: str, words: Words | None = None) -> dict:
    """The pick-lists in the UI language: colours, garments by where they are worn, height bands and hair
    (broadcaster.paging.looks); a venue word without a name in the UI language shows its first name."""
    return {"colours": listed(COLOURS, "colour", lang, words),
            **{where: [(g, shown({k: v for k, v in _garment(g, words)[1].items() if k != "zh_verb"}, lang))
                       for g in garments(where, words)]
               for where in ("top", "bottom", "shoes", "accessory")},
            **{kind: look_options(kind, lang, words) for kind in ("height", "hair")}}


# -- English: "a" or "an" by the sound of the next word ("an orange umbrella", "a uniform", "an ID card") --
_SAID_WITH_A = ("uni", "use", "usu", "uti", "eu", "one", "once", "ur")  # a vowel letter, a consonant sound
_SILENT_H = ("hour", "honest", "honour", "heir")


def article_for(word: str) -> str:
    """"a" or "an" before ``word`` as English says it."""
    m = re.match(r"[A-Za-z]+", (word or "").strip())
    token = m[0] if m else ""
    if not token:
        return "a"
    if len(token) > 1 and token.isupper():  # an initialism, said letter by letter
        return "an" if token[0] in "AEFHILMNORSX" else "a"
    low = token.lower()
    if low.startswith(_SILENT_H):
        return "an"
    if low.startswith(_SAID_WITH_A):
        return "a"
    return "an" if low[0] in "aeiou" else "a"


_ARTICLE = re.compile(r"(?:(?<=^)|(?<=[.!?:;] ))(A|An)(?= (\w))|(?<![\w'-])(a|an)(?= (\w+))")


def en_articles(text: str) -> str:
    """An English text composed from pick-list words with each "a"/"an" as its next word is said
    ("Lost property: a orange umbrella" -> "an orange umbrella"); a capital "A" only at a sentence's start."""
    def fix(m: re.Match) -> str:
        said = text[m.end() + 1:].split(" ", 1)[0]
        right = article_for(said)
        return right.capitalize() if (m[1] or m[3])[0] == "A" else right
    return _ARTICLE.sub(fix, text)


# -- a description typed in words of the lists: "红色外套和蓝色牛仔裤", "a red jacket and blue jeans" ------------
_ZH_JOINS = re.compile(r"[和与及，,、；;\s]+")
_ZH_VERBS = re.compile(r"^(?:身穿|穿着|穿|脚穿|" + "|".join(ZH_VERBS) + ")")
_EN_JOINS = re.compile(r"\s*(?:,|;|\band\b|\bwith\b|\bwearing\b)\s*", re.IGNORECASE)
_EN_ARTICLE = re.compile(r"^(?:a|an|the|some|a pair of|pair of)\s+", re.IGNORECASE)


def _named(words: Words | None) -> tuple[dict[str, str], dict[str, str]]:
    """(colour name -> key, garment or accessory name -> key) in Chinese and English, built in and the venue's."""
    colours = {n.lower(): k for k, names in COLOURS.items() for n in names.values()}
    things = {n.lower(): k for k, (_w, names, _a) in GARMENTS.items() for n in names.values()}
    things |= {n.lower(): k for k, (names, _a) in ACCESSORIES.items() for lang, n in names.items() if lang != "zh_verb"}
    for k, w in (words or {}).items():
        into = colours if w["kind"] == "colour" else things if w["kind"] in ("top", "bottom", "shoes", "accessory") else None
        if into is not None:
            into.update({n.lower(): k for lang, n in w["names"].items() if lang in ("zh-CN", "en") and n})
    colours |= {n[:-1]: k for n, k in list(colours.items()) if n.endswith("色") and len(n) >= 2}  # "红色" said "红"…
    return colours, things


def typed_as_listed(value: str | None, words: Words | None = None) -> str | None:
    """A description typed in Chinese or English words of the lists as it is stored ("红色外套和蓝色牛仔裤" ->
    "red jacket, blue jeans"), so every page language says it in its own words; None when a word is not in
    the lists (the desk then gives it in each page language)."""
    text = " ".join((value or "").split()).lower()
    if not text:
        return None
    colours, things = _named(words)
    cjk = re.search(r"[\u3400-\u9fff]", text) is not None
    parts = [p for p in (_ZH_JOINS if cjk else _EN_JOINS).split(text) if p]
    out = []
    for part in parts:
        part = _ZH_VERBS.sub("", part) if cjk else _EN_ARTICLE.sub("", part)
        thing = next((n for n in sorted(things, key=len, reverse=True) if part.endswith(n)), None)
        if thing is None:
            return None
        colour = part[:-len(thing)].strip()
        colour = colour.removesuffix("的") if cjk else colour
        if colour and colour not in colours:
            return None
        out.append(f"{colours[colour]} {things[thing]}" if colour else things[thing])
    return ", ".join(out) or None
