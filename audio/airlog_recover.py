"""Air log files a logger never completed (the process was killed, the machine lost power): found
again when the next logger starts, so the hour that aired up to the crash still plays back.

A logger writes beside each file, in its ``.times``, ``# run RUN FIRST`` when it opens the file (whose
sample count it holds, and where in that count it starts) and ``# frames N`` when it completes it.
A file with the first line and no row for it (``known``) is described again as a
:class:`audio.airlog.LoggedFile`: all its samples that can be decoded (a crashed file has no end page:
libsndfile reads up to its last complete page), or its completed count. Files of older versions (no
``# run`` line) cannot be placed in a count and are left as they are."""
from __future__ import annotations

import logging
from pathlib import Path

import soundfile as sf

from audio.airlog import AirLog, LoggedFile

log = logging.getLogger(__name__)


def _header(path: Path) -> tuple[str, int, int | None] | None:
    """(run, first, completed frames or None) from a file's ``.times``, None without a ``# run`` line."""
    try:
        lines = path.with_suffix(".times").read_text("ascii").splitlines()
    except OSError:
        return None
    run, first, frames = None, 0, None
    for line in lines:
        words = line.split()
        if words[:2] == ["#", "run"] and len(words) == 4:
            run, first = words[2], int(words[3])
        elif words[:2] == ["#", "frames"] and len(words) == 3:
            frames = int(words[2])
    return None if run is None else (run, first, frames)


def unfinished(airlog: AirLog, known: set[str]) -> list[LoggedFile]:
    """The files in ``airlog``'s folder that are not ``known`` (names "YYYY-MM-DD/HHMMSS.opus"), not
    being written, and can be placed in a logger's count, oldest first."""
    out = []
    for path in airlog.files():
        name = f"{path.parent.name}/{path.name}"
        if name in known or path == airlog._path:
            continue
        head = _header(path)
        marks = airlog.anchors(path)
        if head is None or not marks:
            continue
        run, first, frames = head
        if run == airlog.run:  # this logger's own: stored as it completes them
            continue
        try:
            info = sf.info(str(path))
        except (sf.LibsndfileError, RuntimeError) as exc:
            log.warning("air log: %s cannot be read (%s); not kept", name, exc)
            continue
        frames = info.frames if frames is None else min(frames, info.frames)
        if frames <= 0:
            continue
        pos, t = marks[-1]
        out.append(LoggedFile(path, name, run, first, frames, info.samplerate, marks[0][1],
                              t + max(0, frames - pos) / info.samplerate))
    return out
