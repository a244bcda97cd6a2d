"""A foreground item levelled to the true-peak ceiling (a programme recording through the limiter,
speech) with the music bed ducked under it: their sum stays under -1 dBTP. Before, the ducked bed was
added on top of peaks already at the ceiling: a clap-heavy recording aired at -0.7 dBTP in the
service (+0.6 dBTP here, clipped samples). The bed gives way smoothly (no click at the joins)."""
from __future__ import annotations

import time

import numpy as np
from scipy.signal import correlate

from audio.limiter import LimitedStream
from audio.pcm import Pcm
from audio.sinks import NullSink
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.onair.items import PlayoutItem
from broadcaster.priorities import Priority
from tests.audio.meter import ebur128
from tests.engine.test_playout import Recorder

RATE = 48_000


def claps(seconds: float) -> np.ndarray:
    """A quiet recording with loud claps: the limiter holds them at the ceiling once levelled."""
    rng = np.random.default_rng(3)
    x = (0.02 * rng.standard_normal(int(seconds * RATE))).astype(np.float32)
    for k in range(int(seconds / 0.4)):
        i = int((0.1 + 0.4 * k) * RATE)
        x[i:i + 2400] += (rng.uniform(-0.9, 0.9, 2400) * np.exp(-np.arange(2400) / 300)).astype(np.float32)
    return x


def test_the_ducked_bed_under_a_limited_item_keeps_the_sum_under_the_ceiling_without_clicks(tmp_path):
    sink = NullSink(keep=True, realtime=True)
    rec = Recorder()
    engine = PlayoutEngine({"main": sink})
    engine.listeners.append(rec)
    engine.start()
    try:
        t = np.arange(12 * RATE) / RATE
        bed = (0.86 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)  # music at -1.3 dBTP, as a track's gain allows
        engine.submit(PlayoutItem(Priority.BACKGROUND_MUSIC, "bed", [Pcm(bed)], kind="music"))
        rec.wait_for("started", "bed")
        time.sleep(0.3)
        recording = claps(3.0)
        item = PlayoutItem(Priority.ANNOUNCEMENT, "rec", [LimitedStream(recording, RATE, 20.0)])
        engine.submit(item)
        rec.wait_for("completed", "rec", timeout=20)
        time.sleep(0.3)
    finally:
        engine.stop()
    out = sink.samples().astype(np.float64) / 32768
    ff_lufs, ff_peak = ebur128(Pcm(out.astype(np.float32)), tmp_path)
    assert ff_peak <= -1.0, f"aired at {ff_peak} dBTP with the bed under the recording"
    assert np.abs(out).max() < 0.95  # nothing near clipping
    # the bed's own part (what aired less what the item played) changes smoothly: no step at the joins
    stream, parts = LimitedStream(recording, RATE, 20.0), []
    while not stream.finished:
        parts.append(stream.read(9600))
    limited = np.concatenate(parts).astype(np.float64)
    start = int(np.argmax(correlate(out, limited[:RATE // 2], mode="valid", method="fft")))
    bed_part = out.copy()
    bed_part[start:start + len(limited)] -= limited
    ducked = bed_part[start + 960:start + len(limited)]  # after its 20 ms ramp down
    assert np.abs(ducked).max() <= 0.25 * 0.86 + 0.01  # what is left is the ducked bed
    step = np.abs(np.diff(bed_part[max(0, start - RATE):start + len(limited) + RATE])).max()
    assert step < 0.09, f"a step of {step:.3f} in the bed"  # a 0.86 440 Hz sine moves by <= 0.05 a sample
