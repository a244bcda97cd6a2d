"""An independent loudness meter for the tests: ffmpeg's ebur128 filter (ITU-R BS.1770-4, true peak
by its own 4x oversampling); pyloudnorm and a scipy 4x oversampling of the tests' own when ffmpeg is
not installed. Never the code under test (audio.loudness)."""
from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import soundfile as sf

from audio.pcm import Pcm

TOLERANCE_LU = 0.5
CEILING_DBTP = -1.0


def pyloudnorm_level(pcm: Pcm) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of the int16 samples by pyloudnorm and a scipy 4x
    oversampling (NaN when pyloudnorm finds no gating block)."""
    import pyloudnorm
    from scipy.signal import resample_poly

    x = pcm.to_int16().astype(np.float64) / 32768
    try:
        integrated = pyloudnorm.Meter(pcm.rate).integrated_loudness(x)
    except ValueError:  # shorter than one 400 ms block
        integrated = float("nan")
    return integrated, 20 * np.log10(np.abs(resample_poly(x, 4, 1)).max())


def both(pcm: Pcm, tmp_path) -> tuple[float, float, float, float]:
    """(LUFS by ffmpeg, dBTP by ffmpeg, LUFS by pyloudnorm, dBTP by scipy): two independent meters."""
    return (*ebur128(pcm, tmp_path), *pyloudnorm_level(pcm))


def off_target(levels: tuple[float, ...], target: float) -> bool:
    """Whether :func:`both`'s levels miss ``target`` by more than TOLERANCE_LU or a peak is over."""
    ff, ff_peak, pyln, pyln_peak = levels
    return not (abs(ff - target) <= TOLERANCE_LU and abs(pyln - target) <= TOLERANCE_LU
                and max(ff_peak, pyln_peak) <= CEILING_DBTP)


def ebur128(pcm: Pcm, tmp_path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of the int16 samples, by ffmpeg; pyloudnorm and a scipy
    4x oversampling of the test's own when ffmpeg is not installed."""
    data = pcm.to_int16()
    if shutil.which("ffmpeg") is None:
        return pyloudnorm_level(pcm)
    path = tmp_path / "measure.wav"
    sf.write(path, data, pcm.rate, subtype="PCM_16")
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak
