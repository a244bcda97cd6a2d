"""Content-addressed audio files: uploaded recordings and the approved renders that air.

Files are int16 WAV at the house rate, named by their Pcm.sha256(), written atomically and never
overwritten, so an approved hash always names exactly one file."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import soundfile as sf

from audio.pcm import Pcm
from broadcaster.settings import var_dir


class MediaStore:
    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root else var_dir() / "media"

    def save(self, pcm: Pcm, folder: str) -> tuple[str, str]:
        """Store ``pcm``; returns (path relative to the store, sha256)."""
        digest = pcm.sha256()
        rel = f"{folder}/{digest[:2]}/{digest}.wav"
        if not (self.root / rel).exists():
            buf = io.BytesIO()
            sf.write(buf, pcm.to_int16(), pcm.rate, subtype="PCM_16", format="WAV")
            self._write(rel, buf.getvalue())
        return rel, digest

    def save_bytes(self, data: bytes, folder: str, ext: str) -> tuple[str, str]:
        """Store a file as it came (music keeps its own container: an MP3 stays an MP3), named by the
        sha256 of its bytes; the caller has checked it by decoding. Returns (relative path, sha256)."""
        if not ext.isalnum():
            raise ValueError(f"extension: {ext!r}")
        digest = hashlib.sha256(data).hexdigest()
        rel = f"{folder}/{digest[:2]}/{digest}.{ext}"
        if not (self.root / rel).exists():
            self._write(rel, data)
        return rel, digest

    def _write(self, rel: str, data: bytes) -> None:
        """Atomically: readers see no file or the whole file."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def load(self, rel: str) -> Pcm:
        path = (self.root / rel).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"media path outside the store: {rel}")
        with sf.SoundFile(str(path)) as f:
            data = f.read(dtype="int16")
            rate = f.samplerate
        return Pcm.from_int16(data, rate)

    def path(self, rel: str) -> Path:
        return self.root / rel
