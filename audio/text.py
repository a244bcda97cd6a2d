"""Language tags and sentence splitting for speech."""
from __future__ import annotations

import re
import unicodedata

from audio.pcm import AudioError


class UnsupportedLanguage(AudioError):
    """No engine can speak this language."""


class EmptyText(AudioError):
    """Nothing to say."""


class Unspeakable(EmptyText):
    """A part of the text has nothing an engine can speak (only emoji, punctuation, symbols or
    control characters). ``lang`` names the part."""

    def __init__(self, lang: str, text: str) -> None:
        self.lang, self.text = lang, text
        shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text.strip())[:40]
        super().__init__(f"the {lang} text has nothing that can be spoken (only emoji, punctuation, symbols or "
                         f'control characters): "{shown}"')


#: Floor on how long speech lasts, per letter or digit (CJK ideographs and kana count as syllables).
#: About a third of the fastest engine here (piper en ~0.065 s a letter, espeak cmn ~0.3 s a syllable).
MIN_S_PER_LETTER = 0.025
MIN_S_PER_SYLLABLE = 0.1


def _is_syllabic(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"


def speakable(text: str) -> str:
    """The letters and digits of ``text`` (what an engine can say), in order."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def clean_text(text: str) -> str:
    """Control and invisible format characters removed (never spoken); line breaks become spaces."""
    return "".join(" " if c in "\r\n\t" else c for c in text
                   if c in "\r\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))


def min_speech_seconds(text: str) -> float:
    """The least sound (seconds) speech of ``text`` can last; an engine giving less left part out."""
    letters = speakable(text)
    syllables = sum(1 for c in letters if _is_syllabic(c))
    return syllables * MIN_S_PER_SYLLABLE + (len(letters) - syllables) * MIN_S_PER_LETTER


#: Canonical language -> accepted spellings (case-insensitive, '_' or '-').
_ALIASES = {
    "zh-CN": ["zh", "zh-cn", "zh-hans", "zh-hans-cn", "cmn", "cmn-cn", "mandarin", "zh-sg"],
    "yue": ["yue", "zh-hk", "zh-yue", "cantonese", "zh-mo"],
    "en": ["en", "en-us", "en-gb", "eng", "english"],
    "ru": ["ru", "ru-ru", "rus", "russian"],
    "ja": ["ja", "ja-jp"],
    "ko": ["ko", "ko-kr"],
    "fr": ["fr", "fr-fr"],
    "de": ["de", "de-de"],
    "es": ["es", "es-es"],
}
_LOOKUP = {alias: canon for canon, aliases in _ALIASES.items() for alias in aliases}
LANGUAGES = tuple(_ALIASES)


def normalize_lang(tag: str) -> str:
    """Canonical language code for a tag ("zh_CN", "cmn", "zh-Hans" -> "zh-CN"; "en-GB" -> "en")."""
    key = (tag or "").strip().lower().replace("_", "-")
    if key in _LOOKUP:
        return _LOOKUP[key]
    base = key.split("-")[0]
    if base in _LOOKUP and base != "zh":
        return _LOOKUP[base]
    raise UnsupportedLanguage(f"unsupported language {tag!r}; supported: {', '.join(LANGUAGES)}")


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])\s*|(?<=[.])\s+")
_CLAUSE = re.compile(r"(?<=[，、,：:])\s*")


def split_sentences(text: str, max_chars: int = 200) -> list[str]:
    """Split at sentence ends (。！？ .!?), then at commas for anything still over ``max_chars``,
    then hard-wrap. Empty pieces are dropped."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= max_chars:
            out.append(sentence)
            continue
        piece = ""
        for clause in _CLAUSE.split(sentence):
            if piece and len(piece) + len(clause) > max_chars:
                out.append(piece.strip())
                piece = ""
            piece += clause
            while len(piece) > max_chars:
                out.append(piece[:max_chars].strip())
                piece = piece[max_chars:]
        if piece.strip():
            out.append(piece.strip())
    return out
