"""Decode any file soundfile reads (WAV, FLAC, OGG, MP3) into house-rate mono PCM."""
from __future__ import annotations

import io
from contextlib import suppress
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf

from audio.pcm import SAMPLE_RATE, AudioError, Pcm


class UndecodableAudio(AudioError):
    """The data is not audio soundfile can read."""


def load_audio(source: str | Path | bytes, rate: int = SAMPLE_RATE, max_seconds: float | None = None) -> Pcm:
    """Decode from a path or bytes (the content decides, never the file name); down-mix; resample."""
    if isinstance(source, (bytes, bytearray)):
        if not source:
            raise UndecodableAudio("no audio data: the upload is empty")
        target: io.BytesIO | str = io.BytesIO(source)
    else:
        target = str(source)
        if not Path(target).is_file():
            raise UndecodableAudio(f"no such audio file: {source}")
    try:
        with sf.SoundFile(target) as f:
            if max_seconds is not None and f.frames > max_seconds * f.samplerate:
                raise UndecodableAudio(f"recording is {f.frames / f.samplerate:.0f} s; the limit is {max_seconds:.0f} s")
            data = f.read(dtype="float32", always_2d=True)
            src_rate = f.samplerate
    except UndecodableAudio:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UndecodableAudio(f"not a readable audio file: {exc}") from exc
    if data.shape[0] == 0:
        raise UndecodableAudio("the audio file holds no samples")
    return Pcm(data, src_rate).resampled(rate)


def stream_audio(source, rate: int = SAMPLE_RATE, block_s: float = 1.0, start_s: float = 0.0) -> Iterator[np.ndarray]:
    """Decode ``source`` (a path or an open binary file) a block at a time: mono float32 chunks at
    ``rate``, resampled by a streaming resampler, so a track of any length holds about a second of PCM
    in memory; from ``start_s`` seconds in (a file that cannot seek: from its start). The file is closed
    when the iterator ends or is closed."""
    import soxr

    try:
        f = sf.SoundFile(source if not isinstance(source, Path) else str(source))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UndecodableAudio(f"not a readable audio file: {exc}") from exc
    with f:
        if start_s > 0:
            with suppress(sf.LibsndfileError, RuntimeError, ValueError):
                f.seek(min(int(start_s * f.samplerate), f.frames))
        resampler = None if f.samplerate == rate else soxr.ResampleStream(f.samplerate, rate, 1, dtype="float32")
        frames = max(1, int(f.samplerate * block_s))
        while True:
            try:
                data = f.read(frames, dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as exc:
                raise UndecodableAudio(f"audio file broken mid-way: {exc}") from exc
            last = len(data) < frames
            mono = np.ascontiguousarray(data.mean(axis=1, dtype=np.float32))
            out = mono if resampler is None else resampler.resample_chunk(mono, last=last)
            if len(out):
                yield np.clip(out, -1.0, 1.0)
            if last:
                return
