"""Generated chimes, one per priority class, so staff recognise what follows by ear.

emergency: insistent alternating two-tone, repeated; urgent_page: rising four-note; announcement:
classic rising three-note; programme: soft two-note; end: falling two-note."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from audio.pcm import SAMPLE_RATE, AudioError, Pcm

# (frequency Hz, seconds) per note; notes ring with a bell-like envelope
_PATTERNS: dict[str, list[tuple[float, float]]] = {
    "emergency": [(960.0, 0.22), (770.0, 0.22)] * 3,
    "urgent_page": [(523.25, 0.28), (659.25, 0.28), (783.99, 0.28), (1046.5, 0.5)],
    "announcement": [(523.25, 0.38), (659.25, 0.38), (783.99, 0.7)],
    "programme": [(587.33, 0.4), (880.0, 0.7)],
    "end": [(783.99, 0.38), (523.25, 0.7)],
}
KINDS = tuple(_PATTERNS)


def _note(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    attack = np.minimum(1.0, t / 0.008)
    decay = np.exp(-3.0 * t / max(seconds, 1e-3))
    tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2 * freq * t) + 0.1 * np.sin(2 * np.pi * 3 * freq * t)
    return tone * attack * decay


@lru_cache(maxsize=16)
def chime(kind: str = "announcement", rate: int = SAMPLE_RATE, level: float = 0.5) -> Pcm:
    """The chime for a priority class (``emergency``, ``urgent_page``, ``announcement``, ``programme``)
    or ``end``. Deterministic."""
    try:
        pattern = _PATTERNS[kind]
    except KeyError:
        raise AudioError(f"unknown chime {kind!r}; use one of {', '.join(KINDS)}") from None
    x = np.concatenate([_note(f, s, rate) for f, s in pattern])
    x = x / np.max(np.abs(x)) * level
    return Pcm(x.astype(np.float32), rate)
