"""The engine interface and the per-language fallback chain."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass

from audio.pcm import AudioError, Pcm
import numpy as np

from audio.text import (LANGUAGES, EmptyText, Unspeakable, UnsupportedLanguage, min_speech_seconds, normalize_lang,
                        speakable)

log = logging.getLogger(__name__)


class TTSError(AudioError):
    """An engine failed to speak (down, timed out, broken voice)."""


class TooLittleSpeech(TTSError):
    """Every engine that answered spoke much less than the text implies (it left part of it out): the
    text's fault, not the engines'. ``lang`` names the part."""

    def __init__(self, lang: str, message: str) -> None:
        self.lang = lang
        super().__init__(message)


@dataclass(frozen=True)
class Speech:
    pcm: Pcm
    engine: str  # "piper:en_US-joe-medium", "espeak:cmn", "gtts:zh-CN"


class TTSEngine:
    """One TTS engine. ``voice_for`` says which voice speaks a language (None: cannot)."""

    name = "engine"
    #: Options that change the audio; part of the cache key.
    options: str = ""

    def voice_for(self, lang: str) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def synthesize(self, text: str, lang: str) -> Pcm:  # pragma: no cover - interface
        raise NotImplementedError

    def available(self) -> bool:
        return True

    def warm(self, lang: str) -> None:
        """Make ready to speak ``lang`` now (load its voice), so the first text does not wait for it."""

    def unavailable_reason(self) -> str:
        """Why ``available()`` is False, in a few words."""
        return "not available on this machine"


def sounding_seconds(pcm: Pcm) -> float:
    """From the first to the last sample louder than 2 % of the peak (engine padding left out)."""
    if len(pcm) == 0 or pcm.peak == 0.0:
        return 0.0
    loud = np.flatnonzero(np.abs(pcm.samples) > 0.02 * pcm.peak)
    return (loud[-1] - loud[0] + 1) / pcm.rate


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _attempt(engine: TTSEngine, text: str, lang: str, timeout: float) -> Pcm:
    """Run one synthesis in its own daemon thread and wait at most ``timeout`` seconds. A hung engine
    keeps only its own thread busy, so it can never starve the fallback engines."""
    fut: Future[Pcm] = Future()

    def run() -> None:
        try:
            fut.set_result(engine.synthesize(text, lang))
        except BaseException as exc:  # handed to the caller
            fut.set_exception(exc)

    threading.Thread(target=run, name=f"tts-{engine.name}", daemon=True).start()
    return fut.result(timeout=timeout)


class EngineChain:
    """Per language, engines in order of preference. ``speak`` tries each within ``timeout`` seconds
    and falls back to the next; the result says which engine spoke."""

    def __init__(self, engines: list[TTSEngine], order: dict[str, list[str]] | None = None,
                 timeout: float = 8.0, retry_after: float = 60.0) -> None:
        self.engines = {e.name: e for e in engines}
        self.order = order or {}
        self.timeout = timeout
        self.retry_after = retry_after  # a failed engine is skipped this long (unless it is the last one)
        self.failures: dict[str, str] = {}  # engine name -> last error (engine health)
        self._down_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def _names(self, lang: str) -> list[str]:
        """The names of the engines the chain tries for ``lang``, in order."""
        return self.order.get(lang) or self.order.get("*") or list(self.engines)

    def candidates(self, lang: str) -> list[tuple[TTSEngine, str]]:
        """(engine, voice) in the chain's order for ``lang``; UnsupportedLanguage naming every engine
        of the chain and why it cannot speak ``lang`` when none can."""
        lang = normalize_lang(lang)
        names = self._names(lang)
        out, why = [], []
        for name in names:
            engine = self.engines.get(name)
            if engine is None:
                why.append(f"{name}: not an engine here")
            elif not engine.available():
                why.append(f"{name}: {engine.unavailable_reason()}")
            else:
                voice = engine.voice_for(lang)
                if voice is None:
                    why.append(f"{name}: has no {lang} voice")
                else:
                    out.append((engine, voice))
        if not out:
            others = [x for x in self.languages() if x != lang]
            able = [e.name for n, e in self.engines.items() if n not in names and e.available() and e.voice_for(lang)]
            hint = f"; {', '.join(able)} could: add it to the order for {lang}" if able else ""
            raise UnsupportedLanguage(f"no engine can speak {lang!r}; tried " + "; ".join(why) + hint
                                      + (f" (languages this machine speaks: {', '.join(others)})" if others else ""))
        return out

    def languages(self) -> list[str]:
        """Languages the chain can speak: an engine in the chain's order for that language is
        available and has a voice for it."""
        return [lang for lang in LANGUAGES
                if any(e.available() and e.voice_for(lang) for e in map(self.engines.get, self._names(lang)) if e)]

    def warm(self, languages) -> None:
        """Each language's first engine made ready (its voice loaded)."""
        for lang in languages:
            try:
                lang = normalize_lang(lang)
                for engine, _ in self.candidates(lang)[:1]:
                    engine.warm(lang)
            except Exception as exc:  # speaking will try again, and fall back (or say why it cannot)
                log.warning("TTS: could not prepare %s: %s", lang, exc)

    def speak(self, text: str, lang: str) -> Speech:
        if not text or not text.strip():
            raise EmptyText(f"nothing to say in {lang!r}: the text is empty")
        lang = normalize_lang(lang)
        if not speakable(text):
            raise Unspeakable(lang, text)
        least = min_speech_seconds(text)
        errors, short = [], 0
        candidates = self.candidates(lang)
        now = time.monotonic()
        with self._lock:
            live = [c for c in candidates if self._down_until.get(c[0].name, 0) <= now]
        for engine, voice in live or candidates:
            try:
                pcm = _attempt(engine, text, lang, self.timeout)
            except FutureTimeout:
                errors.append(f"{engine.name}: no answer within {self.timeout:g} s")
            except Exception as exc:  # engine down: record, fall back
                errors.append(f"{engine.name}: {exc}")
            else:
                sounding = sounding_seconds(pcm)
                if sounding < least or sounding == 0.0:  # this text, not the engine: no health mark
                    short += 1
                    errors.append(f"{engine.name}: produced no audio" if sounding == 0.0 else
                                  f"{engine.name}: spoke {sounding:.1f} s, too short for this text "
                                  f"(at least {least:.1f} s): it left part of it out")
                    log.warning("TTS fallback for %s: %s", lang, errors[-1])
                    continue
                with self._lock:
                    self.failures.pop(engine.name, None)
                    self._down_until.pop(engine.name, None)
                return Speech(pcm, f"{engine.name}:{voice}")
            with self._lock:
                self.failures[engine.name] = errors[-1]
                self._down_until[engine.name] = time.monotonic() + self.retry_after
            log.warning("TTS fallback for %s: %s", lang, errors[-1])
        message = f"no engine could speak the {lang} text {_short(text)!r}: " + "; ".join(errors)
        raise TooLittleSpeech(lang, message) if short and short == len(errors) else TTSError(message)


