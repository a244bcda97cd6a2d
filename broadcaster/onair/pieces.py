"""From an airing's pieces to the audio a zone player airs, with every stored piece found by its content
hash and checked against it at the last moment.

- ``audio``: stored audio named by the sha256 of its int16 samples (an approved announcement render).
  Found in the local media store, else in the player's cache, else fetched from the database
  (``media_blobs``) into the cache. Decoded and hashed again just before its first sample: a
  mismatch refuses the airing (:class:`HashMismatch`).
- ``music``: tracks named by the sha256 of their file bytes, streamed one ahead.
- ``chime``: the venue's own by its hash in the database (:mod:`broadcaster.venue_chimes`), else built in.
- ``silence``: generated here.
- ``speech``: a page's approved template wording, rendered here (sentence audio is cached on disk); the
  as-run log names it by the hash of the speech as rendered (the same on every player), once known: a
  page cut while it rendered has it written when the render ends (``rendering``).
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import soundfile as sf

from audio import loudness
from audio.chimes import chime, levelled
from audio.decode import load_audio, stream_audio
from audio.pcm import Pcm
from broadcaster import venue_chimes
from broadcaster.store.media import MediaStore
from broadcaster.store.models.onair import MediaBlob
from playlists.library import closing, play_gain
from playlists.stream import CrossfadeStream

log = logging.getLogger(__name__)


class HashMismatch(Exception):
    """The audio found is not the audio the airing names."""


class MediaSource:
    """Audio by content hash for one player: local store, local cache, then the database."""

    def __init__(self, db, store_root: Path | None, cache_dir: Path, *,
                 target_lufs: float = loudness.DEFAULT_TARGET_LUFS) -> None:
        self.db = db
        self.target_lufs = target_lufs  # the venue's speech target: chimes ring their offset under it (it may
        # change while the player runs: onair.sound_settings)
        self.roots = [Path(store_root)] if store_root else []
        self.cache_dir = Path(cache_dir)
        self.venue_chime = venue_chimes.Lookup(db)
        self._chimes: dict[str, Pcm] = {}  # venue chimes by hash
        self._levelled: dict[tuple, Pcm] = {}  # (a chime's samples hash, target) -> it levelled for that target

    def path(self, sha: str) -> Path:
        """A local file holding the media ``sha`` (fetched from the database if no local copy)."""
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            raise HashMismatch(f"not a content hash: {sha!r}")
        for root in self.roots + [self.cache_dir]:
            for found in root.glob(f"*/{sha[:2]}/{sha}.*"):
                return found
        with self.db.session() as s:
            blob = s.get(MediaBlob, sha)
            if blob is None:
                raise HashMismatch(f"hash mismatch: media {sha[:16]} is not stored anywhere this player can reach")
            data, ext = blob.data, blob.ext
        return MediaStore(self.cache_dir).write(f"shared/{sha[:2]}/{sha}.{ext}", data)

    def audio(self, sha: str) -> Pcm:
        """Stored audio, its samples hashed again: exactly the audio named ``sha`` or HashMismatch."""
        try:
            with sf.SoundFile(str(self.path(sha))) as f:
                pcm = Pcm.from_int16(f.read(dtype="int16"), f.samplerate)
        except HashMismatch:
            raise
        except Exception as exc:
            raise HashMismatch(f"hash mismatch: audio {sha[:16]} unreadable ({exc})") from None
        actual = pcm.sha256()
        if actual != sha:
            raise HashMismatch(f"hash mismatch: audio about to air is {actual[:16]}, not the approved {sha[:16]}")
        return pcm

    def _file(self, track: dict) -> tuple[Path, str]:
        """A recording's file (the local path when there is one, else fetched by its hash) and its hash."""
        sha = track.get("sha256") or ""
        path = Path(track["path"]) if track.get("path") else None
        if path is None or not path.is_file():
            if not sha:
                raise HashMismatch(f"file {track.get('path')} is not here and has no content hash to fetch it by")
            path = self.path(sha)
        return path, sha

    @staticmethod
    def _check(actual: str, sha: str, path: Path) -> None:
        if actual != sha:
            raise HashMismatch(f"hash mismatch: {path.name} holds {actual[:16]}, not {sha[:16]}")

    def track(self, track: dict) -> Pcm:
        """A recording decoded whole, from the very bytes its hash is checked in (read once: what is
        decoded is what was checked, even if the file changes meanwhile)."""
        path, sha = self._file(track)
        data = path.read_bytes()
        if sha:
            self._check(hashlib.sha256(data).hexdigest(), sha, path)
        return load_audio(data)

    def music(self, track: dict, start_s: float = 0.0) -> Iterator[np.ndarray]:
        """A music track decoded a second at a time (from ``start_s`` seconds in): its bytes hashed
        first (read in blocks, never whole), then decoded from the same open file."""
        path, sha = self._file(track)
        f = open(path, "rb")
        try:
            if sha:
                self._check(hashlib.file_digest(f, "sha256").hexdigest(), sha, path)
                f.seek(0)
        except BaseException:
            f.close()
            raise
        return closing(stream_audio(f, start_s=start_s), f)

    def chime(self, name: str) -> Pcm:
        """The venue's chime as the database names it (by hash: set on any machine, checked here),
        else this machine's (``var/chimes`` or the built-in one); levelled for the venue's target."""
        sha = self.venue_chime(name)
        if sha:
            try:
                pcm = self._chimes.get(sha) or self._chimes.setdefault(sha, self.audio(sha))
                return self._level(pcm, sha)
            except HashMismatch as exc:  # a chime never stops a page: this machine's rings instead
                log.error("venue chime %s: %s", name, exc)
        return self._level(chime(name))

    def _level(self, pcm: Pcm, sha: str | None = None) -> Pcm:
        """A chime kept at the default level, levelled for the venue's target (once per chime)."""
        if self.target_lufs == loudness.DEFAULT_TARGET_LUFS:
            return pcm
        target = self.target_lufs
        key = (sha or pcm.sha256(), target)  # this machine's chime may change under var/chimes: known by its samples
        hit = self._levelled.get(key)
        if hit is None:
            if len(self._levelled) >= 32:
                self._levelled.clear()
            hit = self._levelled[key] = levelled(pcm, target)
        return hit


