"""M3U / M3U8 playlists: import (relative paths against the playlist's folder) and export.

``.m3u8`` is always UTF-8. Plain ``.m3u`` is read as UTF-8 when it decodes, else Latin-1, and written
as UTF-8. ``#EXTINF:<seconds>,<title>`` gives durations and titles; -1 means unknown.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlparse

from audio.pcm import AudioError


class PlaylistFileError(AudioError):
    """The playlist file itself is malformed or unreadable."""


class MissingTracks(PlaylistFileError):
    """Entries point at files that do not exist. ``missing`` lists them."""

    def __init__(self, playlist: Path, missing: list[Path]) -> None:
        self.missing = missing
        names = ", ".join(str(m) for m in missing[:10]) + (" ..." if len(missing) > 10 else "")
        super().__init__(f"{playlist}: {len(missing)} missing file(s): {names}")


@dataclass(frozen=True)
class M3UEntry:
    path: Path
    title: str | None = None
    duration: float | None = None  # seconds; None when unknown


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if path.suffix.lower() == ".m3u8":
            raise PlaylistFileError(f"{path}: .m3u8 must be UTF-8 ({exc})") from None
        return data.decode("latin-1")


def parse_m3u(text: str, base_dir: str | Path, source: str = "<m3u>") -> list[M3UEntry]:
    base = Path(base_dir)
    entries: list[M3UEntry] = []
    title: str | None = None
    duration: float | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#EXTINF:"):
            head, _, t = line[len("#EXTINF:"):].partition(",")
            try:
                d = float(head.split()[0]) if head.split() else -1.0
            except ValueError:
                raise PlaylistFileError(f"{source}:{n}: bad #EXTINF duration {head!r}") from None
            duration = d if d >= 0 else None
            title = t.strip() or None
            continue
        if line.startswith("#"):
            continue
        if line.startswith("file://"):
            ref = Path(unquote(urlparse(line).path))
        elif "://" in line:
            raise PlaylistFileError(f"{source}:{n}: only local files are supported, got {line!r}")
        else:
            ref = Path(line.replace("\\", "/") if os.sep == "/" else line)
        p = ref if ref.is_absolute() else base / ref
        entries.append(M3UEntry(Path(os.path.normpath(p)), title, duration))
        title, duration = None, None
    return entries


def read_m3u(path: str | Path) -> list[M3UEntry]:
    """Entries of an M3U/M3U8 file; relative paths resolved against its folder. Every missing file
    is reported at once (:class:`MissingTracks`)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise PlaylistFileError(f"cannot read playlist {p}: {exc.strerror or exc}") from None
    entries = parse_m3u(_decode(data, p), p.parent.resolve(), str(p))
    missing = [e.path for e in entries if not e.path.is_file()]
    if missing:
        raise MissingTracks(p, missing)
    return entries


def write_m3u(path: str | Path, entries: Iterable[M3UEntry]) -> Path:
    """Write UTF-8 M3U/M3U8 with #EXTINF lines; paths relative to the file's folder."""
    p = Path(path)
    lines = ["#EXTM3U"]
    for e in entries:
        if e.duration is not None or e.title:
            d = -1 if e.duration is None else int(round(e.duration))
            title = (e.title or e.path.stem).replace("\n", " ")
            lines.append(f"#EXTINF:{d},{title}")
        ref = Path(e.path)
        if ref.is_absolute():
            try:
                ref = Path(os.path.relpath(ref, p.parent.resolve()))
            except ValueError:  # different drive (Windows)
                pass
        lines.append(ref.as_posix())
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p