#: Default engine order per language: the online voice first where it is allowed (it checks
#: PA_GTTS_DISABLED itself), piper for English and any dropped-in voice, espeak-ng always last.
DEFAULT_ORDER: dict[str, list[str]] = {
    "en": ["piper", "espeak", "gtts"],
    "zh-CN": ["gtts", "piper", "espeak"],
    "yue": ["gtts", "espeak"],
    "ru": ["gtts", "piper", "espeak"],
    "*": ["piper", "gtts", "espeak"],
}
ENGINE_NAMES = ("piper", "espeak", "gtts")


def parse_order(spec: str) -> dict[str, list[str]]:
    """``"en=piper,espeak; zh-CN=gtts,espeak"`` -> order dict (the format of ``PA_TTS_CHAIN``)."""
    order: dict[str, list[str]] = {}
    for item in filter(None, (x.strip() for x in spec.split(";"))):
        lang, sep, names = item.partition("=")
        engines = [n.strip() for n in names.split(",") if n.strip()]
        if not sep or not engines:
            raise TTSError(f"bad engine chain entry {item!r}; expected LANG=ENGINE[,ENGINE...]")
        unknown = [n for n in engines if n not in ENGINE_NAMES]
        if unknown:
            raise TTSError(f"unknown TTS engine {unknown[0]!r} in {item!r}; engines: {', '.join(ENGINE_NAMES)}")
        order["*" if lang.strip() == "*" else normalize_lang(lang)] = engines
    return order
