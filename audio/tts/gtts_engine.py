"""Google TTS (online). Always with a timeout, into memory; nothing is written unless it succeeded."""
from __future__ import annotations

import io
import os

import soundfile as sf

from audio.pcm import Pcm
from audio.tts.base import TTSEngine, TTSError

_LANGS = {"zh-CN": "zh", "yue": "yue", "en": "en", "ru": "ru", "ja": "ja", "ko": "ko", "fr": "fr",
          "de": "de", "es": "es"}


class GTTSEngine(TTSEngine):
    name = "gtts"

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def voice_for(self, lang: str) -> str | None:
        return _LANGS.get(lang)

    def available(self) -> bool:
        """Off when ``PA_GTTS_DISABLED`` is set (no internet, or the venue forbids online TTS)."""
        return os.environ.get("PA_GTTS_DISABLED", "").strip().lower() not in ("1", "true", "yes")

    def unavailable_reason(self) -> str:
        return "turned off by PA_GTTS_DISABLED"

    def synthesize(self, text: str, lang: str) -> Pcm:
        from gtts import gTTS

        buf = io.BytesIO()
        try:
            gTTS(text=text, lang=_LANGS[lang], timeout=self.timeout).write_to_fp(buf)
        except Exception as exc:  # gTTSError, requests errors, timeouts
            raise TTSError(f"gTTS unavailable: {exc}") from exc
        buf.seek(0)
        try:
            data, rate = sf.read(buf, dtype="float32", always_2d=False)
        except Exception as exc:
            raise TTSError(f"gTTS returned audio that cannot be decoded: {exc}") from exc
        return Pcm(data, rate)
