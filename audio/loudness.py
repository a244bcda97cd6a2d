"""Loudness: ITU-R BS.1770 integrated loudness (K-weighting, 400 ms blocks every 100 ms, the absolute and
relative gates, as pyloudnorm measures it), true peak (4x oversampled peak, as BS.1770 annex 2) and
normalisation to a target with a look-ahead true-peak limiter. NumPy and soxr only (:mod:`audio.dsp`).

``normalize`` brings audio to ``target_lufs`` (within ``TOLERANCE_LU``) with its true peak at or below
``TRUE_PEAK_CEILING_DBTP``: the gain the target needs is applied, peaks the gain pushes over the
ceiling are held down by a smooth limiter, and the gain is iterated because limiting takes a little
loudness away. Deterministic (the same input gives the same samples: approvals bind to the hash)."""
from __future__ import annotations

import numpy as np

from audio import dsp
from audio.pcm import Pcm

DEFAULT_TARGET_LUFS = -20.0
#: The promise: nothing rendered has a true peak above this.
TRUE_PEAK_CEILING_DBTP = -1.0
#: The limiter aims this far under the ceiling (room for int16 rounding and for other meters).
LIMITER_MARGIN_DB = 0.3
#: Normalisation stops once the integrated loudness is this close to the target.
TOLERANCE_LU = 0.1
_MIN_BLOCK_S = 0.4  # BS.1770 gating block


