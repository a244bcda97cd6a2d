"""espeak-ng through the library shipped by ``espeakng-loader`` (ctypes). Offline; Mandarin (cmn),
Cantonese (yue), Russian, English and many more. The library is a global singleton: one lock."""
from __future__ import annotations

import ctypes
import threading

import numpy as np

from audio.pcm import Pcm
from audio.tts.base import TTSEngine, TTSError

_VOICES = {"zh-CN": "cmn", "yue": "yue", "en": "en-us", "ru": "ru", "ja": "ja", "ko": "ko",
           "fr": "fr-fr", "de": "de", "es": "es"}

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Library:
    lock = threading.Lock()
    lib = None
    rate = 0
    chunks: list[np.ndarray] = []

    @classmethod
    def get(cls):
        if cls.lib is None:
            import espeakng_loader

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                         ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
            lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
            if rate <= 0:
                raise TTSError(f"espeak-ng failed to initialise ({rate})")
            cls.callback = _CALLBACK(cls._on_audio)  # keep a reference: C holds the pointer
            lib.espeak_SetSynthCallback(cls.callback)
            cls.lib, cls.rate = lib, rate
        return cls.lib

    @classmethod
    def _on_audio(cls, wav, n, _events) -> int:
        if n > 0:
            cls.chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0


class EspeakEngine(TTSEngine):
    name = "espeak"

    def __init__(self, rate_wpm: int = 150) -> None:
        self.rate_wpm = rate_wpm
        self.options = f"wpm={rate_wpm}"

    def voice_for(self, lang: str) -> str | None:
        return _VOICES.get(lang)

    def synthesize(self, text: str, lang: str) -> Pcm:
        voice = self.voice_for(lang)
        if voice is None:
            raise TTSError(f"espeak-ng has no voice for {lang}")
        data = text.encode("utf-8")
        with _Library.lock:
            lib = _Library.get()
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise TTSError(f"espeak-ng cannot load voice {voice}")
            lib.espeak_SetParameter(1, self.rate_wpm, 0)  # espeakRATE
            _Library.chunks = []
            rc = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            chunks, _Library.chunks = _Library.chunks, []
        if rc != 0:
            raise TTSError(f"espeak-ng synthesis failed ({rc})")
        if not chunks:  # nothing it could say: the chain refuses the text (the engine is not down)
            return Pcm(np.zeros(0, np.float32), _Library.rate)
        return Pcm.from_int16(np.concatenate(chunks), _Library.rate)
