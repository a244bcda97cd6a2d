"""The desk's pick-lists for describing a person, each word in every page language, so a page never
mixes languages: colours and garments (a description is stored as its English words, "red jacket, blue
jeans", and said in each page language), and the venue's places (broadcaster.venue), named by the venue
in each of its languages."""
from __future__ import annotations

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


def _ru(colour: str | None, garment: str) -> str:
    word, gender = RU_GARMENTS[garment]
    return f"{RU_COLOURS[colour][_RU_FORM[gender]]} {word}" if colour else word


def garments(where: str) -> list[str]:
    return [g for g, (w, _words, _a) in GARMENTS.items() if w == where]


def compose(pairs: list[tuple[str | None, str | None]]) -> str | None:
    """The stored description of (colour, garment) picks: "red jacket, blue jeans" (a garment without a
    colour is said alone; unknown words are refused)."""
    from broadcaster.errors import ValidationError

    items = []
    for colour, garment in pairs:
        if not garment:
            continue
        if garment not in GARMENTS or (colour and colour not in COLOURS):
            raise ValidationError("clothing: choose the colour and the garment from the lists")
        items.append(f"{colour} {garment}" if colour else garment)
    return ", ".join(items) or None


def _item(words: list[str]) -> tuple[str | None, str] | None:
    if len(words) == 1 and words[0] in GARMENTS:
        return None, words[0]
    if len(words) == 2 and words[0] in COLOURS and words[1] in GARMENTS:
        return words[0], words[1]
    return None


def say(value: str, lang: str) -> str | None:
    """A stored description in ``lang`` ("red jacket, blue jeans" -> "红色外套和蓝色牛仔裤", "a red jacket
    and blue jeans"), or None when it is not made of pick-list words (typed by hand)."""
    base = lang.split("-")[0].lower()
    items = [_item(part.strip().lower().split()) for part in (value or "").split(",") if part.strip()]
    if not items or any(i is None for i in items) or base not in AND:
        return None
    said = []
    for colour, garment in items:
        if base == "ru":  # said after "в": "в красной куртке и синих джинсах"
            said.append(_ru(colour, garment))
            continue
        _where, words, article = GARMENTS[garment]
        key = "zh-CN" if base == "zh" else "en"
        text = (COLOURS[colour][key] if colour else "") + ("" if base == "zh" or not colour else " ") + words[key]
        if base == "en" and article:
            text = ("an " if text[0] in "aeiou" else "a ") + text
        said.append(text)
    return AND[base].join(said) if len(said) < 3 else (("，" if base == "zh" else ", ").join(said[:-1])
                                                         + AND[base] + said[-1])


def options(lang: str) -> dict:
    """The pick-lists in the UI language: colours, and garments by where they are worn."""
    key = "zh-CN" if lang.startswith("zh") else "en"
    return {"colours": [(c, w[key]) for c, w in COLOURS.items()],
            **{where: [(g, GARMENTS[g][1][key]) for g in garments(where)] for where in ("top", "bottom", "shoes")}}
