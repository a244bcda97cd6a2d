"""Chimes, one per priority class, so staff recognise what follows by ear.

emergency: insistent alternating two-tone, repeated; urgent_page: rising four-note; announcement:
classic rising three-note; programme: soft two-note; end: falling two-note.

Generated notes open with a raised-cosine attack and close with a raised-cosine release to exactly
zero, so no note starts or stops with a click. Every chime sits ``CHIME_UNDER_LU`` under the speech
target with its true peak under the ceiling. A venue may replace any chime with its own recording
(:func:`read_chime`: checked, trimmed, faded, normalised), kept in ``$PA_VAR_DIR/chimes/KIND.wav``
(:func:`keep_chime`)."""
from __future__ import annotations

import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from audio import loudness
from audio.pcm import SAMPLE_RATE, AudioError, Pcm

# (frequency Hz, seconds) per note
_PATTERNS: dict[str, list[tuple[float, float]]] = {
    "emergency": [(960.0, 0.22), (770.0, 0.22)] * 3,
    "urgent_page": [(523.25, 0.28), (659.25, 0.28), (783.99, 0.28), (1046.5, 0.5)],
    "announcement": [(523.25, 0.38), (659.25, 0.38), (783.99, 0.7)],
    "programme": [(587.33, 0.4), (880.0, 0.7)],
    "end": [(783.99, 0.38), (523.25, 0.7)],
}
KINDS = tuple(_PATTERNS)
ATTACK_S = 0.010
RELEASE_S = 0.060
#: Chimes sit this far under the speech loudness target.
CHIME_UNDER_LU = 3.0
#: A venue's own chime: length limits (seconds) and the fade put on its ends.
VENUE_MIN_S, VENUE_MAX_S, VENUE_FADE_S = 0.3, 8.0, 0.010
#: A venue chime's ends are trimmed where its sound stays this far under its loudest 10 ms (a
#: recording's hiss floor kept half a second of lead-in before the chime rang, and a second of tail).
TRIM_DB = -50.0
#: A venue's chime must have at least AUDIBLE_SHARE of its energy in AUDIBLE_HZ (a chime of rumble or
#: of ultrasound would be levelled to nothing anyone hears); below _FLOOR (-50 dBFS) is silence, and
#: so is a sound whose RMS is under a tenth of it.
AUDIBLE_HZ, AUDIBLE_SHARE, _FLOOR = (30.0, 16_000.0), 0.5, 10 ** (-50 / 20)


class BadChime(AudioError):
    """A venue's chime file was refused. ``reason``: "undecodable", "silent" (no sound, or only a
    constant offset), "inaudible" (its sound below 30 Hz or above 16 kHz), "short", "long" or "kind"; ``seconds``: the sound's length when it was too short or too long."""

    def __init__(self, message: str, reason: str = "kind", seconds: float | None = None) -> None:
        super().__init__(message)
        self.reason, self.seconds = reason, seconds


def _ramp(n: int) -> np.ndarray:
    """Raised cosine from 0 to 1 over ``n`` samples (0 at the first sample)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(1, n)) if n > 0 else np.zeros(0)


def _note(freq: float, seconds: float, rate: int) -> np.ndarray:
    n = int(seconds * rate)
    t = np.arange(n) / rate
    env = np.exp(-3.0 * t / max(seconds, 1e-3))  # bell-like decay
    a, r = min(n // 2, int(ATTACK_S * rate)), min(n // 2, int(RELEASE_S * rate))
    env[:a] *= _ramp(a)
    env[n - r:] *= _ramp(r + 1)[::-1][1:]  # down to exactly zero at the last sample
    tone = sum(a * np.sin(2 * np.pi * k * freq * t) for k, a in ((1, 1.0), (2, 0.3), (3, 0.1)))
    return tone * env


def _known(kind: str, error: type[AudioError] = AudioError) -> str:
    """``kind`` when it names a chime, else ``error`` saying which do."""
    if kind not in _PATTERNS:
        raise error(f"unknown chime {kind!r}; use one of {', '.join(KINDS)}")
    return kind


@lru_cache(maxsize=16)
def generated(kind: str = "announcement", rate: int = SAMPLE_RATE) -> Pcm:
    """The built-in chime for ``kind`` at the default level. Deterministic."""
    x = np.concatenate([_note(f, s, rate) for f, s in _PATTERNS[_known(kind)]])
    x = x / np.max(np.abs(x)) * 0.5
    return loudness.normalize(Pcm(x.astype(np.float32), rate), loudness.DEFAULT_TARGET_LUFS - CHIME_UNDER_LU)


def chime_dir() -> Path:
    return Path(os.environ.get("PA_VAR_DIR") or Path(__file__).resolve().parent.parent / "var") / "chimes"


_venue_lock = threading.Lock()
_venue: dict[str, tuple[float, Pcm]] = {}  # path -> (mtime, chime)


def _venue_chime(kind: str, rate: int) -> Pcm | None:
    path = chime_dir() / f"{kind}.wav"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    with _venue_lock:
        hit = _venue.get(str(path))
        if hit is None or hit[0] != stamp:
            try:
                with sf.SoundFile(str(path)) as f:
                    pcm = Pcm.from_int16(f.read(dtype="int16"), f.samplerate)
            except Exception:  # a damaged file: the built-in chime rings instead
                return None
            hit = _venue[str(path)] = (stamp, pcm)
    return hit[1].resampled(rate)


def chime(kind: str = "announcement", rate: int = SAMPLE_RATE) -> Pcm:
    """The chime for a priority class (``emergency``, ``urgent_page``, ``announcement``,
    ``programme``) or ``end``: the venue's own when it set one, else the built-in one."""
    return _venue_chime(_known(kind), rate) or generated(kind, rate)