def whole_blocks(pcm: Pcm) -> Pcm:
    """``pcm`` with silence after it to a whole number of 100 ms gating steps, and at least one 400 ms
    gating block. BS.1770 leaves open what a meter does with a partial last step: ffmpeg's ebur128
    leaves it out (the item's last sound is not measured), pyloudnorm counts it as a block padded with
    silence, and an item under 400 ms has no block at all (ffmpeg: -70 LUFS, pyloudnorm: an error).
    An item that ends on a step is measured alike by all of them, every sample of it in some block;
    the silence (under 100 ms, or up to 400 ms for a single short word) airs with it. A word shorter
    than a block is thus levelled as a momentary-loudness meter shows it: its 400 ms at the target."""
    step = pcm.rate // 10
    n = max(4 * step, -(-len(pcm) // step) * step)
    if n == len(pcm):
        return pcm
    return Pcm(np.concatenate([pcm.samples, np.zeros(n - len(pcm), np.float32)]), pcm.rate)


def measure(pcm: Pcm) -> float:
    """Integrated loudness in LUFS (-inf for silence). Audio shorter than one 400 ms gating block is
    measured looped to one second (a single word still gets a loudness of its own)."""
    if len(pcm) == 0 or pcm.peak == 0.0:
        return float("-inf")
    x = pcm.samples.astype(np.float64)
    if pcm.duration < _MIN_BLOCK_S:
        x = np.tile(x, int(np.ceil(pcm.rate / len(x))))
    k = dsp.convolve(x, dsp.k_weighting(pcm.rate))[:len(x)]
    energy = np.concatenate([[0.0], np.cumsum(np.square(k))])
    blocks = int(round((len(x) / pcm.rate - _MIN_BLOCK_S) / (_MIN_BLOCK_S / 4))) + 1
    lower = (_MIN_BLOCK_S * (np.arange(blocks) * 0.25) * pcm.rate).astype(int)  # where pyloudnorm puts them
    upper = (_MIN_BLOCK_S * (np.arange(blocks) * 0.25 + 1) * pcm.rate).astype(int)
    lower, upper = np.minimum(lower, len(x)), np.minimum(upper, len(x))  # the last may reach past the end
    return _gated((energy[upper] - energy[lower]) / (_MIN_BLOCK_S * pcm.rate))


def _gated(z: np.ndarray) -> float:
    """BS.1770's integrated loudness of the blocks' mean squares ``z``: the -70 LUFS absolute gate, then
    the relative gate 10 LU under what passed it."""
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    passed = z[lk >= -70.0]
    if passed.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(passed.mean()) - 10.0
    passed = z[(lk > relative) & (lk > -70.0)]
    loud = -0.691 + 10 * np.log10(passed.mean()) if passed.size else float("-inf")
    return float(loud) if np.isfinite(loud) else float("-inf")


def true_peak(pcm: Pcm | np.ndarray) -> float:
    """True peak in dBTP (4x oversampling); -inf for silence."""
    x = pcm.samples if isinstance(pcm, Pcm) else np.asarray(pcm)
    peak = float(dsp.peak_envelope(x).max()) if len(x) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limiter_windows(rate: int) -> tuple[int, int]:
    """(moving average, hold) widths in samples of the limiter: 4 ms of look-ahead, 12 ms of hold."""
    avg = max(1, int(0.004 * rate)) | 1
    return avg, max(2 * avg + 1, int(0.012 * rate) | 1)


def _limiter_gain(env: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Per-sample gain (<= 1) that keeps ``env`` (a peak envelope) under the ceiling, smoothly."""
    need = np.minimum(1.0, 10 ** (ceiling_dbtp / 20) / np.maximum(env, 1e-12))
    if need.min() >= 1.0:
        return np.ones_like(env)
    avg, hold = limiter_windows(rate)
    gain = dsp.mean_filter(dsp.mean_filter(dsp.min_filter(need, hold), avg), avg)
    return np.minimum(gain, 1.0)


def limit(x: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Look-ahead limiter: a smooth gain, never above what keeps each (oversampled) peak under the
    ceiling. The gain each sample needs is spread over the hold around it (a minimum filter), then
    smoothed by two moving averages of the look-ahead (:func:`limiter_windows`): an average of a
    minimum over a window at least twice as wide never exceeds what any sample inside needed, so the
    gain starts coming down before a peak and comes back up after it, with no step."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return x
    return x * _limiter_gain(dsp.peak_envelope(x), rate, ceiling_dbtp)


def normalize(pcm: Pcm, target_lufs: float = DEFAULT_TARGET_LUFS,
              ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP, *, iterations: int = 6, whole: bool = False) -> Pcm:
    """``pcm`` at ``target_lufs`` integrated (within TOLERANCE_LU) with its true peak under
    ``ceiling_dbtp``. Silence is returned as it is. The oversampled envelope is computed once (it
    scales with the gain); the true peak of the result is measured again at the end. ``whole``: an
    item that airs on its own, made :func:`whole_blocks` first (every meter then agrees on it)."""
    if whole:
        pcm = whole_blocks(pcm)
    loud = measure(pcm)
    if not np.isfinite(loud):
        return pcm
    x = pcm.samples.astype(np.float64)
    env = dsp.peak_envelope(x)
    aim = ceiling_dbtp - LIMITER_MARGIN_DB
    gain_db = target_lufs - loud
    out = x
    for _ in range(iterations):
        g = 10 ** (gain_db / 20)
        out = x * (g * _limiter_gain(env * g, pcm.rate, aim))
        miss = target_lufs - measure(Pcm(out.astype(np.float32), pcm.rate))
        if abs(miss) <= TOLERANCE_LU:
            break
        gain_db += miss
    tp = true_peak(out)
    if tp > aim:  # the smoothed gain met a peak a hair late: one plain scale settles it
        out = out * 10 ** ((aim - tp) / 20)
    return Pcm(np.clip(out, -1.0, 1.0).astype(np.float32), pcm.rate)


class Meter:
    """Integrated loudness of audio fed block by block (an hour of music never sits in memory): the
    K-weighted energy at every 100 ms step and the 400 ms blocks that end on them, gated as
    pyloudnorm gates them (BS.1770-4)."""

    def __init__(self, rate: int) -> None:
        self.rate, self.weigh = rate, dsp.KWeighting(rate)
        self.marks, self.total, self.seen, self.next = [0.0], 0.0, 0, 1  # cumulative energy at each step

    def __call__(self, x: np.ndarray) -> None:
        energy = np.concatenate([[0.0], np.cumsum(np.square(self.weigh(x)))]) + self.total
        while int(round(self.next * 0.1 * self.rate)) <= self.seen + len(x):
            self.marks.append(float(energy[int(round(self.next * 0.1 * self.rate)) - self.seen]))
            self.next += 1
        self.total, self.seen = float(energy[-1]), self.seen + len(x)

    @property
    def lufs(self) -> float:
        m = np.asarray(self.marks)
        return float("-inf") if len(m) < 5 else _gated((m[4:] - m[:-4]) / (0.4 * self.rate))


def track_gain_db(integrated_lufs: float, true_peak_dbtp: float, target_lufs: float = DEFAULT_TARGET_LUFS,
                  ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP) -> float:
    """Replay-gain style gain for a music track: to the target, but never so much that the true peak
    goes over the ceiling (music is not limited: a quiet, peaky track stays a little under target)."""
    if not np.isfinite(integrated_lufs):
        return 0.0
    gain = target_lufs - integrated_lufs
    if np.isfinite(true_peak_dbtp):
        gain = min(gain, ceiling_dbtp - true_peak_dbtp)
    return round(float(gain), 2)
