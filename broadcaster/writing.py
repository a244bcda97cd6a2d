"""Which script each language is written in, and the check that a text is written in its language's
script: the speech engines spell a word of another script out letter by letter, or stall on it."""
from __future__ import annotations

import unicodedata

#: The scripts a language is written in (the first word of a letter's Unicode name), and how staff are
#: told to write it. A language not named here is not checked.
SCRIPTS: dict[str, tuple[tuple[str, ...], str]] = {
    "zh": (("CJK",), "write it in Chinese characters only"),
    "yue": (("CJK",), "write it in Chinese characters only"),
    "en": (("LATIN",), "write it in English only"),
    "ru": (("CYRILLIC",), "write it in Russian only"),
    "uk": (("CYRILLIC",), "write it in Cyrillic letters only"),
    "ja": (("CJK", "HIRAGANA", "KATAKANA"), "write it in Japanese script only"),
    "ko": (("HANGUL", "CJK"), "write it in Korean script only"),
    "th": (("THAI",), "write it in Thai script only"),
    "ar": (("ARABIC",), "write it in Arabic script only"),
    "he": (("HEBREW",), "write it in Hebrew script only"),
    "el": (("GREEK",), "write it in Greek letters only"),
    "hi": (("DEVANAGARI",), "write it in Devanagari only"),
    **{lang: (("LATIN",), "write it in Latin letters only") for lang in (
        "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "nb", "no", "fi", "cs", "sk", "hu", "ro", "tr",
        "vi", "id", "ms", "ca", "hr", "sl", "et", "lv", "lt")},
}
#: Scripts told apart: a letter of one of these in a language written in another is refused.
_KNOWN = {"LATIN", "CYRILLIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "ARABIC", "HEBREW", "GREEK",
          "DEVANAGARI", "BENGALI", "TAMIL", "TELUGU", "GEORGIAN", "ARMENIAN", "LAO", "KHMER", "MYANMAR",
          "ETHIOPIC", "GUJARATI", "GURMUKHI", "KANNADA", "MALAYALAM", "SINHALA", "TIBETAN"}


def script_problem(lang: str, text: str) -> str | None:
    """Why ``text`` is not written in ``lang``'s script (None when it is): a letter of another script
    (a Chinese text has no Latin, Cyrillic or Thai words, an English text no Chinese, Cyrillic or
    Thai...); the speech engines would spell it out letter by letter, or stall on it. Digits,
    punctuation and full-width forms pass; a language not in SCRIPTS is not checked."""
    base = lang.split("-")[0].lower()
    if base not in SCRIPTS:
        return None
    allowed, why = SCRIPTS[base]
    for ch in set(text):
        if ch.isalpha() and ch not in "µªº":
            script = unicodedata.name(ch, "").split(" ")[0]
            if script in _KNOWN and script not in allowed:
                return why
    return None