def levelled(pcm: Pcm, target_lufs: float) -> Pcm:
    """A chime kept at the default level (the built-in ones, a venue's) levelled for a speech target of
    ``target_lufs``: CHIME_UNDER_LU under it, as at the default, under the true-peak ceiling."""
    if target_lufs == loudness.DEFAULT_TARGET_LUFS:
        return pcm
    return loudness.normalize(pcm, target_lufs - CHIME_UNDER_LU)


def _audible(x: np.ndarray) -> tuple[float, float]:
    """(the share of ``x``'s energy between AUDIBLE_HZ, its RMS) at the house rate."""
    power = np.abs(np.fft.rfft(x)) ** 2
    hz = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    heard, total = power[(hz >= AUDIBLE_HZ[0]) & (hz <= AUDIBLE_HZ[1])].sum(), power.sum()
    return (float(heard / total) if total > 0 else 0.0), float(np.sqrt(np.mean(x ** 2)))


def prepare_chime(pcm: Pcm) -> Pcm:
    """A venue's recording made fit to ring: house rate, its DC offset removed, silence trimmed from
    both ends, faded in and out (no click), at the chime loudness under the true-peak ceiling. BadChime
    if it is silent (or only DC), inaudible (see AUDIBLE_HZ), shorter than VENUE_MIN_S or longer than
    VENUE_MAX_S of sound."""
    pcm = pcm.resampled(SAMPLE_RATE)
    raw = pcm.samples.astype(np.float64)
    x = raw - raw.mean()  # a constant offset (DC) is no sound: never measured, levelled or kept
    loud = np.flatnonzero(np.abs(x) > _FLOOR)
    if loud.size == 0:
        if np.abs(raw).max() > _FLOOR:
            raise BadChime("the chime file holds no sound, only a constant offset (DC)", "silent")
        raise BadChime("the chime file is silent", "silent")
    win = int(0.010 * SAMPLE_RATE)  # a hiss floor is silence too: 10 ms stretches under TRIM_DB of the loudest
    rms = np.sqrt(np.convolve(x * x, np.ones(win) / win, mode="same"))
    loud = np.flatnonzero((rms > max(_FLOOR, rms.max() * 10 ** (TRIM_DB / 20))) & (np.abs(x) > _FLOOR))
    if loud.size:
        x = x[loud[0]:loud[-1] + 1]
    seconds = len(x) / SAMPLE_RATE
    if seconds < VENUE_MIN_S:
        raise BadChime(f"the chime is {seconds:.2f} s of sound; at least {VENUE_MIN_S:g} s is needed", "short", seconds)
    if seconds > VENUE_MAX_S:
        raise BadChime(f"the chime is {seconds:.1f} s of sound; at most {VENUE_MAX_S:g} s is allowed", "long", seconds)
    n = int(VENUE_FADE_S * SAMPLE_RATE)
    x[:n] *= _ramp(n)
    x[-n:] *= _ramp(n + 1)[::-1][1:]
    share, level = _audible(x)
    if level < _FLOOR / 10:  # what was left of an offset: a resampled step's edges, faded away
        raise BadChime("the chime file holds no sound, only a constant offset (DC) or clicks", "silent")
    if share < AUDIBLE_SHARE:
        raise BadChime(f"the chime cannot be heard: most of its sound is below {AUDIBLE_HZ[0]:g} Hz or "
                       f"above {AUDIBLE_HZ[1] / 1000:g} kHz", "inaudible")
    out = loudness.normalize(Pcm(x.astype(np.float32)), loudness.DEFAULT_TARGET_LUFS - CHIME_UNDER_LU)
    return Pcm.from_int16(out.to_int16(), SAMPLE_RATE)


def read_chime(source: str | Path | bytes) -> Pcm:
    """A venue's chime file decoded, checked and prepared (:func:`prepare_chime`), not yet kept."""
    from audio.decode import UndecodableAudio, load_audio

    try:
        pcm = load_audio(source, max_seconds=60.0)
    except UndecodableAudio as exc:
        raise BadChime(str(exc), "long" if str(exc).startswith("recording is") else "undecodable") from None
    return prepare_chime(pcm)


def keep_chime(ready: Pcm, kind: str) -> Pcm:
    """Keep a prepared chime as the chime for ``kind`` (written whole or not at all)."""
    _known(kind, BadChime)
    folder = chime_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".wav")
    os.close(fd)
    try:
        sf.write(tmp, ready.to_int16(), ready.rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, folder / f"{kind}.wav")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ready


def reset_chime(kind: str) -> bool:
    """Back to the built-in chime for ``kind``; True if a venue chime was removed."""
    path = chime_dir() / f"{_known(kind, BadChime)}.wav"
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed
