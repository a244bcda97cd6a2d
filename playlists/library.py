"""Media library: the audio files in a folder that soundfile can read, with their durations."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from audio.pcm import AudioError


class LibraryError(AudioError):
    """A file is missing or is not audio that soundfile can read."""


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    duration: float  # seconds

    def __str__(self) -> str:
        return f"{self.title} ({self.duration:.1f}s)"


def probe(path: str | Path, title: str | None = None) -> Track:
    """Read a file's header; raise :class:`LibraryError` naming the file if it is not readable audio."""
    p = Path(path)
    if not p.is_file():
        raise LibraryError(f"audio file not found: {p}")
    try:
        info = sf.info(str(p))
    except Exception as exc:  # soundfile raises RuntimeError/LibsndfileError for unreadable files
        raise LibraryError(f"not a readable audio file: {p} ({exc})") from None
    if info.samplerate <= 0 or info.frames <= 0:
        raise LibraryError(f"audio file is empty: {p}")
    return Track(p.resolve(), title or p.stem, info.frames / info.samplerate)


class MediaLibrary:
    """A folder of music. ``scan()`` lists every readable audio file (sorted by path); others are skipped."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise LibraryError(f"media library folder not found: {self.root}")
        self.skipped: list[Path] = []

    def scan(self, recursive: bool = True) -> list[Track]:
        files = sorted(p for p in (self.root.rglob("*") if recursive else self.root.iterdir()) if p.is_file())
        tracks: list[Track] = []
        self.skipped = []
        for f in files:
            try:
                tracks.append(probe(f))
            except LibraryError:
                self.skipped.append(f)
        return tracks

    def total_duration(self) -> float:
        return sum(t.duration for t in self.scan())
