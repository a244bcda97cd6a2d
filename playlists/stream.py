"""Music as a stream: tracks decoded a block at a time in the background and crossfaded on the fly, so
hours of music in every zone hold only a few seconds of PCM per zone in memory."""
from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from audio.pcm import SAMPLE_RATE, AudioError, Pcm
from audio.stream import PcmStream
from playlists.crossfade import equal_power

_decoder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="music-decode")
AHEAD_S = 3.0  # decoded ahead of the sink, per stream (12 zones: 7 MB less than 5 s)

#: A track: a callable that opens it, giving either a whole Pcm or float32 chunks at the stream's rate.
Track = Callable[[], "Pcm | Iterable[np.ndarray]"]


def _own(a: np.ndarray) -> np.ndarray:
    """``a``, copied when it is a slice of a much larger array: a second queued (or the crossfade's held
    tail) must not keep the seconds it was cut from alive (12 zones of music once held 4x their PCM)."""
    return a.copy() if a.base is not None and a.base.nbytes > 2 * a.nbytes else a


class _Feed:
    """One pass over the playlist (a rewind starts a new one): the producer's state. Only the decoder
    thread running :meth:`fill` touches the readers; ``ready`` is shared under the stream's lock."""

    def __init__(self, tracks: Sequence[Track], crossfade: int, rate: int, lock: threading.Lock) -> None:
        self.tracks, self.x, self.rate, self.lock = tracks, crossfade, rate, lock
        self.next = 0                      # index of the next track to open
        self.reader: Iterator[np.ndarray] | None = None
        self.hold = np.zeros(0, np.float32)  # the current track's last samples, kept for the crossfade
        self.ready: deque[np.ndarray] = deque()
        self.available = 0
        self.done = not tracks
        self.busy = False
        self.closed = False
        self.errors: list[str] = []
        self.gap = False
        self.produced = 0  # samples made ready so far
        self.starts: deque[tuple[int, int]] = deque()  # (produced when a track's first sample came, its index)

    def _open(self) -> Iterator[np.ndarray] | None:
        """The next track that opens (a broken one is reported and skipped), or None at the end."""
        while self.next < len(self.tracks):
            loader = self.tracks[self.next]
            self.next += 1
            try:
                got = loader()
                if isinstance(got, Pcm):
                    got = [got.resampled(self.rate).samples]
                return iter(got)
            except Exception as exc:
                self.errors.append(str(exc))
                self.gap = True  # no crossfade across a broken track
        return None

    def _pull(self) -> np.ndarray | None:
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except Exception as exc:  # broken mid-way: keep what played, go on with the next track
            self.errors.append(str(exc))
            return None

    def _emit(self, samples: np.ndarray, *, then_begins: bool = False) -> np.ndarray:
        """Make ``samples`` ready; ``then_begins``: the track just opened starts right after them (in a
        crossfade: at its first sample), marked in the same step, so a reader never sees the old track's
        last sample without the new one's start."""
        samples = _own(np.asarray(samples, np.float32)) if len(samples) else samples
        with self.lock:
            self.produced += len(samples)
            if len(samples) and not self.closed:
                self.ready.append(samples)
                self.available += len(samples)
            if then_begins:
                self.starts.append((self.produced, self.next - 1))
        return np.zeros(0, np.float32)

    def _more_tracks(self) -> bool:
        return self.next < len(self.tracks)

    def fill(self, target: int) -> None:
        """Decode until ``target`` samples are ready or the playlist ends (the decoder thread)."""
        try:
            while not self.done and not self.closed and self.available < target:
                if self.reader is None:
                    self.reader = self._open()
                    if self.reader is None:
                        self._emit(self.hold)
                        self.done = True
                        break
                    self._emit(np.zeros(0, np.float32), then_begins=True)
                chunk = self._pull()
                if chunk is None:  # the track ended: crossfade its held tail into the next one's head
                    self._close_reader()
                    tail, self.hold = self.hold, np.zeros(0, np.float32)
                    self.gap = False
                    self.reader = self._open()
                    if self.reader is None or self.gap or not len(tail):
                        self._emit(tail, then_begins=self.reader is not None)
                        self.done = self.reader is None
                        if self.done:
                            break
                        continue
                    head = []
                    have = 0
                    while have < len(tail) and (c := self._pull()) is not None:
                        head.append(c)
                        have += len(c)
                    head = np.concatenate(head) if head else np.zeros(0, np.float32)
                    n = min(len(tail), len(head), self.x)
                    self._emit(tail[:len(tail) - n], then_begins=True)
                    if n:
                        self._emit(equal_power(tail[len(tail) - n:], head[:n], self.rate))
                    chunk = head[n:]
                    if have < len(tail) or not len(chunk):  # the new track is already over (or empty)
                        self.hold = chunk
                        if have < len(tail):
                            self._close_reader()
                            self.reader = iter(())
                        continue
                body = np.concatenate([self.hold, chunk]) if len(self.hold) else chunk
                keep = min(len(body), self.x) if self._more_tracks() else 0
                self._emit(body[:len(body) - keep])
                self.hold = _own(body[len(body) - keep:]) if keep else np.zeros(0, np.float32)
        finally:
            if self.closed:
                self._close_reader()
            with self.lock:
                self.busy = False

    def _close_reader(self) -> None:
        close = getattr(self.reader, "close", None)
        if close is not None:
            close()
        self.reader = None

    def close(self) -> None:
        """Stop: its open track (file and resampler) is released now, or by :meth:`fill` when it
        is running (only that thread touches the readers)."""
        with self.lock:
            self.closed = True
            self.ready.clear()
            self.available = 0
            idle = not self.busy
            if idle:
                self.busy = True  # no fill starts while the reader closes
        if idle:
            try:
                self._close_reader()
            finally:
                with self.lock:
                    self.busy = False


