"""The venue's engine chain: piper, espeak-ng and gTTS, in the order per language (engines import the
base, this module imports the engines: no import circle)."""
from __future__ import annotations

import os

from audio.tts.base import DEFAULT_ORDER, EngineChain, TTSEngine, parse_order
from audio.tts.espeak import EspeakEngine
from audio.tts.gtts_engine import GTTSEngine
from audio.tts.piper_engine import PiperEngine


def default_chain(voices_dir: str | None = None, timeout: float = 8.0,
                  order: dict[str, list[str]] | None = None) -> EngineChain:
    """piper, espeak-ng and gTTS in ``order`` (default: DEFAULT_ORDER overridden per language by
    ``PA_TTS_CHAIN``)."""
    engines: list[TTSEngine] = [PiperEngine(voices_dir), EspeakEngine(), GTTSEngine(timeout=min(timeout, 5.0))]
    if order is None:
        order = {**DEFAULT_ORDER, **parse_order(os.environ.get("PA_TTS_CHAIN", ""))}
    return EngineChain(engines, order, timeout)
