"""Wiring the schedule engine to the playout engine: ``render`` and ``submit`` callables.

``PlayoutBridge(engine, announcement_audio=...)`` gives ``bridge.render(programme, slot)`` (builds the
programme's audio ahead, in a worker thread) and ``bridge.submit(programme, slot)`` (queues one
``PlayoutItem``; parts still rendering are Futures the engine waits for). Announcement audio comes from
the workflow area (the approved render) through the injected ``announcement_audio(id) -> Pcm``.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Callable

import numpy as np
import soundfile as sf

from audio.pcm import SAMPLE_RATE, Pcm
from broadcaster.onair.engine import PlayoutEngine, PlayoutItem
from broadcaster.priorities import Priority
from broadcaster.schedule.programmes import ItemView, ProgrammeView
from broadcaster.schedule.rules import Slot
from audio.stream import PcmStream
from playlists.playlist import Playlist
from playlists.stream import CrossfadeStream


def _load(path) -> Pcm:
    data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    return Pcm(data, rate).resampled(SAMPLE_RATE)


def _tone_chime(kind: str) -> Pcm:
    """Stand-in chime (two notes) until ``audio.chimes`` is wired in."""
    t = np.arange(int(0.4 * SAMPLE_RATE)) / SAMPLE_RATE
    env = np.exp(-4 * t)
    notes = [0.3 * env * np.sin(2 * np.pi * f * t) for f in (784.0, 659.0)]
    return Pcm(np.concatenate(notes).astype(np.float32))


class PlayoutBridge:
    def __init__(self, engine: PlayoutEngine, *, announcement_audio: Callable[[int], Pcm] | None = None,
                 chime_audio: Callable[[str], Pcm] | None = None, grace_s: float = 60, workers: int = 2,
                 on_event: Callable | None = None) -> None:
        self.engine = engine
        self.announcement_audio = announcement_audio
        self.chime_audio = chime_audio or _tone_chime
        self.grace = timedelta(seconds=grace_s)
        self.on_event = on_event
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="programme-render")
        self._ready: dict[str, list[Future]] = {}
        self._lock = threading.Lock()
        self.submitted: dict[str, int] = {}  # slot uid -> playout item id

    def part(self, item: ItemView) -> Pcm | PcmStream:
        if item.kind == "silence":
            return Pcm.silence(item.seconds or 0)
        if item.kind == "chime":
            return self.chime_audio(item.chime or "programme")
        if item.kind == "recording":
            return _load(item.path)
        if item.kind == "announcement":
            if self.announcement_audio is None:
                raise RuntimeError(f"announcement #{item.announcement_id}: no announcement audio source wired")
            return self.announcement_audio(item.announcement_id)
        tracks = Playlist(item.playlist or "", list(item.tracks)).fill(item.seconds or sum(
            t.duration for t in item.tracks), shuffle=item.shuffle)
        # streamed: at most two tracks are decoded at a time, however long the music runs
        return CrossfadeStream([lambda p=t.path: _load(p) for t in tracks], item.crossfade_s, limit_s=item.seconds)

    def render(self, programme: ProgrammeView, slot: Slot) -> list[Future]:
        futures = [self._pool.submit(self.part, it) for it in programme.items]
        with self._lock:
            self._ready[slot.uid] = futures
        return futures

    def submit(self, programme: ProgrammeView, slot: Slot) -> int:
        with self._lock:
            parts = self._ready.pop(slot.uid, None)
        if parts is None:
            parts = [self._pool.submit(self.part, it) for it in programme.items]
        item = PlayoutItem(priority=slot.priority, title=programme.name, parts=parts, zones=tuple(slot.zones),
                           kind="programme", ref=f"programme:{programme.id}", not_after=slot.at + self.grace,
                           on_event=self.on_event, meta={"slot": slot.uid, "slot_at": slot.at})
        item_id = self.engine.submit(item)
        self.submitted[slot.uid] = item_id
        return item_id

    def background_item(self, programme: ProgrammeView, hours: float = 12.0) -> PlayoutItem | None:
        """The background programme's music as a bed item (ducked under announcements, paused under
        pages, resuming where it stopped): its playlists' tracks in rotation or shuffle, and its
        recordings, streamed for up to ``hours`` (the service then starts it again)."""
        paths: list = []
        xf = 3.0
        for it in programme.items:
            if it.kind == "playlist" and it.tracks:
                xf = it.crossfade_s
                paths += [t.path for t in Playlist(it.playlist or "", list(it.tracks)).fill(hours * 3600,
                                                                                          shuffle=it.shuffle)]
            elif it.kind == "recording" and it.path:
                paths.append(it.path)
        if not paths:
            return None
        return PlayoutItem(priority=Priority.BACKGROUND_MUSIC, title=programme.name,
                           parts=[CrossfadeStream([lambda p=p: _load(p) for p in paths], xf)],
                           zones=tuple(programme.zones), kind="music", ref=f"programme:{programme.id}",
                           resumable=True, on_event=self.on_event, meta={"background": True})

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
