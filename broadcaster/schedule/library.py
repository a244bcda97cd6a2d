"""The music library: playlists and their tracks listed, a playlist renamed, its tracks reordered or
removed, a playlist deleted when no programme uses it (else the programmes are named), and a track's
level overview (how loud it is along its length) for the panel."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from broadcaster.errors import NotFound, ValidationError
from broadcaster.schedule.playlist_shelf import may_schedule
from broadcaster.store.models.schedule import PlaylistRecord, PlaylistTrack, Programme, ProgrammeItem


@dataclass(frozen=True)
class TrackView:
    id: int
    title: str
    seconds: float
    path: str
    gain_db: float | None = None  # measured at import to bring it to the venue's loudness (None: not measured)
    lufs: float | None = None  # its integrated loudness, measured (None: not yet)


@dataclass(frozen=True)
class PlaylistView:
    id: int
    name: str
    shuffle: bool
    crossfade_s: float
    tracks: tuple[TrackView, ...]
    used_by: tuple[str, ...]  # programmes that play it

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.tracks)


def _record(s, playlist_id: int) -> PlaylistRecord:
    rec = s.get(PlaylistRecord, playlist_id)
    if rec is None:
        raise NotFound(f"no playlist #{playlist_id}")
    return rec


def _users(s, playlist_id: int) -> tuple[str, ...]:
    return tuple(s.scalars(select(Programme.name).join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
                           .where(ProgrammeItem.playlist_id == playlist_id).distinct().order_by(Programme.name)))


def _view(s, rec: PlaylistRecord) -> PlaylistView:
    return PlaylistView(rec.id, rec.name, rec.shuffle, rec.crossfade_s,
                        tuple(TrackView(t.id, t.title, t.duration, t.path, t.gain_db, t.lufs) for t in rec.tracks), _users(s, rec.id))


def playlists(service) -> list[PlaylistView]:
    with service.db.session() as s:
        return [_view(s, r) for r in s.scalars(select(PlaylistRecord).order_by(PlaylistRecord.name))]


def playlist(service, playlist_id: int) -> PlaylistView:
    with service.db.session() as s:
        return _view(s, _record(s, playlist_id))


def rename(service, playlist_id: int, name: str, *, who=None) -> None:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("name: give the playlist a name (at most 120 characters)")
    with service.db.session() as s:
        may_schedule(s, who, action="rename playlists")
        rec = _record(s, playlist_id)
        if s.scalar(select(PlaylistRecord.id).where(PlaylistRecord.name == name, PlaylistRecord.id != playlist_id)):
            raise ValidationError(f"name: a playlist called {name!r} already exists")
        rec.name = name


def _renumber(s, rec: PlaylistRecord, order: list[PlaylistTrack]) -> None:
    for i, t in enumerate(order):  # out of the way first: (playlist, position) is unique
        t.position = -1 - i
    s.flush()
    for i, t in enumerate(order):
        t.position = i
    s.flush()


def move_track(service, playlist_id: int, track_id: int, by: int, *, who=None) -> None:
    """Move a track ``by`` places (-1: earlier, +1: later)."""
    with service.db.session() as s:
        may_schedule(s, who, action="reorder playlists")
        rec = _record(s, playlist_id)
        order = list(rec.tracks)
        i = next((n for n, t in enumerate(order) if t.id == track_id), None)
        if i is None:
            raise NotFound(f"no track #{track_id} in playlist {rec.name!r}")
        j = min(max(i + by, 0), len(order) - 1)
        order.insert(j, order.pop(i))
        _renumber(s, rec, order)


def remove_track(service, playlist_id: int, track_id: int, *, who=None) -> None:
    with service.db.session() as s:
        may_schedule(s, who, action="change playlists")
        rec = _record(s, playlist_id)
        order = list(rec.tracks)
        track = next((t for t in order if t.id == track_id), None)
        if track is None:
            raise NotFound(f"no track #{track_id} in playlist {rec.name!r}")
        if len(order) == 1:
            raise ValidationError("track: this is the playlist's only track; delete the playlist instead")
        order.remove(track)
        s.delete(track)
        s.flush()
        _renumber(s, rec, order)


def delete(service, playlist_id: int, *, who=None) -> None:
    """Delete a playlist no programme plays (else refused, naming the programmes)."""
    with service.db.session() as s:
        may_schedule(s, who, action="delete playlists")
        rec = _record(s, playlist_id)
        users = _users(s, playlist_id)
        if users:
            raise ValidationError(f"playlist: {rec.name!r} is played by {', '.join(users)}; "
                                  "take it out of those programmes first")
        s.delete(rec)


def levels(path: str, bins: int = 60) -> list[float]:
    """The track's level along its length: the peak of each of ``bins`` stretches (0..1), remembered
    while the file is unchanged ([] when it cannot be read)."""
    try:
        st = Path(path).stat()
        return _peaks(str(path), st.st_size, st.st_mtime_ns, bins)
    except (OSError, RuntimeError):  # not remembered: a file that cannot be read now is tried again
        return []


@lru_cache(maxsize=2048)
def _peaks(path: str, _size: int, _mtime_ns: int, bins: int) -> list[float]:
    """:func:`levels` of the file as it is (its size and time of change are part of the key)."""
    import numpy as np
    import soundfile as sf

    peaks = np.zeros(bins, dtype=np.float32)
    with sf.SoundFile(path) as f:
        per = max(1, f.frames // bins)
        for b in range(bins):
            block = f.read(frames=per, dtype="float32", always_2d=True)
            if not len(block):
                break
            peaks[b] = float(np.abs(block).max())
    return [round(float(x), 3) for x in peaks]
