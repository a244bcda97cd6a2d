"""The one in-memory audio type: mono float32 samples in [-1, 1] at a known rate."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

#: House sample rate. Everything that reaches a sink is at this rate.
SAMPLE_RATE = 48_000


class AudioError(Exception):
    """Base class for every error raised by the audio layer."""


@dataclass(frozen=True, eq=False)
class Pcm:
    """Mono PCM. ``samples`` is a read-only float32 array in [-1, 1]."""

    samples: np.ndarray
    rate: int = SAMPLE_RATE

    def __post_init__(self) -> None:
        a = np.asarray(self.samples, dtype=np.float32)
        if a.ndim == 2:  # down-mix channels (frames, channels)
            a = a.mean(axis=1, dtype=np.float32)
        if a.ndim != 1:
            raise AudioError(f"PCM must be mono or (frames, channels), got shape {a.shape}")
        if self.rate <= 0:
            raise AudioError(f"sample rate must be positive, got {self.rate}")
        a = np.ascontiguousarray(a)
        a.setflags(write=False)
        object.__setattr__(self, "samples", a)

    # -- construction -------------------------------------------------
    @classmethod
    def silence(cls, seconds: float, rate: int = SAMPLE_RATE) -> "Pcm":
        return cls(np.zeros(max(0, int(round(seconds * rate))), dtype=np.float32), rate)

    @classmethod
    def from_int16(cls, data: bytes | np.ndarray, rate: int) -> "Pcm":
        a = np.frombuffer(data, dtype=np.int16) if isinstance(data, (bytes, bytearray)) else np.asarray(data)
        return cls(a.astype(np.float32) / 32768.0, rate)

    @classmethod
    def concat(cls, parts: list["Pcm"], rate: int = SAMPLE_RATE) -> "Pcm":
        arrays = [p.resampled(rate).samples for p in parts]
        return cls(np.concatenate(arrays) if arrays else np.zeros(0, np.float32), rate)

    # -- properties ---------------------------------------------------
    def __len__(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return len(self) / self.rate

    @property
    def peak(self) -> float:
        return float(np.max(np.abs(self.samples))) if len(self) else 0.0

    @property
    def rms(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64)))) if len(self) else 0.0

    # -- conversion ---------------------------------------------------
    def to_int16(self) -> np.ndarray:
        """Samples as int16, the exact values handed to a sink."""
        return np.round(np.clip(self.samples, -1.0, 32767 / 32768) * 32768.0).astype(np.int16)

    def sha256(self) -> str:
        """Content hash of what will actually air (int16 samples + rate)."""
        return pcm16_digest(self.to_int16(), self.rate)

    def resampled(self, rate: int) -> "Pcm":
        if rate == self.rate or len(self) == 0:
            return self if rate == self.rate else Pcm(self.samples, rate)
        from audio.dsp import resample

        return Pcm(np.clip(resample(self.samples, self.rate, rate), -1.0, 1.0).astype(np.float32), rate)

    def gained(self, factor: float) -> "Pcm":
        return Pcm(np.clip(self.samples * np.float32(factor), -1.0, 1.0), self.rate)


def pcm16_digest(samples: np.ndarray, rate: int) -> str:
    """:meth:`Pcm.sha256` of int16 ``samples`` (the render cache hashes what it read with no float
    round trip)."""
    h = hashlib.sha256()
    h.update(f"pcm16/{rate}/mono\n".encode())
    h.update(np.ascontiguousarray(samples, dtype=np.int16))  # the buffer itself: no copy
    return h.hexdigest()


def block_to_int16(mix: np.ndarray) -> np.ndarray:
    """A mixed float32 block as the int16 samples a sink takes, scaled and rounded in place (the ufuncs
    themselves: np.clip and np.round cost more in their Python wrappers than the math, per block)."""
    np.multiply(mix, 32768.0, out=mix)
    np.rint(mix, out=mix)
    np.minimum(mix, 32767.0, out=mix)
    np.maximum(mix, -32768.0, out=mix)
    return mix.astype(np.int16)
