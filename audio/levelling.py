"""The gain that brings a recording to a loudness target through the true-peak limiter of
:mod:`audio.limiter`, found with one full measurement and a few cheap ones, in bounded memory.

The full pass (the file decoded once) keeps, per 100 ms gating step, the K-weighted energy and the
largest 4x oversampled magnitude: a few numbers a step (a ten-minute file: 6,000 steps). At a gain
``g`` the limiter touches only the steps whose peak times ``g`` is over its ceiling, and its gain
reaches no further than a step around them (the hold and the smoothing: about 10 ms at 48 kHz); every
other step is the unlimited one times ``g``, its energy ``g**2`` times the stored one. So each
candidate gain is measured by decoding the file again and limiting and K-weighting only the stretches
around those steps (with a step of context each side, whose energies are the stored ones: the
K-weighting's response 100 ms on is under 1e-9), no sample kept past its stretch. The loudness is
then BS.1770's gating of the steps' energies, as :class:`audio.limiter.Meter` would find on the
whole limited signal (to about 1e-6 LU)."""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from audio import dsp, loudness
from audio.limiter import Limiter, envelope

_REACH = 10  # the oversampling filter's reach (input samples each side)


class KWeigh:
    """The K-weighting as :class:`audio.dsp.KWeighting`, its impulse response cut at 100 ms (what is
    left after is under 1e-9 of it) and applied by overlap-add with its spectrum computed once: a
    few times cheaper a sample than the half-second response by whole-block FFTs."""

    def __init__(self, rate: int) -> None:
        h = dsp.k_weighting(rate)[:max(64, rate // 10)]
        self.taps = len(h)
        self.size = 1 << (4 * self.taps - 1).bit_length()
        self.step = self.size - self.taps + 1
        self.spectrum = np.fft.rfft(h, self.size)
        self.tail = np.zeros(self.taps - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = np.empty(len(x))
        for i in range(0, len(x), self.step):
            seg = np.asarray(x[i:i + self.step], dtype=np.float64)
            y = np.fft.irfft(np.fft.rfft(seg, self.size) * self.spectrum, self.size)[:len(seg) + self.taps - 1]
            y[:len(self.tail)] += self.tail
            self.tail = y[len(seg):]
            out[i:i + len(seg)] = y[:len(seg)]
        return out


class Steps:
    """Per 100 ms gating step (the steps end where :class:`audio.limiter.Meter` marks them), values
    folded in from samples at any offset: a sum or a maximum."""

    def __init__(self, rate: int, ufunc=np.add) -> None:
        self.rate, self.ufunc = rate, ufunc
        self.values = np.zeros(64)

    def bound(self, k) -> np.ndarray:
        return np.rint(np.asarray(k) * 0.1 * self.rate).astype(np.int64)

    def step_of(self, i: int) -> int:
        k = int(i // (0.1 * self.rate))
        while self.bound(k + 1) <= i:
            k += 1
        while self.bound(k) > i:
            k -= 1
        return k

    def fold(self, values: np.ndarray, at: int) -> None:
        """``values`` of the samples ``at``, ``at + 1``, ... into their steps."""
        if not len(values):
            return
        k0, k1 = self.step_of(at), self.step_of(at + len(values) - 1)
        if k1 >= len(self.values):
            self.values = np.concatenate([self.values, np.zeros(max(k1 + 1, 2 * len(self.values)) - len(self.values))])
        cuts = np.maximum(self.bound(np.arange(k0, k1 + 1)) - at, 0)
        part = self.ufunc.reduceat(values, cuts)
        self.values[k0:k1 + 1] = self.ufunc(self.values[k0:k1 + 1], part)


class Survey:
    """What the full pass keeps of a recording: per step its K-weighted energy (``energy``, full steps
    only, as a meter gates them) and its true peak (``peak``, linear, every step the audio reaches),
    and its length in samples."""

    def __init__(self, chunks: Iterable[np.ndarray], rate: int) -> None:
        self.rate = rate
        energy, peak, weigh = Steps(rate), Steps(rate, np.maximum), KWeigh(rate)
        held, start, n = np.zeros(0), 0, 0  # held: samples from ``start``, their envelope not final past 10 before the end
        done = 0  # samples whose envelope is folded in
        for chunk in chunks:
            x = np.asarray(chunk, dtype=np.float64)
            energy.fold(np.square(weigh(x)), n)
            n += len(x)
            held = np.concatenate([held, x])
            if len(held) > 2 * _REACH:
                env = envelope(held)
                peak.fold(env[done - start:len(held) - _REACH], done)
                done = start + len(held) - _REACH
                start, held = start + len(held) - 2 * _REACH, held[-2 * _REACH:]
        if n > done:
            peak.fold(envelope(held)[done - start:], done)
        self.length = n
        self.full = int(np.searchsorted(energy.bound(np.arange(n // max(1, rate // 10) + 2)), n, side="right")) - 1
        self.energy = energy.values[:self.full]
        self.steps = energy.step_of(n - 1) + 1 if n else 0
        self.peak = peak.values[:self.steps]
        self.bounds = energy.bound(np.arange(self.steps + 1))
        self.bounds[-1] = min(int(self.bounds[-1]), n)

    @property
    def lufs(self) -> float:
        return self.lufs_of(self.energy)

    @property
    def peak_dbtp(self) -> float:
        top = float(self.peak.max(initial=0.0))
        return 20 * np.log10(top) if top > 0 else float("-inf")

    def lufs_of(self, energy: np.ndarray) -> float:
        marks = np.concatenate([[0.0], np.cumsum(energy)])
        if len(marks) < 5:
            return float("-inf")
        return loudness._gated((marks[4:] - marks[:-4]) / (0.4 * self.rate))

    def stretches(self, gain_db: float, ceiling_dbtp: float) -> list[tuple[int, int]]:
        """The runs of steps [first, end) the limiter at ``gain_db`` must be run over: the steps it
        limits, with two steps each side (one it may reach into, one of context)."""
        over = self.peak * 10 ** (gain_db / 20) > 10 ** (ceiling_dbtp / 20)
        near = over.copy()
        for d in (1, 2):
            near[d:] |= over[:-d]
            near[:-d] |= over[d:]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], near.astype(np.int8), [0]])))
        return list(zip(edges[::2].tolist(), edges[1::2].tolist()))

    def limited_lufs(self, chunks: Iterable[np.ndarray], gain_db: float, ceiling_dbtp: float) -> float:
        """The integrated loudness of the recording at ``gain_db`` through the limiter holding
        ``ceiling_dbtp`` (``chunks``: the recording decoded again), limiting only where it acts."""
        runs = self.stretches(gain_db, ceiling_dbtp)
        energy = self.energy * 10 ** (gain_db / 10)
        if not runs:
            return self.lufs_of(energy)
        n, r = 0, 0
        lim = weigh = steps = None
        for chunk in chunks:
            x, base = np.asarray(chunk, dtype=np.float64), n
            n, at = n + len(x), n
            while r < len(runs) and at < n:
                first, end = (int(self.bounds[k]) for k in runs[r])
                if at >= end:
                    r += 1
                    continue
                if first >= n:
                    break
                if lim is None:
                    lim, weigh, steps, out_at = Limiter(self.rate, gain_db, ceiling_dbtp), KWeigh(self.rate), Steps(self.rate), first
                part = x[max(first, at) - base:min(end, n) - base]
                y = lim(part)
                steps.fold(np.square(weigh(y)), out_at)
                out_at += len(y)
                at = min(end, n)
                if at == end:
                    y = lim.flush()
                    steps.fold(np.square(weigh(y)), out_at)
                    self._take(energy, steps.values, runs[r])
                    lim, r = None, r + 1
        if lim is not None:  # the recording came shorter than surveyed
            y = lim.flush()
            steps.fold(np.square(weigh(y)), out_at)
            self._take(energy, steps.values, runs[r])
        return self.lufs_of(energy)

    def _take(self, energy: np.ndarray, measured: np.ndarray, run: tuple[int, int]) -> None:
        """The measured energies of a run's steps, but its context steps (the run's first, unless it
        starts the recording, and last, unless it ends it): those are the stored ones."""
        first, end = run
        lo = first if first == 0 else first + 1
        hi = min(end if end >= self.steps else end - 1, len(energy), len(measured))
        if hi > lo:
            energy[lo:hi] = measured[lo:hi]


def _modelled(survey: Survey, gain_db: float, aim: float) -> float:
    """A guess of the loudness through the limiter, from the survey alone: every step over the
    ceiling as if turned down as a whole until its peak is on the ceiling. The limiter takes less
    than that (only around the peaks), by an amount that changes little with the gain: the search
    corrects the guess by what the last measurement found."""
    g = 10 ** (gain_db / 20)
    peak = survey.peak[:len(survey.energy)]
    return survey.lufs_of(survey.energy * g * g * np.minimum(1.0, (10 ** (aim / 20) / np.maximum(peak * g, 1e-12)) ** 2))


def _solve(f: Callable[[float], float], want: float, lo: float, hi: float) -> float | None:
    """Where ``f`` (rising) reaches ``want`` between ``lo`` and ``hi`` (None: it does not)."""
    if not f(lo) <= want <= f(hi):
        return None
    for _ in range(32):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < want else (lo, mid)
    return (lo + hi) / 2


def levelled_gain(chunks: Callable[[], Iterable[np.ndarray]], rate: int,
                  target_lufs: float = loudness.DEFAULT_TARGET_LUFS,
                  ceiling_dbtp: float = loudness.TRUE_PEAK_CEILING_DBTP, *, passes: int = 5) -> float | None:
    """The gain (dB) that brings the audio ``chunks()`` yields (called once per pass) to
    ``target_lufs`` through :func:`audio.limiter.limited` (which holds ``ceiling_dbtp`` less the
    limiter margin): surveyed once as it is; when the gain alone would push a peak over, measured
    through the limiter (only where it limits: :meth:`Survey.limited_lufs`) at the gain a model of
    the limiter gives (:func:`_modelled`, corrected by each measurement; else a secant: the more
    gain, the more it takes), until within :data:`audio.loudness.TOLERANCE_LU`. None for silence."""
    aim = ceiling_dbtp - loudness.LIMITER_MARGIN_DB
    survey = Survey(chunks(), rate)
    loud = survey.lufs
    if not np.isfinite(loud):
        return None
    gain = target_lufs - loud
    if survey.peak_dbtp + gain <= aim:
        return round(gain, 2)

    def model(g: float) -> float:
        return _modelled(survey, g, aim)

    plain = gain
    first = _solve(model, target_lufs, plain, plain + 60)
    gain = plain if first is None else first
    last: tuple[float, float] | None = None
    for _ in range(passes):
        loud = survey.limited_lufs(chunks(), gain, aim)
        miss = target_lufs - loud
        if abs(miss) <= loudness.TOLERANCE_LU:
            break
        guess = _solve(model, target_lufs - (loud - model(gain)), plain - 20, plain + 60)
        if guess is None or guess == gain:  # the model does not reach: a secant on (gain, loudness)
            slope = 1.0 if last is None or last[0] == gain else float(np.clip((loud - last[1]) / (gain - last[0]), 0.2, 1.0))
            guess = gain + miss / slope
        last, gain = (gain, loud), guess
    return round(gain, 2)
