"""Streams: audio produced block by block (long music), so nothing holds hours of PCM in memory."""
from __future__ import annotations

import numpy as np

from audio.pcm import SAMPLE_RATE


class PcmStream:
    """Mono float32 audio read in blocks. ``read`` may return fewer samples than asked when the next
    samples are not ready yet (``finished`` is then False) or at the end (``finished`` True)."""

    rate: int = SAMPLE_RATE

    def read(self, frames: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def finished(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def rewind(self) -> None:
        """Start again from the beginning (an interrupted item that restarts from the top)."""
        raise NotImplementedError(f"{type(self).__name__} cannot restart")

    def close(self) -> None:
        """Release resources (background decoding)."""
