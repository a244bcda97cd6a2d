"""Language tags and sentence splitting for speech."""
from __future__ import annotations

import re

from audio.pcm import AudioError


class UnsupportedLanguage(AudioError):
    """No engine can speak this language."""


class EmptyText(AudioError):
    """Nothing to say."""


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
