"""Feed a sink block by block (default 20 ms) so playback can be stopped within one block."""
from __future__ import annotations

import threading
from typing import Iterable, Iterator

import numpy as np

from audio.pcm import Pcm
from audio.sinks import Sink


def blocks_of(pcm: Pcm, frames: int, start: int = 0) -> Iterator[np.ndarray]:
    """int16 blocks of ``frames`` samples (the last may be shorter), from sample ``start``."""
    data = pcm.to_int16()
    for i in range(start, len(data), frames):
        yield data[i:i + frames]


class Player:
    """Plays PCM on a sink. ``stop()`` from another thread ends playback after the current block."""

    def __init__(self, sink: Sink, block_ms: float = 20.0) -> None:
        if not 1 <= block_ms <= 200:
            raise ValueError(f"block_ms must be within 1..200, got {block_ms}")
        self.sink = sink
        self.block_frames = max(1, int(sink.rate * block_ms / 1000))
        self._stop = threading.Event()

    def play(self, pcm: Pcm) -> int:
        """Play to the end (or until stopped). Returns the number of frames handed to the sink."""
        return self.play_blocks(blocks_of(pcm.resampled(self.sink.rate), self.block_frames))

    def play_blocks(self, blocks: Iterable[np.ndarray]) -> int:
        self._stop.clear()
        self.sink.open()
        done = 0
        for block in blocks:
            if self._stop.is_set():
                break
            self.sink.write(block)
            done += len(block)
        return done

    def stop(self) -> None:
        self._stop.set()
