"""Content-addressed audio files: uploaded recordings and the approved renders that air.

Files are int16 WAV at the house rate, named by their Pcm.sha256(), written atomically and never
overwritten, so an approved hash always names exactly one file."""
from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import soundfile as sf

from audio.pcm import Pcm
from broadcaster.settings import var_dir


_SHA = re.compile(r"^[0-9a-f]{64}$")


def file_sha256(path) -> str:
    """The sha256 of a file's bytes ("" when it cannot be read), remembered while the file is unchanged.
    A content-addressed file (named by its hash) is taken at its name: the player checks it anyway."""
    p = Path(str(path))
    if _SHA.match(p.stem):
        return p.stem
    try:
        st = p.stat()
        return _digest(str(p), st.st_size, st.st_mtime_ns)
    except OSError:  # not remembered: read again next time
        return ""


@functools.lru_cache(4096)
def _digest(path: str, _size: int, _mtime_ns: int) -> str:
    """The sha256 of a file's bytes, remembered by its path, size and modification time."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
            self.write(rel, buf.getvalue())
        return rel, digest

    def save_bytes(self, data: bytes, folder: str, ext: str) -> tuple[str, str]:
        """Store a file as it came (music keeps its own container: an MP3 stays an MP3), named by the
        sha256 of its bytes; the caller has checked it by decoding. Returns (relative path, sha256)."""
        if not ext.isalnum():
            raise ValueError(f"extension: {ext!r}")
        digest = hashlib.sha256(data).hexdigest()
        rel = f"{folder}/{digest[:2]}/{digest}.{ext}"
        if not (self.root / rel).exists():
            self.write(rel, data)
        return rel, digest

    def write(self, rel: str, data: bytes) -> Path:
        """Atomically: readers see no file or the whole file."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return path

    def load(self, rel: str) -> Pcm:
        path = (self.root / rel).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"media path outside the store: {rel}")
        with sf.SoundFile(str(path)) as f:
            return Pcm.from_int16(f.read(dtype="int16"), f.samplerate)

    def path(self, rel: str) -> Path:
        return self.root / rel
