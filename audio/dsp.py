"""The few filters the sound needs, in NumPy and soxr: resampling (soxr), 4x oversampling, the
BS.1770 K-weighting (its two biquads, applied as their impulse response by FFT), and the moving minimum
and mean the limiters smooth their gain with. SciPy would do all of this, but importing it costs the
service about 76 MB of memory for these few lines of arithmetic; the tests check the results against
SciPy and pyloudnorm (independent implementations)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import soxr


def resample(x: np.ndarray, rate: int, to: int) -> np.ndarray:
    """``x`` (mono) from ``rate`` to ``to`` Hz, soxr's high quality (linear phase, aligned)."""
    if rate == to or len(x) == 0:
        return np.asarray(x)
    return soxr.resample(np.asarray(x, dtype=np.float64), rate, to, quality="HQ")


#: The interpolator reaches this many input samples each side.
OVERSAMPLE_REACH = 10


@lru_cache(maxsize=4)
def _interpolator(factor: int) -> np.ndarray:
    """The low-pass an upsampling by ``factor`` is filtered with: a Kaiser-windowed sinc (beta 5,
    :data:`OVERSAMPLE_REACH` input samples each side), unity gain at DC times ``factor`` (SciPy's
    ``resample_poly`` uses the same)."""
    n = 2 * OVERSAMPLE_REACH * factor + 1
    m = np.arange(n) - (n - 1) / 2
    h = np.sinc(m / factor) / factor * np.kaiser(n, 5.0)
    h = h / h.sum() * factor
    h.setflags(write=False)
    return h


def _branches(x: np.ndarray, factor: int):
    """The ``factor`` polyphase branches of ``x`` oversampled (zeros stuffed between the samples, then
    :func:`_interpolator`'s low-pass): branch k holds the oversampled samples k, k + factor, k + 2 *
    factor... (a quarter of the arithmetic of filtering the zeros)."""
    h = _interpolator(factor)
    return (np.convolve(x, h[k::factor])[OVERSAMPLE_REACH:OVERSAMPLE_REACH + len(x)] for k in range(factor))


def peak_envelope(x: np.ndarray, factor: int = 4) -> np.ndarray:
    """Per input sample, the largest magnitude of the ``factor`` times oversampled signal around it."""
    x = np.asarray(x, dtype=np.float64)
    env = np.abs(x)
    for branch in _branches(x, factor) if len(x) else ():
        np.maximum(env, np.abs(branch), out=env)
    return env


def _biquad(kind: str, gain_db: float, q: float, fc: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(b, a) of a high shelf or high pass (RBJ's cookbook, as BS.1770's K-weighting is usually built)."""
    a_ = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * fc / rate
    alpha, c = np.sin(w0) / (2 * q), np.cos(w0)
    if kind == "high_shelf":
        r = 2 * np.sqrt(a_) * alpha
        b = [a_ * ((a_ + 1) + (a_ - 1) * c + r), -2 * a_ * ((a_ - 1) + (a_ + 1) * c), a_ * ((a_ + 1) + (a_ - 1) * c - r)]
        a = [(a_ + 1) - (a_ - 1) * c + r, 2 * ((a_ - 1) - (a_ + 1) * c), (a_ + 1) - (a_ - 1) * c - r]
    else:  # high pass
        b = [(1 + c) / 2, -(1 + c), (1 + c) / 2]
        a = [1 + alpha, -2 * c, 1 - alpha]
    return np.asarray(b) / a[0], np.asarray(a) / a[0]


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> np.ndarray:
    """The K-weighting filter (high shelf +4 dB at 1.5 kHz, then the 38 Hz high pass) as its impulse
    response: half a second, by when what is left of it is far below anything a meter shows."""
    h = np.zeros(max(64, rate // 2))
    h[0] = 1.0
    for b, a in (_biquad("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0, rate), _biquad("high_pass", 0.0, 0.5, 38.0, rate)):
        out, x1, x2, y1, y2 = np.empty_like(h), 0.0, 0.0, 0.0, 0.0
        b0, b1, b2, a1, a2 = float(b[0]), float(b[1]), float(b[2]), float(a[1]), float(a[2])
        for i, x0 in enumerate(h.tolist()):
            y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out[i], x2, x1, y2, y1 = y0, x1, x0, y1, y0
        h = out
    h.setflags(write=False)
    return h


def convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The full linear convolution of ``x`` and ``h`` (``len(x) + len(h) - 1`` samples), by FFT."""
    n = len(x) + len(h) - 1
    size = 1 << max(0, (n - 1).bit_length())
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:n]


class KWeighting:
    """K-weighting a signal that arrives block by block, each block's response carrying into the next:
    :func:`k_weighting`'s response cut at 100 ms (what is left after is under 1e-9 of it) and applied
    by overlap-add with its spectrum computed once, a few times cheaper a sample than the half-second
    response by whole-block FFTs."""

    def __init__(self, rate: int) -> None:
        h = k_weighting(rate)[:max(64, rate // 10)]
        self.size = 1 << (4 * len(h) - 1).bit_length()
        self.step = self.size - len(h) + 1
        self.spectrum = np.fft.rfft(h, self.size)
        self.tail = np.zeros(len(h) - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = np.empty(len(x))
        for i in range(0, len(x), self.step):
            seg = np.asarray(x[i:i + self.step], dtype=np.float64)
            y = np.fft.irfft(np.fft.rfft(seg, self.size) * self.spectrum, self.size)[:len(seg) + len(self.tail)]
            y[:len(self.tail)] += self.tail
            self.tail = y[len(seg):]
            out[i:i + len(seg)] = y[:len(seg)]
        return out


def min_filter(x: np.ndarray, width: int) -> np.ndarray:
    """The minimum over ``width`` (odd) samples centred on each sample, the edges extended (van Herk /
    Gil-Werman: a running minimum forwards and backwards within blocks of ``width``)."""
    half = width // 2
    p = np.pad(np.asarray(x, dtype=np.float64), (half, half + (-(len(x) + 2 * half)) % width), mode="edge")
    blocks = p.reshape(-1, width)
    forward = np.minimum.accumulate(blocks, axis=1).ravel()
    backward = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(backward[:len(x)], forward[width - 1:width - 1 + len(x)])


def mean_filter(x: np.ndarray, width: int) -> np.ndarray:
    """The mean over ``width`` (odd) samples centred on each sample, the edges extended."""
    half = width // 2
    c = np.concatenate([[0.0], np.cumsum(np.pad(np.asarray(x, dtype=np.float64), (half, half), mode="edge"))])
    return (c[width:] - c[:-width]) / width
