"""Playlists kept in the schedule database: imported from M3U files (``broadcaster playlist import``)
or uploaded through the panel, read back as :class:`playlists.Playlist` for programmes to play.
:class:`ProgrammeService` holds these methods (it needs ``self.db``)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio.loudness import track_gain_db
from audio.pcm import AudioError
from broadcaster.errors import FieldErrors, NotFound, ValidationError
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.schedule import PlaylistRecord, PlaylistTrack
from broadcaster.users import acting
from playlists import Playlist, Track
from playlists.library import LibraryError, check_audio, track_level


#: Who may change the schedule (programmes, rules, closed days, playlists). ``who=None`` is the
#: operator's own shell (the CLI on the server); the panel and the API always pass the logged-in user.
SCHEDULERS = (Role.BROADCASTER, Role.SUPERVISOR)


def may_schedule(s: Session, who, *, action: str) -> User | None:
    """The acting user (None: the operator's shell), PermissionDenied unless they may schedule."""
    return None if who is None else acting(s, who, *SCHEDULERS, action=action)


def tracks_of(rec: PlaylistRecord) -> list[Track]:
    """A playlist's tracks, each with the gain that brings it to the venue's loudness target as it is
    now (from its measured loudness and peak): a target changed after import moves the music with the
    speech. A track not measured yet keeps the gain it was given."""
    target = _target()
    return [Track(Path(t.path), t.title, t.duration, t.gain_db if t.lufs is None else
                  track_gain_db(t.lufs, float("nan") if t.peak_dbtp is None else t.peak_dbtp, target))
            for t in rec.tracks]


def _target() -> float:
    """The venue's loudness target, which music is brought to by its gain."""
    from broadcaster.settings import load_settings

    return load_settings().loudness_lufs


class PlaylistShelf:
    db: object  # broadcaster.store.db.Database

    def import_playlist(self, path: str | Path, name: str | None = None, *, shuffle: bool = False,
                        crossfade_s: float = 3.0, replace: bool = False) -> int:
        if crossfade_s < 0:
            raise ValidationError(f"crossfade: must be >= 0 seconds, got {crossfade_s}")
        try:
            pl = Playlist.from_m3u(path, name, target_lufs=_target())  # each track's gain, measured once
        except AudioError as exc:
            raise ValidationError(f"file: {exc}") from None
        if not pl.tracks:
            raise ValidationError(f"file: playlist {path} has no tracks")
        return self._store_playlist(pl.name, pl.tracks, shuffle, crossfade_s, replace)

    def upload_playlist(self, name: str, files: list[tuple[str, bytes]], *, media, who=None,
                        shuffle: bool = False, crossfade_s: float = 3.0, replace: bool = False) -> int:
        """A playlist from uploaded music (the panel): ``files`` are (file name, bytes). Every file is
        decoded to its end first (names and declared types are never trusted; the name only gives
        the track a title); if any is not playable audio nothing is stored. Files are kept as they
        came, content-addressed in ``media`` (a MediaStore) under ``music/``."""
        name = (name or "").strip()
        if crossfade_s < 0:
            raise ValidationError(f"crossfade: must be >= 0 seconds, got {crossfade_s}")
        checked = self.check_upload(name, files, who=who, replace=replace)
        tracks = []
        for (title, ext, seconds), (_, data) in zip(checked, files):
            rel, _ = media.save_bytes(data, "music", ext)
            tracks.append(Track(media.path(rel).resolve(), title, seconds, *track_level(data, _target())))
        return self._store_playlist(name, tracks, shuffle, crossfade_s, replace)

    def check_upload(self, name: str | None, files: list[tuple[str, bytes]], *, who=None,
                     replace: bool = False) -> list[tuple[str, str, float]]:
        """Check an upload without storing anything: the name (``None``: not checked, the form refused it
        already), not taken, and every file decoded to its end. Every problem at once (FieldErrors: "name",
        "files", and "file 2 (song)" for each file that is not playable audio); else (title, ext, seconds)."""
        errors: dict[str, str] = {}
        if name is not None and (not name.strip() or len(name.strip()) > 120):
            errors["name"] = "give the playlist a name (at most 120 characters)"
        if not files:
            errors["files"] = "choose at least one audio file"
        with self.db.session() as s:
            may_schedule(s, who, action="upload music")
            if name and "name" not in errors and not replace and s.scalar(
                    select(PlaylistRecord.id).where(PlaylistRecord.name == name.strip())):
                errors["name"] = f"a playlist called {name.strip()!r} already exists"
        checked = []
        for i, (filename, data) in enumerate(files, 1):
            title = Path((filename or "").replace("\\", "/")).stem.strip()[:120] or f"Track {i}"
            label = f"file {i} ({title})"
            try:
                checked.append((title, *check_audio(data, label)))
            except LibraryError as exc:
                errors[label] = str(exc).removeprefix(f"{label}: ")
        if errors:
            raise FieldErrors(errors)
        return checked

    def _store_playlist(self, name: str, tracks, shuffle: bool, crossfade_s: float, replace: bool) -> int:
        with self.db.session() as s:
            old = s.scalar(select(PlaylistRecord).where(PlaylistRecord.name == name))
            if old is not None and not replace:
                raise ValidationError(f"name: a playlist called {name!r} already exists (use --replace)")
            rec = old or PlaylistRecord(name=name)
            rec.shuffle, rec.crossfade_s = shuffle, crossfade_s
            rec.tracks = [PlaylistTrack(position=i, path=str(t.path), title=t.title, duration=t.duration,
                                        gain_db=t.gain_db, lufs=t.lufs, peak_dbtp=t.peak_dbtp)
                          for i, t in enumerate(tracks)]
            s.add(rec)
            s.flush()
            return rec.id

    def playlist(self, name: str) -> Playlist:
        with self.db.session() as s:
            rec = s.scalar(select(PlaylistRecord).where(PlaylistRecord.name == name))
            if rec is None:
                raise NotFound(f"no playlist called {name!r}")
            return Playlist(rec.name, tracks_of(rec))

    def export_playlist(self, name: str, path: str | Path) -> Path:
        return self.playlist(name).to_m3u(path)

    def list_playlists(self) -> list[tuple[str, int, float, bool]]:
        with self.db.session() as s:
            return [(p.name, len(p.tracks), sum(t.duration for t in p.tracks), p.shuffle)
                    for p in s.scalars(select(PlaylistRecord).order_by(PlaylistRecord.name))]


    def measure_tracks(self, *, limit: int | None = None) -> list[tuple[str, str]]:
        """Measure the tracks stored before loudness was kept (``broadcaster music measure``): their
        integrated loudness and true peak, and their gain when they had none. Returns (playlist,
        title) of each track measured; a track whose file cannot be read is left unmeasured."""
        with self.db.session() as s:
            todo = [(t.id, t.path) for t in s.scalars(select(PlaylistTrack).where(PlaylistTrack.lufs.is_(None))
                                                      .order_by(PlaylistTrack.id).limit(limit))]
        done = []
        for track_id, path in todo:
            try:  # outside the transaction: decoding is slow
                gain, lufs, peak = track_level(path, _target())
            except LibraryError:  # the file is gone or unreadable: left unmeasured (plays as it did)
                continue
            with self.db.session() as s:
                t = s.get(PlaylistTrack, track_id)
                if t is None:
                    continue
                t.lufs, t.peak_dbtp = lufs, peak
                t.gain_db = gain if t.gain_db is None else t.gain_db
                done.append((t.playlist.name, t.title))
        return done
