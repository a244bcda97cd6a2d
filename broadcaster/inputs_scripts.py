"""What the API's schema says of a script's text in each language: the letters of that language's
script only (an English text has no Chinese or Cyrillic letters...), as the check when it is written
refuses (``broadcaster.venue.script_problem``). Narrower than the check, never wider, so a request the
schema allows is one the service takes (tests/web/test_api_fuzz.py). ``chars``/``letters``: what the
schema allows of any text (broadcaster.inputs)."""
from __future__ import annotations

import re

from broadcaster.writing import SCRIPTS

#: The letters of each script among the characters the schema allows at all (SCHEMA_CHARS).
_SCRIPT_LETTERS = {
    "LATIN": [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F)],
    "GREEK": [(0x370, 0x3FF)],
    "CYRILLIC": [(0x400, 0x52F)],
    "HIRAGANA": [(0x3041, 0x309F)],
    "KATAKANA": [(0x30A0, 0x30FF)],
    "CJK": [(0x3400, 0x4DBF), (0x4E00, 0x9FFF)],
    "HANGUL": [(0xAC00, 0xD7A3)],
}
_ITEM = re.compile(r"(\\u[0-9a-fA-F]{4}|.)(?:-(\\u[0-9a-fA-F]{4}|.))?")


def _ranges(chars: str) -> list[tuple[int, int]]:
    """A regular expression's character-class body (``\\u0020-\\u007e0-9``) as code point ranges."""
    def code(token: str) -> int:
        return int(token[2:], 16) if token.startswith("\\u") else ord(token)
    return [(code(a), code(b or a)) for a, b in _ITEM.findall(chars)]


def _without(ranges: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for low, high in ranges:
        pieces = [(low, high)]
        for c_low, c_high in cut:
            pieces = [p for a, b in pieces for p in ((a, min(b, c_low - 1)), (max(a, c_high + 1), b)) if p[0] <= p[1]]
        out += pieces
    return out


def _cls(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


def language_pattern(lang: str, chars: str, letters: str) -> str | None:
    """The pattern of a multi-line, spoken text in ``lang`` of the schema's ``chars`` with one of its
    ``letters`` (None: its script is not checked)."""
    scripts = SCRIPTS.get(lang.split("-")[0].lower())
    if scripts is None:
        return None
    cut = [r for name, rs in _SCRIPT_LETTERS.items() if name not in scripts[0] for r in rs]
    char = f"[{_cls(_without(_ranges(chars), cut))}\\r\\t\\n]"
    return f"^{char}*[{_cls(_without(_ranges(letters), cut))}]{char}*$"


def texts_in_their_scripts(limit: int, chars: str, letters: str):
    """A model's ``json_schema_extra``: each language's text of ``texts`` in its own script."""
    def extra(schema: dict, _model) -> None:
        texts = schema.get("properties", {}).get("texts", {})
        names = texts.get("propertyNames", {}).get("enum", [])
        said = {lang: pattern for lang in names if (pattern := language_pattern(lang, chars, letters))}
        texts["properties"] = {lang: {"type": "string", "minLength": 1, "maxLength": limit, "pattern": pattern}
                               for lang, pattern in said.items()}
    return extra


def said_in_their_scripts(chars: str, letters: str):
    """A model's ``json_schema_extra``: each of its fields a detail by language (``{"zh-CN": "黄色雨衣", "en":
    "yellow raincoat"}``), each language's words in its own script on one line."""
    def extra(schema: dict, _model) -> None:
        for said in schema.get("properties", {}).values():
            said = next((a for a in said.get("anyOf", [said]) if a.get("type") == "object"), None)
            if said is None:
                continue
            limit = next(iter((said.get("patternProperties") or {}).values()), {}).get("maxLength", 120)
            names = said.get("propertyNames", {}).get("enum", [])
            said["properties"] = {lang: {"type": "string", "minLength": 1, "maxLength": limit,
                                         "pattern": pattern.replace("\\r\\t\\n]", "\\r]")}
                                  for lang in names if (pattern := language_pattern(lang, chars, letters))}
    return extra
