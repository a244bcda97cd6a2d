"""audio/dsp.py against SciPy and pyloudnorm (independent implementations, in the tests only): the
limiters' moving minimum and mean, the 4x oversampling of the true-peak meter, the K-weighting (whole
and block by block) and the integrated loudness; and the service itself never imports SciPy (the 76 MB
this module saves)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from audio import dsp, loudness
from audio.pcm import Pcm

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("n", [1, 2, 5, 577, 20_000])
@pytest.mark.parametrize("width", [1, 3, 193, 577])
def test_moving_minimum_and_mean_equal_scipy(n, width):
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    x = RNG.standard_normal(n)
    assert np.array_equal(dsp.min_filter(x, width), minimum_filter1d(x, width, mode="nearest"))
    assert np.allclose(dsp.mean_filter(x, width), uniform_filter1d(x, width, mode="nearest"), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 3, 100, 48_000])
def test_oversampling_equals_scipy_resample_poly(n):
    from scipy.signal import resample_poly

    x = RNG.standard_normal(n)  # the true-peak meter's branches, interleaved: x at 4 times its rate
    oversampled = np.stack(list(dsp._branches(x, 4)), axis=1).ravel()
    assert np.allclose(oversampled, resample_poly(x, 4, 1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("rate", [48_000, 44_100, 22_050, 16_000])
def test_k_weighting_whole_and_block_by_block_equals_pyloudnorm_s_filters(rate):
    import pyloudnorm

    x = RNG.standard_normal(rate * 2)
    want = x.copy()
    for stage in pyloudnorm.Meter(rate)._filters.values():
        want = stage.apply_filter(want)
    assert np.allclose(dsp.convolve(x, dsp.k_weighting(rate))[:len(x)], want, rtol=0, atol=1e-9)
    weigh = dsp.KWeighting(rate)
    blocks = np.concatenate([weigh(x[i:i + rate // 3]) for i in range(0, len(x), rate // 3)])
    assert np.allclose(blocks, want, rtol=0, atol=1e-9)


@pytest.mark.parametrize("rate", [48_000, 22_050])
@pytest.mark.parametrize("seconds", [0.25, 0.5, 1.0, 3.3, 10.0])
def test_integrated_loudness_equals_pyloudnorm(rate, seconds):
    import pyloudnorm

    n = int(rate * seconds)
    x = (RNG.standard_normal(n) * RNG.uniform(0.01, 0.3) * np.sin(np.linspace(0, 7, n)) ** 2).astype(np.float32)
    ref = x.astype(np.float64)
    if seconds < 0.4:  # measured looped to a second, as loudness.measure does
        ref = np.tile(ref, int(np.ceil(rate / n)))
    assert loudness.measure(Pcm(x, rate)) == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(ref), abs=1e-6)


def test_the_service_and_the_panel_do_not_import_scipy():
    code = ("import sys; import broadcaster.service, broadcaster.commands.serve, web, audio.render, audio.loudness, "
            "playlists.stream; from audio.pcm import Pcm; import numpy as np; "
            "from audio import loudness; loudness.normalize(Pcm(np.ones(4800, np.float32) * 0.1, 22050).resampled(48000)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pyloudnorm')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
