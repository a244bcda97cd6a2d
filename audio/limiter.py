"""Levelling audio of any length a block at a time: a gain and the look-ahead true-peak limiter of
:func:`audio.loudness.limit`, streamed with bounded memory (about a second of audio plus the limiter's
reach around it, whatever the length).

The limiter's gain at a sample depends on the samples within its reach (the 4x oversampling filter's
ten input samples, half the hold window and the two moving averages), so a block is processed with
that much audio on each side and only its middle is kept: the output is the whole-signal
:func:`audio.loudness.limit` sample for sample (to rounding), whatever the block size. The output
lags the input by the reach (about 10 ms at 48 kHz) until :meth:`Limiter.flush`. The gain that
brings a recording to a target through it: :func:`audio.levelling.levelled_gain`."""
from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from audio import dsp, loudness
from audio.stream import PcmStream

class Limiter:
    """``gain_db`` then the true-peak limiter holding ``ceiling_dbtp``, fed block by block:
    :meth:`__call__` returns what is final so far, :meth:`flush` the rest. ``peak`` is the largest
    oversampled magnitude seen after the gain, before limiting (dBTP: :attr:`peak_dbtp`)."""

    def __init__(self, rate: int, gain_db: float = 0.0, ceiling_dbtp: float | None = None, *,
                 block_s: float = 1.0) -> None:
        self.rate, self.g = rate, 10 ** (gain_db / 20)
        self.ceiling = ceiling_dbtp
        avg, hold = loudness.limiter_windows(rate)
        self.margin = dsp.OVERSAMPLE_REACH + hold // 2 + 2 * (avg // 2) + 1  # a gain's reach into the signal
        self.block = max(1, int(block_s * rate))
        self.buf = np.zeros(0)  # the last ``margin`` samples already out, then those not out yet
        self.kept = 0  # how many of buf are already out (context only)
        self.peak = 0.0

    @property
    def peak_dbtp(self) -> float:
        return 20 * np.log10(self.peak) if self.peak > 0 else float("-inf")

    def _run(self, end: int, last: bool) -> np.ndarray:
        """Limit buf[kept:end] with the context around it (the true edges are edges, as for the whole)."""
        seg = self.buf[self.kept - min(self.kept, self.margin):len(self.buf) if last else end + self.margin]
        lead = min(self.kept, self.margin)
        env = dsp.peak_envelope(seg)
        if len(seg):
            self.peak = max(self.peak, float(env[lead:lead + end - self.kept].max(initial=0.0)))
        if self.ceiling is None:
            out = seg
        else:
            out = seg * loudness._limiter_gain(env, self.rate, self.ceiling)
        out = out[lead:lead + end - self.kept]
        drop = max(0, end - self.margin)
        self.buf, self.kept = self.buf[drop:], end - drop
        return out

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        self.buf = np.concatenate([self.buf, np.asarray(chunk, dtype=np.float64) * self.g])
        out = []
        while len(self.buf) - self.kept >= self.block + self.margin:
            out.append(self._run(self.kept + self.block, last=False))
        return np.concatenate(out) if out else np.zeros(0)

    def flush(self) -> np.ndarray:
        return self._run(len(self.buf), last=True) if len(self.buf) > self.kept else np.zeros(0)


def limited(chunks: Iterable[np.ndarray], rate: int, gain_db: float,
            ceiling_dbtp: float = loudness.TRUE_PEAK_CEILING_DBTP - loudness.LIMITER_MARGIN_DB) -> Iterator[np.ndarray]:
    """``chunks`` (mono float) at ``gain_db`` through the limiter: float32 chunks, the same samples
    in all (only the last ones come later)."""
    lim = Limiter(rate, gain_db, ceiling_dbtp)
    for chunk in chunks:
        out = lim(chunk)
        if len(out):
            yield np.clip(out, -1.0, 1.0).astype(np.float32)
    out = lim.flush()
    if len(out):
        yield np.clip(out, -1.0, 1.0).astype(np.float32)


class LimitedStream(PcmStream):
    """Audio already in memory played at ``gain_db`` through the limiter, limited as it is read (a
    fifth of a second at a time): levelling a long recording costs no second copy of it and no wait
    before its first sample."""

    def __init__(self, samples: np.ndarray, rate: int, gain_db: float,
                 ceiling_dbtp: float = loudness.TRUE_PEAK_CEILING_DBTP - loudness.LIMITER_MARGIN_DB) -> None:
        self.samples, self.rate, self.gain_db, self.ceiling = samples, rate, gain_db, ceiling_dbtp
        self.rewind()

    def rewind(self) -> None:
        self.lim = Limiter(self.rate, self.gain_db, self.ceiling, block_s=0.2)
        self.fed, self.ready, self.flushed = 0, np.zeros(0, np.float32), False

    def read(self, frames: int) -> np.ndarray:
        step = self.lim.block
        while len(self.ready) < frames and not self.flushed:
            if self.fed < len(self.samples):
                out = self.lim(self.samples[self.fed:self.fed + step])
                self.fed += step
            else:
                out, self.flushed = self.lim.flush(), True
            self.ready = np.concatenate([self.ready, np.clip(out, -1.0, 1.0).astype(np.float32)])
        out, self.ready = self.ready[:frames], self.ready[frames:]
        return out

    @property
    def finished(self) -> bool:
        return self.flushed and not len(self.ready)


def bed_gains(fg: np.ndarray, bed: np.ndarray, gains: np.ndarray,
              ceiling_dbtp: float = loudness.TRUE_PEAK_CEILING_DBTP - loudness.LIMITER_MARGIN_DB,
              slope: float = 1 / 240) -> np.ndarray:
    """The gains (per sample) for a music ``bed`` mixed under a foreground item ``fg``: ``gains`` (its
    ducking), lowered where the sum's true peak would pass ``ceiling_dbtp`` (a speech or recording
    limited to the ceiling plus the ducked bed went over it: -0.7 dBTP aired), and moving at most
    ``slope`` a sample (no click: 0.25 to silence in 1.25 ms). No look-ahead: nothing is delayed."""
    c = 10 ** (ceiling_dbtp / 20)
    ef, eb = dsp.peak_envelope(fg), dsp.peak_envelope(bed)
    if not len(eb) or float((ef + gains * eb).max()) <= c:
        return gains
    allowed = np.clip((c - ef) / np.maximum(eb, 1e-9), 0.0, None)
    g = np.minimum(gains, allowed)
    ramp = np.arange(len(g)) * slope  # the lowest curve over g whose slope is at most ``slope``:
    up = ramp + np.minimum.accumulate(g - ramp)  # rising no faster than it
    return (np.minimum.accumulate((up + ramp)[::-1])[::-1] - ramp).astype(np.float32)  # nor falling
