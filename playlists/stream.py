"""Music as a stream: tracks decoded one ahead in the background and crossfaded on the fly, so a
programme of hours of music holds at most two tracks in memory."""
from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np

from audio.pcm import SAMPLE_RATE, AudioError, Pcm
from audio.stream import PcmStream
from playlists.crossfade import _limit

_decoder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="music-decode")


class CrossfadeStream(PcmStream):
    """Plays ``tracks`` (callables that load a track) in order with equal-power crossfades of
    ``seconds``, stopping after ``limit_s`` with a ``fade_out_s`` fade. The same curves as
    :func:`playlists.crossfade.crossfade_all`, computed block by block."""

    def __init__(self, tracks: Sequence[Callable[[], Pcm]], seconds: float = 3.0, *,
                 limit_s: float | None = None, fade_out_s: float = 2.0, rate: int = SAMPLE_RATE) -> None:
        if seconds < 0:
            raise AudioError(f"crossfade seconds must be >= 0, got {seconds}")
        self.tracks = list(tracks)
        self.seconds = seconds
        self.limit = None if limit_s is None else int(round(limit_s * rate))
        self.fade_out = int(round(fade_out_s * rate))
        self.rate = rate
        self._lock = threading.Lock()
        self.rewind()

    def rewind(self) -> None:
        with self._lock:
            self._next = 0  # index of the next track to load
            self._pending: Future | None = None
            self._ready: deque[np.ndarray] = deque()  # samples ready to play, in order
            self._tail: np.ndarray | None = None  # end of the current track, kept for the crossfade
            self._emitted = 0
            self._done_loading = not self.tracks
            self.errors: list[str] = []
            self._prefetch()

    def _prefetch(self) -> None:
        if self._pending is None and self._next < len(self.tracks):
            loader = self.tracks[self._next]
            self._next += 1
            self._pending = _decoder.submit(lambda: loader().resampled(self.rate).samples)

    def _absorb(self) -> None:
        """Move a decoded track into the ready queue (crossfading with the previous tail)."""
        fut = self._pending
        if fut is None or not fut.done():
            return
        self._pending = None
        try:
            s = fut.result()
        except Exception as exc:  # a broken file: skip it, keep the music going
            self.errors.append(str(exc))
            s = np.zeros(0, np.float32)
        if self._tail is None:
            body = s
        else:
            tail = self._tail
            n = min(len(tail), len(s), int(round(self.seconds * self.rate)))
            self._ready.append(tail[:len(tail) - n])
            if n:
                t = (np.arange(n, dtype=np.float64) + 0.5) / n
                mix = tail[len(tail) - n:] * np.cos(t * np.pi / 2) + s[:n] * np.sin(t * np.pi / 2)
                self._ready.append(_limit(mix, self.rate).astype(np.float32))
            body = s[n:]
        n_next = int(round(self.seconds * self.rate))
        keep = min(len(body), n_next) if self._next < len(self.tracks) else 0
        self._ready.append(body[:len(body) - keep])
        self._tail = body[len(body) - keep:] if keep else None
        if self._next >= len(self.tracks):
            self._done_loading = True
            if self._tail is not None:
                self._ready.append(self._tail)
                self._tail = None
        if self._available() < self.rate * 5:  # one track ahead, never the whole playlist
            self._prefetch()

    def _available(self) -> int:
        return sum(len(a) for a in self._ready)

    def read(self, frames: int) -> np.ndarray:
        with self._lock:
            if self.limit is not None:
                frames = max(0, min(frames, self.limit - self._emitted))
            self._absorb()
            out: list[np.ndarray] = []
            need = frames
            while need > 0 and self._ready:
                head = self._ready[0]
                take = head[:need]
                out.append(take)
                need -= len(take)
                if len(take) == len(head):
                    self._ready.popleft()
                else:
                    self._ready[0] = head[len(take):]
                if not self._ready:
                    self._absorb()
            if self._available() < self.rate * 5:
                self._prefetch()
            chunk = np.concatenate(out) if out else np.zeros(0, np.float32)
            if self.limit is not None and self.fade_out:
                start = self.limit - self.fade_out
                pos = np.arange(self._emitted, self._emitted + len(chunk))
                fading = pos >= start
                if fading.any():
                    chunk = chunk.copy()
                    x = (pos[fading] - start) / max(1, self.fade_out - 1)
                    chunk[fading] *= np.cos(x * np.pi / 2).astype(np.float32)
            self._emitted += len(chunk)
            return chunk

    @property
    def finished(self) -> bool:
        with self._lock:
            if self.limit is not None and self._emitted >= self.limit:
                return True
            return self._done_loading and self._pending is None and not self._ready and self._tail is None
