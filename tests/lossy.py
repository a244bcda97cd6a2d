"""Comparing what the air logger plays back with what aired: its files are Ogg Opus (lossy), so a
played-back stretch is not the same samples, but it must be exactly as long, at exactly the same place
(not one sample early or late) and sound the same (within the codec's error, at the same level)."""
from __future__ import annotations

import numpy as np

#: Signal-to-noise of a decoded stretch against what aired, at least (the logger's Opus gives ~30 dB on
#: music, ~40 dB on chimes; a 1 kHz tone one sample off gives 17.6 dB, another item or silence < 3 dB).
MIN_SNR_DB = 20.0


def snr_db(heard: np.ndarray, sent: np.ndarray) -> float:
    sent = np.asarray(sent, np.float64)
    error = np.asarray(heard, np.float64) - sent
    return float(10 * np.log10(max(np.dot(sent, sent), 1.0) / max(np.dot(error, error), 1.0)))


def best_lag(heard: np.ndarray, sent: np.ndarray, span: int = 48) -> int:
    """The shift of ``heard`` against ``sent`` (samples, within ``span``) at which they correlate best:
    0 when the stretch was cut at the right sample. Over their whole length (the edges of a burst in
    silence tell a tone's periods apart)."""
    a, b = np.asarray(sent, np.float64), np.asarray(heard, np.float64)
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    scores = [np.dot(a[:n - lag], b[lag:]) if lag >= 0 else np.dot(a[-lag:], b[:n + lag])
              for lag in range(-span, span + 1)]
    return int(np.argmax(scores)) - span


def assert_sounds_as(heard: np.ndarray, sent: np.ndarray, what: str = "") -> None:
    """``heard`` (played back from the air log) is ``sent`` (what aired) through the codec."""
    heard, sent = np.asarray(heard).reshape(-1), np.asarray(sent).reshape(-1)
    label = f"{what}: " if what else ""
    assert len(heard) == len(sent), f"{label}{len(heard)} samples played back, {len(sent)} aired"
    loud = np.sqrt(np.mean(np.square(sent, dtype=np.float64))) if len(sent) else 0.0
    if loud < 30:  # (near) silence aired: silence played back
        assert len(heard) == 0 or np.abs(heard.astype(np.int32)).max() < 300, f"{label}noise where silence aired"
        return
    level = np.sqrt(np.mean(np.square(heard, dtype=np.float64)))
    assert abs(20 * np.log10(max(level, 1e-9) / loud)) < 1.0, f"{label}level {level:.0f}, aired {loud:.0f}"
    assert best_lag(heard, sent) == 0, f"{label}{best_lag(heard, sent)} samples off where it aired"
    assert snr_db(heard, sent) >= MIN_SNR_DB, f"{label}{snr_db(heard, sent):.1f} dB from what aired"


def find(haystack: np.ndarray, needle: np.ndarray) -> int:
    """Where ``needle`` (exact samples) is in ``haystack``, or -1."""
    for i in np.flatnonzero(haystack[:len(haystack) - len(needle) + 1] == needle[0]):
        if np.array_equal(haystack[i:i + len(needle)], needle):
            return int(i)
    return -1
