"""The playout engine: one mixer thread feeds every zone's sink, a block at a time, deciding block by
block what airs in each zone.

Foreground items (announcements, pages, programmes) play one at a time, highest priority first, equal
priority first-come-first-served. A higher item pre-empts the current one at the next block boundary:
the interrupted item is re-queued (resumable ones keep their place, others restart from the top and
count a retry). Music (``kind="music"``) is the bed: it plays when nothing else does, is ducked under
foreground items and paused under pages (configurable), and resumes where it stopped.

One thread for all zones, not one each: it writes to a sink only what its buffer has room for
(``Sink.room``) and sleeps until the first zone needs its next block. In a process that also serves
the panel, every thread that wakes waits its turn for the interpreter lock; twelve zone threads waking
fifty times a second each were twelve such waits per block time, and under a storm of dashboards the
devices ran dry. The price: a device that hangs in a write holds every zone until its watchdog gives
up (``PortAudioSink.write_timeout``); a write given only what fits does not wait.

A device error never loses an item: the current item is put back (without spending a retry) while the
zone's device is reopened with back-off (:mod:`broadcaster.onair.zone`); the other zones go on.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Callable

import numpy as np

from audio.limiter import bed_gains
from audio.pcm import block_to_int16
from audio.sinks import Sink
from broadcaster.clock import Clock, SystemClock
from broadcaster.onair.zone import Zone
from broadcaster.onair.items import (ORDER, Entry, PlayoutEvent, PlayoutItem, close_streams, describe as desc,
                                     rewind_streams, take)
from broadcaster.priorities import Priority

log = logging.getLogger(__name__)
CHECK_FRESH_S = 1.0  # an item's last check before air counts for this long
#: 10 ms: 480 samples at 48 kHz. NumPy hands the interpreter lock to other threads during any array
#: operation on more than 500 elements; mixing a 20 ms block did so about ten times per zone, and
#: under a storm of dashboards each hand-back could wait behind the panel's threads (measured: 1,121
#: device underruns in 10 s at 20 ms, 134 at 10 ms). Blocks below that size mix without letting go.
BLOCK_MS = 10.0
DUCK_GAIN = 0.25  # music under announcements and programmes (under pages it pauses)


class PlayoutEngine:
    """Owns the sinks. ``submit`` and ``cancel`` are thread-safe; events arrive on the mixer thread."""

    def __init__(self, sinks: dict[str, Sink], *, clock: Clock | None = None, duck_music: bool = True,
                 retry_backoff: tuple[float, float] = (0.5, 5.0), healthy_s: float = 5.0,
                 on_fault: Callable[[str, Exception], None] | None = None,
                 on_recovered: Callable[[str], None] | None = None) -> None:
        if not sinks:
            raise ValueError("the playout engine needs at least one zone")
        self.clock = clock or SystemClock()
        self.block_ms = BLOCK_MS
        self.duck_music = duck_music  # False: music pauses under every item, not only under pages
        self.retry_backoff = retry_backoff
        self.on_fault = on_fault
        self.on_recovered = on_recovered
        self.healthy_s = healthy_s  # a device counts as back after this long airing without an error
        self.zones = {name: Zone(name, sink, retry_backoff) for name, sink in sinks.items()}
        self.listeners: list[Callable[[PlayoutEvent], None]] = []
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._running = False
        self._poked = False  # work came while the mixer was not waiting: it does not sleep
        self._thread: threading.Thread | None = None
        self._checker = ThreadPoolExecutor(4, thread_name_prefix="playout-check")

    # -- public API ------------------------------------------------------
    def start(self) -> "PlayoutEngine":
        with self._cond:
            if self._running:
                return self
            self._running = True
        for zone in self.zones.values():
            zone.backoff_range, zone.backoff = self.retry_backoff, self.retry_backoff[0]
        self._thread = threading.Thread(target=self._run, name="playout", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        for zone in self.zones.values():
            zone.sink.close()
            close_streams([e for e in (zone.current, zone.bed, *zone.fg_queue, *zone.bed_queue) if e is not None])

    def submit(self, item: PlayoutItem) -> int:
        if not item.parts:
            raise ValueError(f"{item.title!r}: nothing to play")
        unknown = [z for z in item.zones if z not in self.zones]
        if unknown or not item.zones:
            raise ValueError(f"{item.title!r}: unknown zone(s) {unknown or '(none)'}; zones are {sorted(self.zones)}")
        bed = item.kind == "music"
        with self._cond:
            item_id = next(self._ids)  # under the lock: also its place among equals, first come first served
            for z in item.zones:
                zone, entry = self.zones[z], Entry(item_id, item)
                heapq.heappush(zone.bed_queue if bed else zone.fg_queue, entry)
                if not bed and zone.fg_queue[0] is entry and (
                        zone.current is None or item.priority > zone.current.item.priority):
                    self._ready(entry)  # it airs next: its check starts now, not at the next block
            self._poke()
        return item_id

    def cancel(self, item_id: int) -> bool:
        """Remove an item everywhere (queued or airing). Returns True if it was found."""
        found: list[tuple[Zone, Entry]] = []
        with self._cond:
            for zone in self.zones.values():
                for q in (zone.fg_queue, zone.bed_queue):
                    found += [(zone, e) for e in q if e.item_id == item_id]
                    q[:] = [e for e in q if e.item_id != item_id]
                    heapq.heapify(q)
                for slot in ("current", "bed"):
                    e = getattr(zone, slot)
                    if e is not None and e.item_id == item_id:
                        found.append((zone, e))
                        setattr(zone, slot, None)
            self._poke()
        close_streams([e for _, e in found])
        self._emit([self._event("cancelled", zone, e) for zone, e in found])
        return bool(found)

    def snapshot(self, limit: int = 50) -> dict:
        """What is airing and waiting, per zone (for the panel and the CLI): the first ``limit`` waiting
        items in airing order, and how many wait in all."""
        with self._cond:
            return {name: {"now": desc(z.current, z.sink.rate), "music": desc(z.bed, z.sink.rate),
                           "music_gain": round(z.bed_gain, 3), "device_ok": z.device_ok, "sink": z.sink.name,
                           "queue": [desc(e, z.sink.rate) for e in heapq.nsmallest(limit, z.fg_queue, key=ORDER)],
                           "queue_length": len(z.fg_queue),
                           "music_queue": [desc(e, z.sink.rate) for e in heapq.nsmallest(limit, z.bed_queue, key=ORDER)]}
                    for name, z in self.zones.items()}

    def on_air(self) -> list[PlayoutItem]:
        """The items each zone is airing (or was, when the engine stopped)."""
        with self._cond:
            return [z.current.item for z in self.zones.values() if z.current is not None]

    def load(self, zone: str) -> tuple[int | None, bool, bool]:
        """(highest priority airing or waiting in the foreground or None, anything waiting behind the
        current item, music airing or waiting): what a zone player needs to decide what to claim."""
        with self._cond:
            z = self.zones[zone]
            prios = [e.item.priority for e in z.fg_queue] + ([z.current.item.priority] if z.current else [])
            return (max(prios) if prios else None, bool(z.fg_queue), z.bed is not None or bool(z.bed_queue))

    def idle(self) -> bool:
        with self._cond:
            return not any(z.waiting for z in self.zones.values())

    # -- engine ------------------------------------------------------------
    def _event(self, kind: str, zone: Zone, e: Entry, detail: str = "", error: Exception | None = None) -> PlayoutEvent:
        """An event, stamped now (position and retries as they are at this moment; the position not
        rounded: times the rate it is the samples played, which the air log finds an item's end by)."""
        return PlayoutEvent(kind, e.item_id, e.item, zone.name, self.clock.now(),
                            e.played / zone.sink.rate, e.retries, detail, error)

    def _emit(self, events: list[PlayoutEvent]) -> None:
        for ev in events:
            for cb in list(self.listeners):
                self._tell(cb, ev)

    @staticmethod
    def _tell(listener: Callable | None, *args) -> None:
        """Call a listener (of events, device faults, recoveries), if any: one that fails must never stop
        the audio."""
        try:
            if listener is not None:
                listener(*args)
        except Exception:
            log.exception("playout listener %s failed on %s", getattr(listener, "__qualname__", listener), args)

    def _poke(self) -> None:
        """Wake the mixer now (called with the lock held)."""
        self._poked = True
        self._cond.notify_all()

    def _run(self) -> None:
        """The mixer: serve every zone, then sleep until the first one needs its next block (or new
        work arrives)."""
        frames = {name: max(1, int(z.sink.rate * self.block_ms / 1000)) for name, z in self.zones.items()}
        while True:
            with self._cond:
                if not self._running:
                    return
                self._poked = False
            wake = time.monotonic() + 0.5
            for zone in self.zones.values():
                try:
                    due = self._serve(zone, frames[zone.name])
                except Exception:  # a bug in one zone must not silence the others
                    log.exception("zone %s: playout failed", zone.name)
                    due = time.monotonic() + 0.5
                if due is not None:
                    wake = min(wake, due)
            with self._cond:
                delay = wake - time.monotonic()
                if self._running and not self._poked and delay > 0:
                    self._cond.wait(delay)

    def _serve(self, zone: Zone, frames: int) -> float | None:
        """One zone's turn: open its device if it needs one, schedule, and write a block if its sink
        has room. Returns when it next needs a turn (None: when work arrives)."""
        now = time.monotonic()
        if now < zone.retry_at:
            return zone.retry_at
        with self._cond:
            waiting = zone.waiting
        try:  # the device works before anything starts: an outage starts nothing
            zone.ready_device(waiting, frames)
        except Exception as exc:
            return self._device_failed(zone, exc)
        with self._cond:
            events = self._schedule(zone)
            busy = zone.current is not None or zone.bed is not None
        self._emit(events)
        if not busy and not zone.fault_open:
            return None
        due = zone.room_at(frames, now)
        if due > now:
            return due
        try:  # idle with a fault open: silence, until the device has been healthy long enough
            block, done = self._mix(zone, frames)
            zone.sink.write(block)
        except Exception as exc:  # DeviceLost, or a sink that fails to write
            return self._device_failed(zone, exc)
        self._emit(done)
        if zone.took(frames, self.healthy_s):
            log.info("zone %s: device back", zone.name)
            self._tell(self.on_recovered, zone.name)
        return zone.room_at(frames, now)

    def _schedule(self, zone: Zone) -> list[PlayoutEvent]:
        """Pick what airs next (called with the lock held). Returns the events to emit."""
        ev = lambda kind, e, detail="", error=None: self._event(kind, zone, e, detail, error)  # noqa: E731
        events: list[PlayoutEvent] = []
        now = self.clock.now()
        top = zone.fg_queue[0] if zone.fg_queue else None
        cur = zone.current
        if cur is not None and top is not None and top.item.priority > cur.item.priority:
            ready = self._ready(top)  # nothing is cut for an item its last check may still refuse
            if ready is True:
                events += self._interrupt(zone, "", count_retry=True)
            elif ready is not False:
                heapq.heappop(zone.fg_queue)
                events.append(ev("refused", top, str(ready), ready))
        while zone.current is None and zone.fg_queue:
            e = zone.fg_queue[0]
            if e.item.not_after is not None and now > e.item.not_after:
                heapq.heappop(zone.fg_queue)
                events.append(ev("expired", e, f"not after {e.item.not_after.isoformat()}"))
                continue
            ready = self._ready(e)
            if ready is False:
                break  # its check is running: the zone goes on airing what it airs (or silence)
            heapq.heappop(zone.fg_queue)
            if ready is not True:
                events.append(ev("refused", e, str(ready), ready))
                continue
            zone.current = e
        btop = zone.bed_queue[0] if zone.bed_queue else None
        if zone.bed is not None and btop is not None and btop.item.priority > zone.bed.item.priority:
            heapq.heappush(zone.bed_queue, zone.bed)  # music keeps its place and position
            zone.bed = None
        if zone.bed is None and zone.bed_queue:
            zone.bed = heapq.heappop(zone.bed_queue)
            zone.bed_gain = 0.0  # music always fades in (no click), and stays put under a page
        cur = zone.current  # music held silent under it has not started: it starts when it is heard
        held = cur is not None and zone.bed_gain == 0.0 and self._pauses_music(cur)
        for e in (cur, None if held else zone.bed):
            if e is not None and not e.started:
                e.started = True
                events.append(ev("started", e))
        return events

    def _ready(self, e: Entry) -> bool | Exception:
        """May ``e`` start now? True: no check needed, started before, or checked within CHECK_FRESH_S;
        False while its check runs (on a checker thread, never the zone's audio thread nor under the
        lock: started here if none runs); the exception when the check refused it."""
        if e.started or e.item.check is None:
            return True
        fut = e.checking
        if fut is not None and not fut.done():
            return False
        if fut is not None and fut.exception() is not None:
            return fut.exception()
        if time.monotonic() - e.checked_at <= CHECK_FRESH_S:
            return True  # passed just now (here, or by its player just before it was handed over)
        # never checked, or passed a while ago (it waited behind others): checked (again)
        e.checking = self._checker.submit(self._check, e)
        e.checking.add_done_callback(self._wake_zones)
        return False

    @staticmethod
    def _check(e: Entry) -> None:
        e.item.check()
        e.checked_at = time.monotonic()

    def _wake_zones(self, _fut=None) -> None:
        with self._cond:
            self._poke()

    def _interrupt(self, zone: Zone, detail: str, *, count_retry: bool) -> list[PlayoutEvent]:
        """Take the current item off the air (pre-empted, or its device failed) and queue it again."""
        e, zone.current = zone.current, None
        events = [self._event("interrupted", zone, e, detail)]
        if e.item.resumable:
            heapq.heappush(zone.fg_queue, e)
            return events + [self._event("requeued", zone, e, "resumes where it stopped")]
        if count_retry:
            e.retries += 1
        if e.retries > e.item.max_retries:
            return events + [self._event("failed", zone, e, f"interrupted {e.retries} times")]
        events.append(self._event("requeued", zone, e, "restarts from the top"))
        rewind_streams(e)
        e.part, e.offset, e.played, e.started = 0, 0, 0, False
        heapq.heappush(zone.fg_queue, e)
        return events

    def _pauses_music(self, e: Entry) -> bool:
        """Music pauses under ``e`` (a page, or any item when music is not ducked), else it is ducked."""
        return e.item.priority >= Priority.URGENT_PAGE or not self.duck_music

    def _mix(self, zone: Zone, frames: int) -> tuple[np.ndarray, list[PlayoutEvent]]:
        rate = zone.sink.rate
        mix = np.zeros(frames, np.float32)
        done: list[PlayoutEvent] = []
        with self._cond:
            cur, bed = zone.current, zone.bed
            if cur is not None:
                samples, finished, err = take(cur, frames, rate)
                mix[:len(samples)] += samples
                if finished:
                    zone.current = None
                    done.append(self._event("failed" if err else "completed", zone, cur, err))
                    if err:
                        log.error("zone %s: %s: %s", zone.name, cur.item.title, err)
            target = 1.0
            if cur is not None:
                target = 0.0 if self._pauses_music(cur) else DUCK_GAIN
            gain = target
            if bed is not None and not (target == 0.0 and zone.bed_gain == 0.0):  # else paused: it keeps its position
                samples, finished, _ = take(bed, frames, rate)
                if len(samples):  # a ramp only while the gain moves (no click)
                    gains = np.linspace(zone.bed_gain, target, num=len(samples), dtype=np.float32)
                    if cur is not None:  # under an item: their sum's true peak kept under the ceiling
                        gains = bed_gains(mix[:len(samples)], samples, gains)
                        gain = float(gains[-1])
                    if (gains != 1.0).any():
                        samples = samples * gains
                    mix[:len(samples)] += samples
                else:
                    gain = zone.bed_gain  # nothing decoded yet: the fade is still to come
                if finished:
                    zone.bed = None
                    done.append(self._event("completed", zone, bed))
            zone.bed_gain = gain
        return block_to_int16(mix), done

    def _device_failed(self, zone: Zone, exc: Exception) -> float:
        """Report it (once), put the current item back, and return when the zone may try again."""
        events: list[PlayoutEvent] = []
        with self._cond:
            first = zone.failed()
            if zone.current is not None:  # nothing is dropped: back to the queue, no retry spent
                events = self._interrupt(zone, f"device: {exc}", count_retry=False)
        with suppress(Exception):
            zone.sink.close()
        if first:
            log.error("zone %s: device failed: %s", zone.name, exc)
            self._tell(self.on_fault, zone.name, exc)
        self._emit(events)
        return zone.retry_at
