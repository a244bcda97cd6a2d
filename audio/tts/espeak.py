"""espeak-ng through the library shipped by ``espeakng-loader`` (ctypes). Offline; Mandarin (cmn),
Cantonese (yue), Russian, English and many more. The library is a global singleton: one lock.

The same text in the same voice at the same rate gives the same samples, in every call and every
process: espeak-ng's wave generator carries state from one utterance to the next (the pitch flutter's
place in its table and the roughness's cycle count, statics that nothing resets), so every voice speaks
with our variant ``pa-steady`` (no flutter, no roughness: the same phonemes, pitch contour and length),
and the noise generator is seeded before each utterance. The variant lives in a data directory of our
own under the var dir (links to the package's data, and the variant beside them)."""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np

from audio.pcm import Pcm
from audio.tts.base import TTSEngine, TTSError

_VOICES = {"zh-CN": "cmn", "yue": "yue", "en": "en-us", "ru": "ru", "ja": "ja", "ko": "ko",
           "fr": "fr", "de": "de", "es": "es"}

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
#: espeak-ng's per-utterance randomness off: no pitch flutter, no roughness (``voices/!v/pa-steady``)
VARIANT, _VARIANT_TEXT = "pa-steady", "language variant\nname pa-steady\nflutter 0\nroughness 8\n"
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
            lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
            home = _data_dir(Path(espeakng_loader.get_data_path()))
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(home).encode(), 0)
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


def _data_dir(package: Path) -> Path:
    """espeak-ng's data with our variant: links to every entry of the package's data but ``voices``,
    made of links to its own but ``!v``, which holds only our variant. Made once per package data and
    variant (an atomic rename: processes starting together share one), under the var dir (else the
    temporary directory, when the var dir cannot be written)."""
    names = [p.name for p in package.iterdir()] + [p.name for p in (package / "voices").iterdir()]
    key = hashlib.sha256("\n".join([str(package), _VARIANT_TEXT, *sorted(names)]).encode()).hexdigest()[:12]
    var = Path(os.environ.get("PA_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    for root in (var / "espeak-ng", Path(tempfile.gettempdir()) / f"pa-espeak-ng-{os.getuid()}"):
        home = root.resolve() / key
        if (home / "voices" / "!v" / VARIANT).is_file():
            return home
        try:
            root.mkdir(parents=True, exist_ok=True)
            made = Path(tempfile.mkdtemp(dir=root, prefix=".new-"))
        except OSError:
            continue
        for p in package.iterdir():
            if p.name != "voices":
                (made / p.name).symlink_to(p)
        (made / "voices" / "!v").mkdir(parents=True)
        for p in (package / "voices").iterdir():
            if p.name != "!v":
                (made / "voices" / p.name).symlink_to(p)
        (made / "voices" / "!v" / VARIANT).write_text(_VARIANT_TEXT)
        try:
            made.rename(home)
        except OSError:  # another process made it first: theirs is the same
            shutil.rmtree(made)
        return home
    raise TTSError("espeak-ng: no directory to hold its data")


class EspeakEngine(TTSEngine):
    name = "espeak"

    def __init__(self, rate_wpm: int = 150) -> None:
        self.rate_wpm = rate_wpm
        self.options = f"wpm={rate_wpm} {VARIANT}"  # in the render cache's key: earlier renders differed

    def voice_for(self, lang: str) -> str | None:
        return _VOICES.get(lang)

    def synthesize(self, text: str, lang: str) -> Pcm:
        voice = self.voice_for(lang)
        if voice is None:
            raise TTSError(f"espeak-ng has no voice for {lang}")
        data = text.encode("utf-8")
        with _Library.lock:
            lib = _Library.get()
            if lib.espeak_SetVoiceByName(f"{voice}+{VARIANT}".encode()) != 0:
                raise TTSError(f"espeak-ng cannot load voice {voice}")
            lib.espeak_SetParameter(1, self.rate_wpm, 0)  # espeakRATE
            lib.espeak_ng_SetRandSeed(1)  # breath noise: the same sequence every utterance
            _Library.chunks = []
            rc = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            chunks, _Library.chunks = _Library.chunks, []
        if rc != 0:
            raise TTSError(f"espeak-ng synthesis failed ({rc})")
        if not chunks:  # nothing it could say: the chain refuses the text (the engine is not down)
            return Pcm(np.zeros(0, np.float32), _Library.rate)
        return Pcm.from_int16(np.concatenate(chunks), _Library.rate)
