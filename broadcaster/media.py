"""Content-addressed audio files: uploaded recordings and the approved renders that air.

Files are int16 WAV at the house rate, named by their Pcm.sha256(), written atomically and never
overwritten, so an approved hash always names exactly one file."""
from __future__ import annotations

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
        path = self.root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            sf.write(buf, pcm.to_int16(), pcm.rate, subtype="PCM_16", format="WAV")
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(buf.getvalue())
            os.replace(tmp, path)
        return rel, digest

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
