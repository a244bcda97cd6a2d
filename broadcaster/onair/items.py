"""What the playout engine airs: items, the events it reports about them, and an item's place in a zone's
queue with how far it has played (``take`` reads its next samples, block by block)."""
from __future__ import annotations

import operator
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

import numpy as np

from audio.pcm import Pcm
from audio.stream import PcmStream

Part = Pcm | PcmStream | Future  # a Future resolves to a Pcm or a PcmStream


@dataclass
class PlayoutItem:
    priority: int
    title: str
    parts: Sequence[Part]
    zones: Sequence[str] = ("main",)
    kind: str = "announcement"  # announcement | page | programme | music | chime
    ref: str | None = None
    resumable: bool = False
    max_retries: int = 3
    not_after: datetime | None = None
    check: Callable[[], None] | None = None
    meta: dict = field(default_factory=dict)
    checked_at: float = 0.0  # when its check last passed (time.monotonic), if it was run before submit


@dataclass(frozen=True)
class PlayoutEvent:
    kind: str  # started completed interrupted requeued failed expired refused cancelled
    item_id: int
    item: PlayoutItem
    zone: str
    at: datetime
    position: float = 0.0  # seconds into the item when the event happened
    retries: int = 0
    detail: str = ""
    error: Exception | None = None  # why an item was refused (the check's exception)


@dataclass
class Entry:
    """One item in one zone: its place in the queue and how far it has played."""

    item_id: int  # drawn in submission order: also its place among equals
    item: PlayoutItem
    part: int = 0
    offset: int = 0  # samples into the current part
    played: int = 0  # samples handed to the sink in total
    retries: int = 0
    started: bool = False
    ready: dict = field(default_factory=dict)  # part index -> Pcm at the sink rate
    checking: Future | None = None  # its last check before air, running or done
    checked_at: float = 0.0         # when that check passed (time.monotonic)

    def __post_init__(self) -> None:
        self.order = (-self.item.priority, self.item_id)  # airing order: priority, then first come
        self.checked_at = self.item.checked_at

    def __lt__(self, other: "Entry") -> bool:
        return self.order < other.order


ORDER = operator.attrgetter("order")


def describe(e: Entry | None, rate: int) -> dict | None:
    """An entry as the panel and the CLI see it (the engine's snapshot)."""
    if e is None:
        return None
    return {"id": e.item_id, "title": e.item.title, "kind": e.item.kind, "priority": e.item.priority,
            "ref": e.item.ref, "position": round(e.played / rate, 2), "retries": e.retries}


def take(e: Entry, frames: int, rate: int) -> tuple[np.ndarray, bool, str]:
    """Up to ``frames`` samples of an entry; (samples, finished, error)."""
    out: list[np.ndarray] = []
    need = frames
    while need > 0 and e.part < len(e.item.parts):
        part = e.item.parts[e.part]
        if isinstance(part, Future):
            if not part.done():
                break  # still rendering: play what we have, pad with silence
            try:
                part = part.result()
            except Exception as exc:
                return np.zeros(0, np.float32), True, f"render failed: {exc}"
        if isinstance(part, PcmStream):
            if part.rate != rate:
                return np.zeros(0, np.float32), True, f"stream at {part.rate} Hz, sink at {rate} Hz"
            chunk = part.read(need)
            ended = len(chunk) < need and part.finished
        else:
            if part.rate != rate:
                part = e.ready.get(e.part) or e.ready.setdefault(e.part, part.resampled(rate))
            chunk = part.samples[e.offset:e.offset + need]
            e.offset += len(chunk)
            ended = e.offset >= len(part)
        out.append(chunk)
        need -= len(chunk)
        if ended:
            e.part, e.offset = e.part + 1, 0
        elif need > 0:
            break  # a stream's next samples not decoded yet: pad this block with silence
    got = out[0] if len(out) == 1 else np.concatenate(out) if out else np.zeros(0, np.float32)
    e.played += len(got)
    return got, e.part >= len(e.item.parts), ""


def _streams(e: Entry) -> list[PcmStream]:
    out = []
    for part in e.item.parts:
        if isinstance(part, Future) and part.done() and not part.exception():
            part = part.result()
        if isinstance(part, PcmStream):
            out.append(part)
    return out


def rewind_streams(e: Entry) -> None:
    """An entry restarting from the top: its streams from their start (where they can)."""
    for stream in _streams(e):
        with suppress(NotImplementedError):  # a stream that cannot restart carries on from where it stopped
            stream.rewind()


def close_streams(entries) -> None:
    """Entries off the air for good (cancelled, the engine stopped): their streams' open files and
    resamplers released now, not at interpreter exit."""
    for e in entries:
        for stream in _streams(e):
            with suppress(Exception):  # closing is best effort
                stream.close()