class CrossfadeStream(PcmStream):
    """Plays ``tracks`` in order with equal-power crossfades of ``seconds``, stopping after ``limit_s``
    with a ``fade_out_s`` fade. The same curves as :func:`playlists.crossfade.crossfade_all`, computed
    block by block, with about :data:`AHEAD_S` seconds decoded ahead. ``origin``: where in a playlist
    ``tracks`` begin (the index of the first, and the seconds into it that its loader starts at), for
    :meth:`position`."""

    def __init__(self, tracks: Sequence[Track], seconds: float = 3.0, *, limit_s: float | None = None,
                 fade_out_s: float = 2.0, rate: int = SAMPLE_RATE, origin: tuple[int, float] = (0, 0.0)) -> None:
        if seconds < 0:
            raise AudioError(f"crossfade seconds must be >= 0, got {seconds}")
        self.tracks = list(tracks)
        self.seconds = seconds
        self.limit = None if limit_s is None else int(round(limit_s * rate))
        self.fade_out = int(round(fade_out_s * rate))
        self.rate = rate
        self.origin = origin
        self._lock = threading.Lock()
        self._feed: _Feed | None = None
        self.rewind()

    @property
    def errors(self) -> list[str]:
        return self._feed.errors

    def rewind(self) -> None:
        old = self._feed
        if old is not None:
            old.close()
        with self._lock:
            self._feed = _Feed(self.tracks, int(round(self.seconds * self.rate)), self.rate, self._lock)
            self._emitted = 0
        self._refill()

    def _refill(self) -> None:
        feed = self._feed
        with self._lock:
            if feed.busy or feed.done or feed.available >= self.rate * AHEAD_S:
                return
            feed.busy = True
        _decoder.submit(feed.fill, int(self.rate * AHEAD_S * 1.5))

    def read(self, frames: int) -> np.ndarray:
        with self._lock:
            feed = self._feed
            if self.limit is not None:
                frames = max(0, min(frames, self.limit - self._emitted))
            out: list[np.ndarray] = []
            need = frames
            while need > 0 and feed.ready:
                head = feed.ready[0]
                take = head[:need]
                out.append(take)
                need -= len(take)
                feed.available -= len(take)
                if len(take) == len(head):
                    feed.ready.popleft()
                else:
                    feed.ready[0] = head[len(take):]
            chunk = out[0] if len(out) == 1 else np.concatenate(out) if out else np.zeros(0, np.float32)
            start = None if self.limit is None or not self.fade_out else self.limit - self.fade_out
            if start is not None and self._emitted + len(chunk) > start:  # into the fade-out
                pos = np.arange(self._emitted, self._emitted + len(chunk))
                fading = pos >= start
                if fading.any():
                    chunk = chunk.copy()
                    x = (pos[fading] - start) / max(1, self.fade_out - 1)
                    chunk[fading] *= np.cos(x * np.pi / 2).astype(np.float32)
            self._emitted += len(chunk)
        self._refill()
        return chunk

    def position(self) -> tuple[int, float] | None:
        """(the playlist index of the track airing, seconds into it) by the samples read so far; None
        before any track opened."""
        with self._lock:
            starts = self._feed.starts
            while len(starts) > 1 and starts[1][0] <= self._emitted:
                starts.popleft()
            if not starts:
                return None
            begun, index = starts[0]
            at = self._emitted - begun
        first, skip = self.origin
        return first + index, (skip if index == 0 else 0.0) + at / self.rate

    @property
    def finished(self) -> bool:
        with self._lock:
            if self.limit is not None and self._emitted >= self.limit:
                return True
            feed = self._feed
            return feed.done and not feed.busy and not feed.ready

    def close(self) -> None:
        self._feed.close()
