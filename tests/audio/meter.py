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


def ebur128(pcm: Pcm, tmp_path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of the int16 samples, by ffmpeg; pyloudnorm and a scipy
    4x oversampling of the test's own when ffmpeg is not installed."""
    data = pcm.to_int16()
    if shutil.which("ffmpeg") is None:
        import pyloudnorm
        from scipy.signal import resample_poly

        x = data.astype(np.float64) / 32768
        up = resample_poly(x, 4, 1)
        return pyloudnorm.Meter(pcm.rate).integrated_loudness(x), 20 * np.log10(np.abs(up).max())
    path = tmp_path / "measure.wav"
    sf.write(path, data, pcm.rate, subtype="PCM_16")
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak
