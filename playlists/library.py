"""Media library: the audio files in a folder that soundfile can read, with their durations and, measured
once when a playlist is imported, each track's gain (replay-gain style: to the venue's loudness target,
never over the true-peak ceiling), applied as the track plays."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf

from audio import loudness
from audio.levelling import measure_file
from audio.pcm import SAMPLE_RATE, AudioError, Pcm


class LibraryError(AudioError):
    """A file is missing or is not audio that soundfile can read."""


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    duration: float  # seconds
    gain_db: float | None = None  # measured at import (None: not measured; plays as it is)
    lufs: float | None = None  # integrated loudness measured at import (None: not measured)
    peak_dbtp: float | None = None  # true peak measured at import (None: not measured)

    def __str__(self) -> str:
        return f"{self.title} ({self.duration:.1f}s)"


def probe(path: str | Path, title: str | None = None, *, target_lufs: float | None = None) -> Track:
    """Read a file's header; raise :class:`LibraryError` naming the file if it is not readable audio.
    With ``target_lufs`` the whole file is decoded once to measure the track's gain."""
    p = Path(path)
    if not p.is_file():
        raise LibraryError(f"audio file not found: {p}")
    try:
        info = sf.info(str(p))
    except Exception as exc:  # soundfile raises RuntimeError/LibsndfileError for unreadable files
        raise LibraryError(f"not a readable audio file: {p} ({exc})") from None
    if info.samplerate <= 0 or info.frames <= 0:
        raise LibraryError(f"audio file is empty: {p}")
    level = (None, None, None) if target_lufs is None else track_level(p, target_lufs)
    return Track(p.resolve(), title or p.stem, info.frames / info.samplerate, *level)


def _finite(x: float) -> float | None:
    return round(float(x), 2) if np.isfinite(x) else None


def track_level(source: str | Path | bytes,
                target_lufs: float = loudness.DEFAULT_TARGET_LUFS) -> tuple[float, float | None, float | None]:
    """(gain dB, integrated LUFS, true peak dBTP) of a track, measured as it airs (mixed down to mono),
    decoded block by block. The gain brings it to ``target_lufs`` without its true peak going over the
    ceiling; the loudness and peak are None for silence."""
    target = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else str(source)
    try:
        integrated, peak = measure_file(target)
    except Exception as exc:  # soundfile: not audio
        raise LibraryError(f"cannot measure {source if not isinstance(source, (bytes, bytearray)) else 'upload'}: "
                           f"{exc}") from None
    return loudness.track_gain_db(integrated, peak, target_lufs), _finite(integrated), _finite(peak)


def recording_gain(source: str | Path, target_lufs: float = loudness.DEFAULT_TARGET_LUFS) -> float | None:
    """The gain (dB) that brings a programme's recording to ``target_lufs`` as it airs: decoded as
    it plays (house rate, mono) and through the true-peak limiter that :func:`play_gain` applies with
    ``limit=True`` (a peaky recording reaches the target; its peaks are held under the ceiling).
    Streamed a few times, a second at a time: bounded memory whatever the length
    (:func:`audio.levelling.levelled_gain`). None for silence."""
    from audio.decode import stream_audio
    from audio.levelling import levelled_gain
    from audio.pcm import SAMPLE_RATE

    try:
        return levelled_gain(lambda: stream_audio(Path(source)), SAMPLE_RATE, target_lufs)
    except Exception as exc:  # soundfile: not audio
        raise LibraryError(f"cannot measure {source}: {exc}") from None


def play_gain(track, gain_db: float | None, *, limit: bool = False):
    """A track at its measured gain: a whole Pcm, or an iterator of float32 chunks (closed with it).
    Unchanged when it was never measured. A music track's gain never pushes the true peak over the
    ceiling, so the clip only guards rounding; with ``limit`` (a recording levelled by
    :func:`recording_gain`) the true-peak limiter holds the peaks the gain raises, and a Pcm comes
    back as a stream limited as it is read."""
    if gain_db is None or (not gain_db and not limit):
        return track
    if limit:
        from audio.limiter import LimitedStream, limited

        if isinstance(track, Pcm):
            return LimitedStream(track.samples, track.rate, gain_db)
        return closing(limited(track, SAMPLE_RATE, gain_db), track)
    factor = np.float32(10 ** (gain_db / 20))
    if isinstance(track, Pcm):
        return track.gained(float(factor))

    def scaled() -> Iterator[np.ndarray]:
        for chunk in track:
            yield np.clip(chunk * factor, -1.0, 1.0)
    return closing(scaled(), track)


def closing(chunks: Iterator[np.ndarray], track) -> Iterator[np.ndarray]:
    try:
        yield from chunks
    finally:
        close = getattr(track, "close", None)
        if close is not None:
            close()


#: Containers a playlist may hold (soundfile's format name -> the stored file's extension).
FORMATS = {"WAV": "wav", "FLAC": "flac", "OGG": "ogg", "MP3": "mp3"}


def check_audio(data: bytes, label: str, max_seconds: float = 3600.0) -> tuple[str, float]:
    """Decode an uploaded file to its end (its name and declared type are never trusted): returns
    (extension for its container, duration in seconds); LibraryError naming ``label`` if it is not
    audio soundfile can play, is empty, or runs over ``max_seconds``."""
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            ext = FORMATS.get(f.format)
            if ext is None:
                raise LibraryError(f"{label}: {f.format} files are not taken (use {', '.join(FORMATS)})")
            frames = sum(len(block) for block in f.blocks(blocksize=1 << 16, dtype="float32"))
            rate = f.samplerate
    except LibraryError:
        raise
    except Exception as exc:  # soundfile raises RuntimeError/LibsndfileError/TypeError for non-audio
        raise LibraryError(f"{label}: not an audio file that can be played ({exc})") from None
    seconds = frames / rate if rate > 0 else 0.0
    if seconds < 0.5:
        raise LibraryError(f"{label}: no sound in it (under half a second)")
    if seconds > max_seconds:
        raise LibraryError(f"{label}: {seconds / 60:.0f} min is longer than {max_seconds / 60:.0f} min")
    return ext, seconds

