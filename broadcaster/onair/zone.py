"""One zone of a playout engine: what it airs and waits to air, and the health of its device.

The device side: nothing starts while the device is out. It is opened (and after a failure proven
with a block of silence) before anything is scheduled; a failure is reported once, however often a
flapping device fails, and the zone reopens its sink with back-off (new work does not cut the wait
short). The fault counts as cleared once the device has taken ``healthy_s`` of audio.
"""
from __future__ import annotations

import time

import numpy as np

from audio.sinks import Sink
from broadcaster.onair.items import Entry


class Zone:
    def __init__(self, name: str, sink: Sink, backoff: tuple[float, float]) -> None:
        self.name = name
        self.sink = sink
        self.fg_queue: list[Entry] = []
        self.bed_queue: list[Entry] = []
        self.current: Entry | None = None
        self.bed: Entry | None = None
        self.bed_gain = 1.0
        self.device_ok = True
        self.fault_open = False  # a fault was reported and the device has not been healthy since
        self.healthy = 0         # samples written since the device last failed
        self.retry_at = 0.0      # after a failure: not opened again before this (monotonic)
        self.backoff_range = backoff
        self.backoff = backoff[0]  # the wait after the next failure

    @property
    def waiting(self) -> bool:
        """Anything airing or queued (read with the engine's lock held)."""
        return bool(self.current or self.bed or self.fg_queue or self.bed_queue)

    def ready_device(self, waiting: bool, frames: int) -> None:
        """Open the device if there is work (or a fault to clear) and it is not open; after a failure
        it proves it takes audio with one block of silence. Raises when it cannot."""
        if (waiting or self.fault_open) and not (self.device_ok and self.sink.is_open):
            self.sink.open()
            if self.fault_open:
                self.sink.write(np.zeros(frames, np.int16))
                self.healthy += frames
            self.device_ok = True

    def room_at(self, frames: int, now: float) -> float:
        """When the sink has room for a block: now, or once the audio ahead of it has played."""
        return now + max(0, frames - self.sink.room()) / self.sink.rate

    def failed(self) -> bool:
        """The device failed: mark it out and set when it may be tried again (the next wait is longer).
        Returns True if this opens a fault (a flapping device is one fault)."""
        first = not self.fault_open
        self.fault_open, self.device_ok, self.healthy = True, False, 0
        self.retry_at = time.monotonic() + self.backoff
        self.backoff = min(self.backoff * 2, self.backoff_range[1])
        return first

    def took(self, frames: int, healthy_s: float) -> bool:
        """The device took a block. True when this clears the open fault."""
        self.healthy += frames
        if self.fault_open and self.healthy >= healthy_s * self.sink.rate:
            self.fault_open = False
            self.backoff = self.backoff_range[0]
            return True
        return False