class Speech:
    """Pages' speech, a sentence at a time: each sentence renders on a small pool in order and airs as
    soon as it is ready, so the first one follows the chime while the rest render. The last few pages'
    sentences (eight) are kept for their repeats."""

    def __init__(self, renderer) -> None:
        self.renderer = renderer
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="page-tts")
        self._kept: OrderedDict[tuple, tuple[list, Future]] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, parts: list[tuple[str, str]]) -> tuple[list, Future, Callable[[], None]]:
        """(what to air: a Future per sentence and the pauses between them; a Future of the whole
        speech's (sha256, engines), set once every sentence has rendered; ``go()``, which starts the
        rendering, once). The caller calls ``go()`` when the speech is about to air: from the item's
        last check, so a page waiting behind another never holds up the sentences of the page on air,
        and a page that airs at once renders after its claim and check, not during them."""
        said = tuple(tuple(p) for p in parts)
        key = (said, getattr(self.renderer, "target_lufs", None))  # kept at the level rendered (it may change)
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or (kept[1].done() and kept[1].exception() is not None):
                kept = self._kept[key] = self._start(self.renderer.plan(list(said)))
                while len(self._kept) > 8:
                    self._kept.popitem(last=False)
            self._kept.move_to_end(key)
        return kept

    def _start(self, plan: list) -> tuple[list, Future, Callable[[], None]]:
        said: list = [Pcm.silence(step) if isinstance(step, float) else Future() for step in plan]
        engines: dict[int, str] = {}  # by place in the plan: named in the plan's order, on every player
        whole: Future = Future()
        pending = [sum(1 for part in said if isinstance(part, Future))]
        lock = threading.Lock()

        def one(at: int, lang: str, sentence: str, out: Future) -> None:  # on the pool
            try:
                pcm, engine = self.renderer.say(sentence, lang)
            except BaseException as exc:
                with lock:
                    if not whole.done():
                        whole.set_exception(exc)
                out.set_exception(exc)
                return
            with lock:
                engines[at] = engine
                pending[0] -= 1
                last = pending[0] == 0  # never after a sentence failed: the whole failed with it
            if last:  # the whole speech is known before its last sentence can air
                aired = Pcm.concat([pcm if p is out else p.result() if isinstance(p, Future) else p for p in said])
                whole.set_result((aired.sha256(), ", ".join(dict.fromkeys(engines[i] for i in sorted(engines)))))
            out.set_result(pcm)

        started = []

        def go() -> None:
            with lock:
                if started:
                    return
                started.append(True)
            for at, (step, out) in enumerate(zip(plan, said)):
                if isinstance(out, Future):
                    self._pool.submit(one, at, *step, out)
        return said, whole, go


