"""Render cache: memory (bounded LRU) then disk. Concurrent requests for one key share one render;
a failed render is not cached. A disk entry is one file written atomically (temp file + rename): a
line of JSON (rate, frame count, the samples' :meth:`Pcm.sha256` and CRC-32, the engines) then the
int16 samples as they are in memory, so a cache hit is byte-identical to the first render, read with no
decoding. A hit checks the CRC-32 (1.3 ms for a minute of speech), not the SHA-256 (3.2 ms): a sample
changed on disk is rendered again, never served under the hash it was written with. A short, garbled
or unreadable entry is rendered again too. The disk tier is bounded too (``max_disk_bytes``): the entries
read or written longest ago go first, checked at start and every ``TRIM_EVERY`` entries written (on a
thread of its own)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import weakref
import zlib
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

import numpy as np

from audio.pcm import Pcm, pcm16_digest

log = logging.getLogger(__name__)
TRIM_EVERY = 50  # entries written between two looks at the disk tier's size


def cache_key(*parts: str) -> str:
    """Stable key from engine, voice, language, options and text."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


class RenderCache:
    def __init__(self, directory: str | Path | None = None, max_items: int = 64,
                 max_bytes: int = 32 * 1024 * 1024, max_disk_bytes: int = 2 * 1024 ** 3) -> None:
        self.dir = Path(directory) if directory else None
        self.max_disk_bytes = max_disk_bytes  # 2 GB: about four hours of speech
        self._written = 0
        self._trimming: threading.Thread | None = None
        if self.dir:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.trim()
        self.max_items = max_items
        self.max_bytes = max_bytes  # memory tier (sentences, ~0.2 MB a second): the disk tier is a read away
        self.mem_bytes = 0
        self._mem: OrderedDict[str, tuple[Pcm, str]] = OrderedDict()
        self._inflight: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._digests: weakref.WeakKeyDictionary[Pcm, str] = weakref.WeakKeyDictionary()

    def sha256(self, pcm: Pcm) -> str:
        """``pcm.sha256()``, free for buffers this cache stored or read (they are immutable)."""
        digest = self._digests.get(pcm)
        if digest is None:
            digest = self._digests[pcm] = pcm.sha256()
        return digest

    def trim(self) -> None:
        """The disk tier under ``max_disk_bytes``, least recently used first (a hit touches its entry);
        the entries of versions before this format (``.wav``, ``.engine``) are never read: they go."""
        entries = []
        for path in self.dir.glob("*/*.*"):
            try:
                if path.suffix in (".wav", ".engine"):
                    path.unlink()
                elif path.suffix == ".pcm":
                    st = path.stat()
                    entries.append((st.st_mtime, st.st_size, path))
            except FileNotFoundError:  # another process trimmed it meanwhile
                pass
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_disk_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _path(self, key: str) -> Path | None:
        return self.dir / key[:2] / f"{key}.pcm" if self.dir else None

    def _remember(self, key: str, value: tuple[Pcm, str]) -> None:
        old = self._mem.pop(key, None)
        if old is not None:
            self.mem_bytes -= old[0].samples.nbytes
        self._mem[key] = value
        self.mem_bytes += value[0].samples.nbytes
        while self._mem and (len(self._mem) > self.max_items or self.mem_bytes > self.max_bytes):
            _, (pcm, _) = self._mem.popitem(last=False)
            self.mem_bytes -= pcm.samples.nbytes

    def get(self, key: str) -> tuple[Pcm, str] | None:
        with self._lock:
            if key in self._mem:
                self._mem.move_to_end(key)
                return self._mem[key]
        path = self._path(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as f:
                head = json.loads(f.readline())
                raw = f.read()
            data = np.frombuffer(raw, "<i2")
            if len(data) != head["frames"] or zlib.crc32(raw) != head["crc32"]:
                raise ValueError(f"{len(data)} of {head['frames']} samples, or samples changed")
            value = (Pcm.from_int16(data, head["rate"]), head["meta"])
            self._digests[value[0]] = head["sha256"]
            os.utime(path)  # used: the last to go when the disk tier is trimmed
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged entry is re-rendered, never trusted
            log.warning("cache entry %s unreadable (%s); rendering again", path.name, exc)
            return None
        with self._lock:
            self._remember(key, value)
        return value

    def put(self, key: str, pcm: Pcm, meta: str) -> tuple[Pcm, str]:
        pcm16 = pcm.to_int16()
        pcm = Pcm.from_int16(pcm16, pcm.rate)  # store exactly what a later hit will return
        digest = self._digests[pcm] = pcm16_digest(pcm16, pcm.rate)
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = pcm16.astype("<i2", copy=False).tobytes()
            head = {"rate": pcm.rate, "frames": len(pcm16), "sha256": digest, "crc32": zlib.crc32(raw), "meta": meta}
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(json.dumps(head).encode() + b"\n")
                f.write(raw)
            os.replace(tmp, path)
            self._written += 1
            if self._written % TRIM_EVERY == 0:
                # off the render's path (a full tier, 10,000 entries, takes 80 ms): a page's sentence never waits
                self._trimming = threading.Thread(target=self.trim, name="tts-cache-trim", daemon=True)
                self._trimming.start()
        with self._lock:
            self._remember(key, (pcm, meta))
        return pcm, meta

    def get_or_render(self, key: str, render: Callable[[], tuple[Pcm, str]],
                      store_as: Callable[[str], str] | None = None) -> tuple[Pcm, str]:
        """The cached value, or one render shared by every caller asking for ``key`` meanwhile.
        ``store_as(meta)`` may file the result under another key (e.g. the engine that really spoke)."""
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._lock:
            fut = self._inflight.get(key)
            owner = fut is None
            if owner:
                fut = self._inflight[key] = Future()
        if not owner:
            return fut.result()
        try:
            hit = self.get(key)
            if hit is None:
                pcm, meta = render()
                hit = self.put(store_as(meta) if store_as else key, pcm, meta)
            fut.set_result(hit)
            return hit
        except BaseException as exc:
            fut.set_exception(exc)  # waiting callers see the failure; nothing is cached
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)
