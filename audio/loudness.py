"""Loudness normalisation (ITU-R BS.1770 via pyloudnorm) with the gain capped by peak headroom."""
from __future__ import annotations

import numpy as np

from audio.pcm import Pcm

DEFAULT_TARGET_LUFS = -20.0
PEAK_CEILING_DBFS = -1.0


def measure(pcm: Pcm) -> float:
    """Integrated loudness in LUFS (-inf for silence or audio shorter than one 400 ms block)."""
    import pyloudnorm

    if pcm.duration < 0.4 or pcm.peak == 0.0:
        return float("-inf")
    return float(pyloudnorm.Meter(pcm.rate).integrated_loudness(pcm.samples.astype(np.float64)))


def normalize(pcm: Pcm, target_lufs: float = DEFAULT_TARGET_LUFS, ceiling_dbfs: float = PEAK_CEILING_DBFS) -> Pcm:
    """Gain to reach ``target_lufs``, never pushing the peak above ``ceiling_dbfs`` (no clipping)."""
    loud = measure(pcm)
    if not np.isfinite(loud):
        return pcm
    gain = 10 ** ((target_lufs - loud) / 20)
    peak = pcm.peak
    if peak > 0:
        gain = min(gain, 10 ** (ceiling_dbfs / 20) / peak)
    return pcm.gained(gain)