def _at_last_moment(parts: list, checks: list, load) -> None:
    """A part that is a Future, filled by ``load()`` in the check the engine runs just before the first
    sample (once: a restart from the top keeps what was loaded and checked)."""
    fut: Future = Future()

    def check() -> None:
        if not fut.done():
            fut.set_result(load())
    parts.append(fut)
    checks.append(check)


def build(pieces: list[dict], media: MediaSource, speech: Speech | None,
          progress: dict | None = None, rendering: list[Future] | None = None) -> tuple[list, list[dict], list]:
    """(parts for the engine, the pieces as they will air, the checks to run just before air).
    ``progress``: how far its music aired before (its airing's): the music carries on from there, and
    its piece as it airs says so (``from``). Each speech's Future of (hash, engines) is added to
    ``rendering``: its piece names them once it is done.

    Stored audio is a Future the check fills: it is loaded and hashed at the last moment, so a file
    changed after the airing was claimed is refused, never aired. Speech renders from the check too:
    for what airs at once, the check its player runs right after the claim; for what waits behind the
    current item, when its turn has come. The chime covers the first sentence, as for any cold page."""
    parts: list = []
    record: list[dict] = []
    checks: list = []
    for piece in pieces:
        kind = piece.get("type")
        rec = dict(piece)
        if kind == "audio":  # approved audio: loaded and re-hashed just before it airs
            _at_last_moment(parts, checks, lambda sha=piece["sha256"]: media.audio(sha))
        elif kind == "chime":  # which one rang (the venue's, or this machine's when that did not match)
            parts.append(media.chime(piece.get("name") or "announcement"))
            rec["sha256"] = parts[-1].sha256()
        elif kind == "silence":
            parts.append(Pcm.silence(float(piece.get("seconds") or 0)))
        elif kind == "speech":  # sentence by sentence: the first airs while the rest render
            if speech is None:
                raise ValueError("this player cannot render speech")
            said, whole, go = speech.render([tuple(p) for p in piece["parts"]])
            parts.extend(said)
            checks.append(go)

            def done(f: Future, rec=rec) -> None:
                if f.exception() is None:
                    rec["sha256"], rec["engines"] = f.result()
            whole.add_done_callback(done)
            if rendering is not None:
                rendering.append(whole)
        elif kind == "file":  # a recording: loaded (and its hash checked) just before it airs, limited as it airs
            _at_last_moment(parts, checks, lambda piece=piece: play_gain(
                media.track(piece), piece.get("gain_db"), limit=bool(piece.get("limiter"))))
        elif kind == "music":
            first, skip = (int(progress["track"]), float(progress["offset"])) if progress else (0, 0.0)
            if progress:
                rec["from"] = {"track": first, "offset": skip}
            listed = piece.get("tracks") or []

            def loader(t: dict, at: float = 0.0):  # a recording in the bed: limited as in a slot
                return lambda: play_gain(media.music(t, at), t.get("gain_db"), limit=bool(t.get("limiter")))
            # one loader per track, repeated for the passes (12 h of a 1,000-track list: not one per play)
            tracks = ([loader(t) for t in listed] * max(1, int(piece.get("passes") or 1)))[first:]
            if tracks and skip:
                tracks[0] = loader(listed[first % len(listed)], skip)
            parts.append(CrossfadeStream(tracks, float(piece.get("crossfade", 3.0)), limit_s=piece.get("seconds"),
                                         origin=(first, skip)))
        else:
            raise ValueError(f"unknown piece type {kind!r}")
        record.append(rec)
    return parts, record, checks
