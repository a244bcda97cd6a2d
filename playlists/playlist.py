"""Playlists: ordered tracks, rotation in order, shuffle without repeats, filling a duration limit."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from audio.pcm import AudioError
from playlists.library import Track, probe
from playlists.m3u import M3UEntry, read_m3u, write_m3u


@dataclass
class Playlist:
    name: str
    tracks: list[Track] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(t.duration for t in self.tracks)

    @classmethod
    def from_m3u(cls, path: str | Path, name: str | None = None, *, target_lufs: float | None = None) -> "Playlist":
        """Import an M3U/M3U8: every file must exist and be readable audio (errors name the files).
        With ``target_lufs`` each track's gain is measured (once, here)."""
        p = Path(path)
        entries = read_m3u(p)
        return cls(name or p.stem, [probe(e.path, e.title, target_lufs=target_lufs) for e in entries])

    def to_m3u(self, path: str | Path) -> Path:
        return write_m3u(path, [M3UEntry(t.path, t.title, t.duration) for t in self.tracks])

    def order(self, shuffle: bool = False, seed: int | None = None) -> Iterator[Track]:
        """Endless track order: rotation, or shuffle without repeats."""
        if not self.tracks:
            raise AudioError(f"playlist {self.name!r} has no tracks")
        return iter(Shuffler(self.tracks, seed) if shuffle else Rotation(self.tracks))

    def fill(self, seconds: float, *, shuffle: bool = False, seed: int | None = None) -> list[Track]:
        """Tracks (in play order) that cover ``seconds``; the last one is cut by the player at the limit."""
        if seconds <= 0:
            return []
        out: list[Track] = []
        total = 0.0
        for t in self.order(shuffle, seed):
            out.append(t)
            total += t.duration
            if total >= seconds:
                break
        return out


class Rotation:
    """Tracks in order, wrapping round; ``position`` is the index of the next track."""

    def __init__(self, tracks: list[Track], position: int = 0) -> None:
        if not tracks:
            raise AudioError("cannot rotate an empty playlist")
        self.tracks = list(tracks)
        self.position = position % len(self.tracks)

    def __iter__(self) -> "Rotation":
        return self

    def __next__(self) -> Track:
        t = self.tracks[self.position]
        self.position = (self.position + 1) % len(self.tracks)
        return t


class Shuffler:
    """Shuffle without repeats: every track plays once per cycle; a new cycle never starts with the
    track that ended the previous one (no back-to-back repeat across reshuffles)."""

    def __init__(self, tracks: list[Track], seed: int | None = None) -> None:
        if not tracks:
            raise AudioError("cannot shuffle an empty playlist")
        self.tracks = list(tracks)
        self._rng = random.Random(seed)
        self._cycle: list[int] = []
        self._last: int | None = None

    def _reshuffle(self) -> None:
        order = list(range(len(self.tracks)))
        self._rng.shuffle(order)
        if len(order) > 1 and order[0] == self._last:
            j = self._rng.randrange(1, len(order))
            order[0], order[j] = order[j], order[0]
        self._cycle = order[::-1]  # pop() from the end

    def __iter__(self) -> "Shuffler":
        return self

    def __next__(self) -> Track:
        if not self._cycle:
            self._reshuffle()
        self._last = self._cycle.pop()
        return self.tracks[self._last]
