"""Equal-power crossfades between music tracks, with a look-ahead limiter so the overlap never clips."""
from __future__ import annotations

import numpy as np

from audio.dsp import mean_filter, min_filter
from audio.pcm import SAMPLE_RATE, AudioError, Pcm

LIMITER_WINDOW_S = 0.005


def _limit(mix: np.ndarray, rate: int) -> np.ndarray:
    """Smooth gain so |mix| <= 1 everywhere (min-filter then average of the same width never exceeds
    the per-sample requirement), instead of hard clipping."""
    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    if peak <= 1.0:
        return mix
    need = np.minimum(1.0, 1.0 / np.maximum(np.abs(mix), 1e-9))
    w = max(1, int(rate * LIMITER_WINDOW_S) | 1)
    gain = mean_filter(min_filter(need, w), w)
    return np.clip(mix * np.minimum(gain, need), -1.0, 1.0)  # clip only guards float rounding


def equal_power(tail: np.ndarray, head: np.ndarray, rate: int) -> np.ndarray:
    """``tail`` fading out as ``head`` (as long) fades in, equal-power curves, the sum limited: float32."""
    t = (np.arange(len(tail), dtype=np.float64) + 0.5) / len(tail)
    return _limit(tail * np.cos(t * np.pi / 2) + head * np.sin(t * np.pi / 2), rate).astype(np.float32)


def crossfade(a: Pcm, b: Pcm, seconds: float = 3.0) -> Pcm:
    """``a`` then ``b`` overlapped by ``seconds`` (clamped to the shorter track), equal-power curves.

    Output length is ``len(a) + len(b) - overlap`` samples at ``a``'s rate."""
    return crossfade_all([a, b], seconds, rate=a.rate)


def crossfade_all(tracks: list[Pcm], seconds: float = 3.0, limit_s: float | None = None,
                  fade_out_s: float = 2.0, rate: int = SAMPLE_RATE) -> Pcm:
    """Join tracks with crossfades (one concatenation, no quadratic copying); cut to ``limit_s`` with a
    short fade-out at the end."""
    if seconds < 0:
        raise AudioError(f"crossfade seconds must be >= 0, got {seconds}")
    pieces: list[np.ndarray] = []
    total = 0
    limit = None if limit_s is None else int(round(limit_s * rate))
    tail: np.ndarray | None = None  # end of the previous track, waiting to be mixed with the next
    for pcm in tracks:
        s = pcm.resampled(rate).samples
        if tail is None:
            body = s
        else:
            n = min(len(tail), len(s), int(round(seconds * rate)))
            keep = tail[: len(tail) - n]
            pieces.append(keep)
            total += len(keep)
            if n:
                pieces.append(equal_power(tail[len(tail) - n:], s[:n], rate))
                total += n
            body = s[n:]
        tail = body
        if limit is not None and total + len(tail) >= limit + int(round(seconds * rate)):
            break
    if tail is not None:
        pieces.append(tail)
    out = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    if limit is not None and len(out) > limit:
        out = out[:limit].copy()
        n = min(len(out), int(round(fade_out_s * rate)))
        if n:
            out[len(out) - n:] *= np.cos(np.linspace(0, np.pi / 2, n, dtype=np.float32))
    return Pcm(out, rate)
