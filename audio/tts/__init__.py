"""Text-to-speech engines behind one interface: ``engine.synthesize(text, lang) -> Pcm``.

Engines: ``piper`` (neural, offline), ``espeak`` (espeak-ng from espeakng-loader, offline, many
languages incl. Mandarin and Cantonese), ``gtts`` (Google, online, with a timeout).
"""
from audio.tts.base import EngineChain, Speech, TTSEngine, TTSError
from audio.tts.chain import default_chain

__all__ = ["EngineChain", "Speech", "TTSEngine", "TTSError", "default_chain"]
