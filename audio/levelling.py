"""Levels of audio files measured as they stream (bounded memory: a second of audio and the
limiter's reach at a time): a music track's loudness and true peak, and the gain that brings a
recording to a loudness target through the true-peak limiter of :mod:`audio.limiter`."""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import soundfile as sf

from audio import loudness
from audio.limiter import Limiter


def limited_loudness(chunks: Iterable[np.ndarray], rate: int, gain_db: float,
                     ceiling_dbtp: float | None) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP before limiting) of ``chunks`` at ``gain_db`` through the
    limiter holding ``ceiling_dbtp`` (None: not limited)."""
    lim, meter = Limiter(rate, gain_db, ceiling_dbtp), loudness.Meter(rate)
    for chunk in chunks:
        meter(lim(chunk))
    meter(lim.flush())
    return meter.lufs, lim.peak_dbtp


def measure_file(source) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file soundfile reads (path or file object), decoded a
    second at a time and measured as it airs: channels mixed down to mono."""
    with sf.SoundFile(source) as f:
        blocks = f.blocks(blocksize=f.samplerate, dtype="float64", always_2d=True)
        return limited_loudness((block.mean(axis=1) for block in blocks), f.samplerate, 0.0, None)


def levelled_gain(chunks: Callable[[], Iterable[np.ndarray]], rate: int,
                  target_lufs: float = loudness.DEFAULT_TARGET_LUFS,
                  ceiling_dbtp: float = loudness.TRUE_PEAK_CEILING_DBTP, *, passes: int = 10) -> float | None:
    """The gain (dB) that brings the audio ``chunks()`` yields (called once per pass) to
    ``target_lufs`` through :func:`audio.limiter.limited` (which holds ``ceiling_dbtp`` less the
    limiter margin): measured as it is, then, when the gain alone would push a peak over, measured
    through the limiter at that gain and corrected for the loudness the limiter took (a secant: the
    more gain, the more it takes, trusted to twice the miss at most; once a gain under and one over
    the target are measured, only between them, as the loudness need not rise with the gain, halving
    them when one end stays twice) until within
    :data:`audio.loudness.TOLERANCE_LU`; what is left of the miss is then added as it is (the limiter
    only lessens what a gain adds). Out of ``passes``: the loudest gain measured under the target,
    never an unmeasured guess. None for silence."""
    aim = ceiling_dbtp - loudness.LIMITER_MARGIN_DB
    loud, peak = limited_loudness(chunks(), rate, 0.0, None)
    if not np.isfinite(loud):
        return None
    gain = target_lufs - loud
    if peak + gain <= aim:
        return round(gain, 2)
    last: tuple[float, float] | None = None
    under = over = best = None  # measured (gain, loudness): under the target, over it, the loudest under it
    for _ in range(passes):
        loud = limited_loudness(chunks(), rate, gain, aim)[0]
        miss = target_lufs - loud
        if abs(miss) <= loudness.TOLERANCE_LU:
            return round(gain + miss, 2)
        if miss > 0:
            under = (gain, loud)
            best = under if best is None or loud > best[1] else best
        else:
            over = (gain, loud)
        if under is not None and over is not None:  # the target lies between them: never leave them (the
            # loudness need not rise with the gain: the gating lets more blocks in as the limiter takes peaks)
            lo, hi = sorted((under[0], over[0]))
            guess = under[0] + (over[0] - under[0]) * (target_lufs - under[1]) / (over[1] - under[1])
            stuck = (target_lufs > last[1]) == (miss > 0)  # one end kept twice: where the limiter holds it all,
            if stuck or not lo + 0.1 * (hi - lo) < guess < hi - 0.1 * (hi - lo):  # the loudness stops rising
                guess = (lo + hi) / 2  # and a secant from that end creeps a tenth of the way a pass
        else:
            slope = 1.0 if last is None or last[0] == gain else float(np.clip((loud - last[1]) / (gain - last[0]), 0.5, 1.0))
            guess = gain + miss / slope
        last, gain = (gain, loud), guess
    return round((best or over)[0], 2)  # not within the tolerance: a measured gain, under the target if any was
